import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { rootOrganizationId } from '../common/root-organization.js';
import { Prisma } from '../generated/prisma/client.js';
import type { RouteRules, TlsContextRef } from './api-instances.dto.js';
import type { EndpointTypeFilter } from './instance-family.js';

/** Everything the instance body shows (contract §4.1) and the list views add. */
const INSTANCE_INCLUDE = {
  routes: {
    orderBy: { position: 'asc' },
    include: {
      upstreams: {
        orderBy: [{ upstream: { createdAt: 'asc' } }, { upstreamId: 'asc' }],
        include: { upstream: { select: { uri: true } } },
      },
    },
  },
  deployment: true,
  _count: { select: { contracts: { where: { status: 'APPROVED' } } } },
} satisfies Prisma.ApiInstanceInclude;

/** Instance columns a create or update writes; `undefined` leaves a column as it is. */
export interface InstanceColumns {
  groupId?: string;
  assetId?: string;
  assetVersion?: string;
  productVersion?: string;
  instanceLabel?: string | null;
  description?: string | null;
  tags?: string[];
  technology?: string;
  approvalMethod?: string | null;
  providerId?: string | null;
  endpointUri?: string | null;
  deprecated?: boolean;
  endpointType?: string | null;
  deploymentType?: string | null;
  upstreamUri?: string | null;
  proxyUri?: string | null;
  proxyPort?: number | null;
  proxyBasePath?: string | null;
  isCloudHub?: boolean | null;
  muleVersion4OrAbove?: boolean | null;
  referencesUserDomain?: boolean | null;
  responseTimeout?: number | null;
  tlsContexts?: object | null;
  /** what tlsContexts.inbound resolved to (set, or null to clear, whenever the listener changes) */
  inboundTlsId?: string | null;
  proxyTemplate?: object | null;
  validation?: string | null;
  proxyRegistrationUri?: string | null;
}

/** An upstream's fields a write sets; `undefined` leaves a field as it is. */
export interface UpstreamColumns {
  uri?: string;
  label?: string | null;
  /** the reference as received */
  tlsContext?: TlsContextRef | null;
  /** what `tlsContext` resolved to: set (null to clear) whenever `tlsContext` is */
  tlsContextId?: string | null;
}

/** A route to write; an upstream with `id` is an existing one (its other fields, when set, update it). */
export interface RoutePlan {
  label: string | null;
  rules: RouteRules | null;
  upstreams: (UpstreamColumns & { id?: string; weight: number })[];
}

/** What upstream reads show of the TLS context an upstream uses. */
const UPSTREAM_INCLUDE = {
  outboundTls: { select: { id: true, secretGroupId: true, name: true, createdAt: true, updatedAt: true } },
} satisfies Prisma.ApiUpstreamInclude;

export interface InstanceFilter {
  endpointTypes?: EndpointTypeFilter;
  query?: string;
  groupId?: string;
  assetId?: string;
  assetVersion?: string;
  instanceLabel?: string;
  productVersion?: string;
  autodiscoveryInstance?: { productVersion: string; id: number };
  autodiscoveryApi?: { groupId: string; assetId: string };
  onlyActive?: boolean;
  onlyPinned?: boolean;
}

export type InstanceOrder = { field: 'id' | 'name' | 'createdDate' | 'updatedDate'; ascending: boolean; pinnedFirst: boolean };

@Injectable()
export class ApiInstancesRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /** The root of `organizationId`'s business-group tree (`masterOrganizationId`). */
  async rootOrganizationId(organizationId: string): Promise<string> {
    return rootOrganizationId(this.prisma, organizationId);
  }

  /** A published Exchange asset owned by one of `visibleOrgIds`, or public. */
  findVisibleAsset(visibleOrgIds: Iterable<string>, groupId: string, assetId: string, version: string) {
    return this.prisma.exchangeAsset.findFirst({
      where: {
        groupId,
        assetId,
        version,
        status: 'published',
        OR: [{ organizationId: { in: [...visibleOrgIds] } }, { isPublic: true }],
      },
      select: { id: true },
    });
  }

  /** Per group/asset pair: the first Exchange row's id and the asset name (any version, any status). */
  async assetNames(pairs: { groupId: string; assetId: string }[]): Promise<Map<string, { id: number; name: string }>> {
    const out = new Map<string, { id: number; name: string }>();
    if (!pairs.length) return out;
    const rows = await this.prisma.exchangeAsset.findMany({
      where: { OR: pairs.map((p) => ({ groupId: p.groupId, assetId: p.assetId })) },
      select: { id: true, groupId: true, assetId: true, name: true },
      orderBy: { id: 'asc' },
    });
    for (const row of rows) {
      const key = assetKey(row);
      if (!out.has(key)) out.set(key, { id: row.id, name: row.name });
    }
    return out;
  }

  findApi(organizationId: string, environmentId: string, id: number, tx: Tx = this.prisma) {
    return tx.apiInstance.findFirst({ where: { id, organizationId, environmentId }, include: INSTANCE_INCLUDE });
  }

  /** The instance `id` in any environment of `organizationId`. */
  findInOrganization(organizationId: string, id: number, tx: Tx = this.prisma) {
    return tx.apiInstance.findFirst({ where: { id, organizationId } });
  }

  /** The TLS contexts of an environment's secret groups, by group and name. */
  environmentTlsContexts(environmentId: string, tx: Tx = this.prisma) {
    return tx.tlsContext.findMany({
      where: { secretGroup: { environmentId } },
      include: { secretGroup: { select: { id: true, name: true } } },
      orderBy: [{ secretGroup: { name: 'asc' } }, { name: 'asc' }],
    });
  }

  findApis(ids: number[]) {
    return this.prisma.apiInstance.findMany({ where: { id: { in: ids } }, include: INSTANCE_INCLUDE, orderBy: { id: 'asc' } });
  }

  /** The grouping keys of every instance matching `filter` (the api/v1 list pages by asset). */
  findKeys(organizationId: string, environmentId: string, filter: InstanceFilter) {
    return this.prisma.apiInstance.findMany({
      where: instanceWhere(organizationId, environmentId, filter),
      select: { id: true, groupId: true, assetId: true, createdAt: true, updatedAt: true },
      orderBy: { id: 'asc' },
    });
  }

  async findPage(
    organizationId: string,
    environmentId: string,
    filter: InstanceFilter,
    order: InstanceOrder,
    page: { skip: number; take: number },
  ) {
    const where = instanceWhere(organizationId, environmentId, filter);
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.apiInstance.count({ where }),
      this.prisma.apiInstance.findMany({ where, include: INSTANCE_INCLUDE, orderBy: instanceOrder(order), ...page }),
    ]);
    return { total, rows };
  }

  async create(
    tx: Tx,
    data: InstanceColumns & {
      organizationId: string;
      environmentId: string;
      groupId: string;
      assetId: string;
      assetVersion: string;
      productVersion: string;
      technology: string;
    },
  ) {
    try {
      return await tx.apiInstance.create({ data: toData(data) as Prisma.ApiInstanceUncheckedCreateInput });
    } catch (err) {
      throw labelTaken(err, data.instanceLabel);
    }
  }

  async update(tx: Tx, id: number, data: InstanceColumns) {
    try {
      return await tx.apiInstance.update({ where: { id }, data: toData(data) });
    } catch (err) {
      throw labelTaken(err, data.instanceLabel);
    }
  }

  /** Deletes the instance; its routes, upstreams, deployment, policies and contracts go with it. */
  async delete(tx: Tx, id: number): Promise<boolean> {
    const { count } = await tx.apiInstance.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Replaces the instance's routes with `routes`, creating the upstreams given by uri. */
  async replaceRoutes(tx: Tx, apiId: number, routes: RoutePlan[]): Promise<void> {
    await tx.apiRoute.deleteMany({ where: { apiId } });
    for (const [position, route] of routes.entries()) {
      const created = await tx.apiRoute.create({
        data: { apiId, position, label: route.label, rules: route.rules ?? Prisma.DbNull },
      });
      for (const u of route.upstreams) {
        const fields = upstreamData(u);
        const upstreamId = u.id
          ? (await tx.apiUpstream.update({ where: { id: u.id }, data: fields })).id
          : (await tx.apiUpstream.create({ data: { ...fields, apiId, uri: u.uri! } })).id;
        await tx.apiRouteUpstream.create({ data: { routeId: created.id, upstreamId, weight: u.weight } });
      }
    }
  }

  // ------------------------------------------------------------------ upstreams

  findUpstreams(apiId: number, tx: Tx = this.prisma) {
    return tx.apiUpstream.findMany({
      where: { apiId },
      include: UPSTREAM_INCLUDE,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  findUpstream(apiId: number, id: string, tx: Tx = this.prisma) {
    return tx.apiUpstream.findFirst({ where: { id, apiId }, include: UPSTREAM_INCLUDE });
  }

  createUpstream(tx: Tx, apiId: number, data: UpstreamColumns & { uri: string }) {
    return tx.apiUpstream.create({ data: { ...upstreamData(data), apiId, uri: data.uri }, include: UPSTREAM_INCLUDE });
  }

  updateUpstream(tx: Tx, id: string, data: UpstreamColumns) {
    return tx.apiUpstream.update({ where: { id }, data: upstreamData(data), include: UPSTREAM_INCLUDE });
  }

  /** Deletes the upstream unless a route uses it; answers the positions of the routes that do. */
  async deleteUnusedUpstream(tx: Tx, id: string): Promise<number[]> {
    const uses = await tx.apiRouteUpstream.findMany({
      where: { upstreamId: id },
      select: { route: { select: { position: true } } },
    });
    if (!uses.length) await tx.apiUpstream.delete({ where: { id } });
    return uses.map((u) => u.route.position);
  }
}

export type ApiInstanceRecord = NonNullable<Awaited<ReturnType<ApiInstancesRepository['findApi']>>>;
export type UpstreamRecord = NonNullable<Awaited<ReturnType<ApiInstancesRepository['findUpstream']>>>;

export function assetKey(a: { groupId: string; assetId: string }): string {
  return `${a.groupId}\n${a.assetId}`;
}

/** An upstream's columns; the JSON column takes Prisma.DbNull for SQL NULL. */
function upstreamData(u: UpstreamColumns) {
  return {
    uri: u.uri,
    label: u.label,
    tlsContext: u.tlsContext === null ? Prisma.DbNull : u.tlsContext,
    tlsContextId: u.tlsContextId,
  };
}

/** JSON columns take Prisma.DbNull for SQL NULL. */
function toData(data: InstanceColumns) {
  const { tlsContexts, proxyTemplate, ...rest } = data;
  return {
    ...rest,
    ...(tlsContexts !== undefined ? { tlsContexts: tlsContexts ?? Prisma.DbNull } : {}),
    ...(proxyTemplate !== undefined ? { proxyTemplate: proxyTemplate ?? Prisma.DbNull } : {}),
  };
}

function labelTaken(err: unknown, label: string | null | undefined): unknown {
  return isUniqueViolation(err)
    ? new DomainError('API_ALREADY_EXISTS', `An API instance with instanceLabel ${label} already exists in this environment`)
    : err;
}

function instanceWhere(organizationId: string, environmentId: string, f: InstanceFilter): Prisma.ApiInstanceWhereInput {
  const and: Prisma.ApiInstanceWhereInput[] = [{ organizationId, environmentId }];
  if (f.endpointTypes) {
    and.push(
      'in' in f.endpointTypes
        ? { endpointType: { in: f.endpointTypes.in } }
        : { OR: [{ endpointType: null }, { endpointType: { notIn: f.endpointTypes.notIn } }] },
    );
  }
  if (f.query) {
    const contains = { contains: f.query, mode: 'insensitive' as const };
    and.push({ OR: [{ assetId: contains }, { instanceLabel: contains }, { description: contains }] });
  }
  for (const key of ['groupId', 'assetId', 'assetVersion', 'instanceLabel', 'productVersion'] as const) {
    if (f[key] !== undefined) and.push({ [key]: f[key] });
  }
  if (f.autodiscoveryInstance) and.push(f.autodiscoveryInstance);
  if (f.autodiscoveryApi) and.push(f.autodiscoveryApi);
  if (f.onlyActive) and.push({ status: 'active' });
  if (f.onlyPinned) and.push({ pinned: true });
  return { AND: and };
}

function instanceOrder(order: InstanceOrder): Prisma.ApiInstanceOrderByWithRelationInput[] {
  const dir = order.ascending ? ('asc' as const) : ('desc' as const);
  const by: Prisma.ApiInstanceOrderByWithRelationInput[] = order.pinnedFirst ? [{ pinned: 'desc' }] : [];
  switch (order.field) {
    case 'name':
      by.push({ assetId: dir }, { instanceLabel: { sort: dir, nulls: 'first' } });
      break;
    case 'createdDate':
      by.push({ createdAt: dir });
      break;
    case 'updatedDate':
      by.push({ updatedAt: dir });
      break;
    case 'id':
      break;
  }
  by.push({ id: dir });
  return by;
}
