/**
 * API Manager instances (contract §4): create, read, list, update and delete, with the instance's
 * routing (routes → weighted upstreams) and, through DeploymentsService, its deployment.
 *
 * Contract:
 * - The instance's `spec` must name a published Exchange asset the caller can see (owned by a
 *   visible organization, or public); otherwise 400 API_ASSET_NOT_FOUND naming the GAV.
 * - A Flex instance created with `endpoint.uri` and no `routing[]` gets a default route to an
 *   upstream with that URI (contract §4.1, S5). Changing `endpoint.uri` later moves that default
 *   upstream when the instance still has a single route with a single upstream.
 * - Create/update run in one transaction with the inline `deployment{}`, so a rejected deployment
 *   (or any other error) writes nothing. An inline deployment also needs `manage:api_proxies`.
 * - An upstream's `tlsContext {secretGroupId, tlsContextId}` must name a TLS context of the
 *   instance's own environment (Secrets Manager), else 400 naming the field; it is stored with the
 *   context it resolved to, which gateways then use toward that upstream. Writing a reference
 *   also needs Read Secret Groups there: it lets the instance use the context's client
 *   certificate. A reference on an `http:` upstream is accepted and has no effect (the gateway
 *   only uses TLS for `https:`), so switching an upstream between the two keeps its context.
 * - An `https:` proxyUri needs `endpoint.tlsContexts.inbound`: a TLS context of the same
 *   environment with a certificate and private key, which the gateway's listener serves (its
 *   trusted certificates, when set, are the CAs client certificates must chain to: mutual TLS);
 *   an `http:` proxyUri takes none. Resolved and locked like an upstream's reference.
 * - Audit: one record per instance change, the instance as GET shows it (its routing and
 *   upstream ids included; upstreams changed through the instance body are part of it). An inline
 *   deployment is recorded on its own (DeploymentsService.deploy), after the instance. A delete
 *   takes the instance's routes, upstreams, deployment, policies and contracts with it; its record
 *   is the only one.
 */
import { Injectable } from '@nestjs/common';
import { AccessService, isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { parseIntegerId } from '../common/integer-id.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import { parseProxyUri } from '../deployments/proxy-listener.js';
import { TlsContextsService } from '../secrets-manager/tls-contexts.service.js';
import { assetGroupView, flatInstanceView, instanceView } from './api-instance.view.js';
import type {
  CreateApiBody,
  EndpointInput,
  ListByAssetQuery,
  ListInstancesQuery,
  RouteInput,
  RouteRules,
  TlsContextRef,
  UpdateApiBody,
  UpdateApiQuery,
  UpdateUpstreamBody,
} from './api-instances.dto.js';
import {
  type ApiInstanceRecord,
  ApiInstancesRepository,
  assetKey,
  type InstanceColumns,
  type InstanceFilter,
  type RoutePlan,
  type UpstreamColumns,
} from './api-instances.repository.js';
import { endpointTypeFilter, familyFilter } from './instance-family.js';
import {
  assertMcpUpstream,
  bodyValidationError,
  instanceRuleIssues,
  productVersionOf,
  type RuleIssue,
} from './instance-rules.js';

@Injectable()
export class ApiInstancesService {
  constructor(
    private readonly repo: ApiInstancesRepository,
    private readonly deployments: DeploymentsService,
    private readonly access: AccessService,
    private readonly tlsContexts: TlsContextsService,
    private readonly audit: AuditTrailService,
  ) {}

  async create(principal: Principal, organizationId: string, environmentId: string, body: CreateApiBody) {
    if (body.deployment) await this.assertMayDeploy(principal, organizationId, environmentId);
    const { groupId, assetId, version } = body.spec;
    await this.assertAssetVisible(principal, groupId, assetId, version);
    const master = await this.repo.rootOrganizationId(organizationId);
    return this.repo.transaction(async (tx) => {
      const api = await this.repo.create(tx, {
        organizationId,
        environmentId,
        groupId,
        assetId,
        assetVersion: version,
        productVersion: productVersionOf(version),
        technology: body.technology,
        ...metadataColumns(body),
        ...endpointColumns(body.endpoint ?? {}),
        ...(await this.inboundTls(tx, principal, { organizationId, environmentId }, body.endpoint, null)),
      });
      await this.repo.replaceRoutes(tx, api.id, await this.withTlsContexts(tx, principal, api, initialRoutes(body)));
      const created = await this.view(tx, api, master);
      await this.record(tx, 'create', created, { after: created });
      if (!body.deployment) return created;
      await this.deployments.deploy(tx, api, body.deployment);
      return this.view(tx, api, master);
    });
  }

  async get(organizationId: string, environmentId: string, rawId: string) {
    const api = await this.find(organizationId, environmentId, rawId);
    return instanceView(api, await this.repo.rootOrganizationId(organizationId));
  }

  /**
   * The TLS contexts of the instance's environment (every one is a Flex context, which Portico
   * gateways use), each with where the instance uses it.
   */
  async usableTlsContexts(organizationId: string, environmentId: string, rawId: string) {
    const api = await this.find(organizationId, environmentId, rawId);
    const upstreams = await this.repo.findUpstreams(api.id);
    return (await this.repo.environmentTlsContexts(environmentId)).map((context) => ({
      secretGroupId: context.secretGroup.id,
      secretGroupName: context.secretGroup.name,
      tlsContextId: context.id,
      name: context.name,
      target: context.target,
      usage: {
        inbound: api.inboundTlsId === context.id,
        upstreamIds: upstreams.filter((u) => u.tlsContextId === context.id).map((u) => u.id),
      },
    }));
  }

  /** PATCH (xapi, api/v1) and PUT (api/v1): `body` is merged over the instance (contract §4.4). */
  async update(
    principal: Principal,
    organizationId: string,
    environmentId: string,
    rawId: string,
    body: UpdateApiBody,
    query: UpdateApiQuery,
  ) {
    if (body.deployment) await this.assertMayDeploy(principal, organizationId, environmentId);
    const master = await this.repo.rootOrganizationId(organizationId);
    return this.repo.transaction(async (tx) => {
      const current = await this.find(organizationId, environmentId, rawId, tx);
      const before = instanceView(current, master);
      const asset = {
        groupId: body.spec?.groupId ?? current.groupId,
        assetId: body.spec?.assetId ?? current.assetId,
        version: body.assetVersion ?? body.spec?.version ?? current.assetVersion,
      };
      if (asset.groupId !== current.groupId || asset.assetId !== current.assetId || asset.version !== current.assetVersion) {
        await this.assertAssetVisible(principal, asset.groupId, asset.assetId, asset.version);
      }
      const productVersion = productVersionOf(asset.version);
      if (productVersion !== current.productVersion && !query.force) {
        throw new DomainError(
          'API_FORCE_REQUIRED',
          `Asset version ${asset.version} changes autodiscoveryInstanceName from ${current.productVersion}:${current.id} to ${productVersion}:${current.id}; send force=true to allow it`,
        );
      }
      const technology = body.technology ?? current.technology;
      const routes = body.routing
        ? await this.withTlsContexts(tx, principal, current, await this.resolveRoutes(tx, current, body.routing))
        : defaultRouteChange(current, technology, body.endpoint?.uri);
      const issues = instanceRuleIssues({
        technology,
        endpoint: {
          type: keep(body.endpoint?.type, current.endpointType),
          uri: keep(body.endpoint?.uri, current.upstreamUri),
          isCloudHub: keep(body.endpoint?.isCloudHub, current.isCloudHub),
        },
        routing: routes ?? current.routes.map((r) => ({ upstreams: r.upstreams.map((u) => ({ uri: u.upstream.uri })) })),
      });
      if (issues.length) throw bodyValidationError(issues);

      const updated = await this.repo.update(tx, current.id, {
        groupId: asset.groupId,
        assetId: asset.assetId,
        assetVersion: asset.version,
        productVersion,
        technology,
        ...metadataColumns(body),
        ...endpointColumns(body.endpoint ?? {}),
        ...(await this.inboundTls(tx, principal, current, body.endpoint, current)),
      });
      if (routes) await this.repo.replaceRoutes(tx, current.id, routes);
      for (const [i, change] of (body.upstreams ?? []).entries()) {
        await this.updateUpstream(tx, principal, current, change.id, change, ['upstreams', i]);
      }
      const after = await this.view(tx, current, master);
      await this.record(tx, 'update', after, { before, after });
      if (body.deployment) {
        await this.deployments.deploy(tx, updated, body.deployment);
        return this.view(tx, current, master);
      }
      if (updated.proxyPort !== current.proxyPort || updated.proxyBasePath !== current.proxyBasePath) {
        await this.deployments.recheckListener(tx, updated);
      }
      return after;
    });
  }

  /** Deletes the instance with its routing, deployment (the gateway stops serving it) and policies. */
  async delete(organizationId: string, environmentId: string, rawId: string): Promise<void> {
    const master = await this.repo.rootOrganizationId(organizationId);
    await this.repo.transaction(async (tx) => {
      const before = instanceView(await this.find(organizationId, environmentId, rawId, tx), master);
      if (!(await this.repo.delete(tx, before.id))) throw apiNotFound(rawId);
      await this.record(tx, 'delete', before, { before });
    });
  }

  /** api/v1 list, grouped by asset; offset/limit/sort apply to assets (contract §4.2.a). */
  async listByAsset(organizationId: string, environmentId: string, query: ListByAssetQuery) {
    const filter: InstanceFilter = {
      ...commonFilter(query),
      endpointTypes: query.family && familyFilter(query.family),
      onlyActive: query.filters?.includes('active'),
      onlyPinned: query.filters?.includes('pinned'),
    };
    const groups = new Map<string, { groupId: string; assetId: string; ids: number[]; createdAt: Date; updatedAt: Date }>();
    for (const row of await this.repo.findKeys(organizationId, environmentId, filter)) {
      const group = groups.get(assetKey(row));
      if (!group) {
        groups.set(assetKey(row), {
          groupId: row.groupId,
          assetId: row.assetId,
          ids: [row.id],
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
        });
        continue;
      }
      group.ids.push(row.id);
      if (row.createdAt < group.createdAt) group.createdAt = row.createdAt;
      if (row.updatedAt > group.updatedAt) group.updatedAt = row.updatedAt;
    }
    const exchange = await this.repo.assetNames([...groups.values()]);
    const sortKey = (g: { groupId: string; assetId: string; createdAt: Date; updatedAt: Date }): number | string => {
      switch (query.sort) {
        case 'id':
          return exchange.get(assetKey(g))?.id ?? Number.MAX_SAFE_INTEGER;
        case 'createdDate':
          return g.createdAt.getTime();
        case 'updatedDate':
          return g.updatedAt.getTime();
        case 'name':
          return `${g.groupId}:${g.assetId}`;
      }
    };
    const direction = query.ascending ? 1 : -1;
    const page = [...groups.values()]
      .sort((a, b) => direction * compare(sortKey(a), sortKey(b)) || compare(assetKey(a), assetKey(b)))
      .slice(query.offset, query.offset + query.limit);

    const apis = await this.repo.findApis(page.flatMap((g) => g.ids));
    const master = await this.repo.rootOrganizationId(organizationId);
    return {
      total: groups.size,
      assets: page.map((g) =>
        assetGroupView(
          { ...g, exchange: exchange.get(assetKey(g)) ?? null, apis: apis.filter((a) => assetKey(a) === assetKey(g)) },
          organizationId,
          master,
        ),
      ),
    };
  }

  /** xapi list, one entry per instance (contract §4.2.b). */
  async listInstances(organizationId: string, environmentId: string, query: ListInstancesQuery) {
    const filter: InstanceFilter = {
      ...commonFilter(query),
      endpointTypes: query.endpointType && endpointTypeFilter(query.endpointType),
    };
    const order = { field: query.sort, ascending: query.ascending, pinnedFirst: query.pinnedFirst };
    const { total, rows } = await this.repo.findPage(organizationId, environmentId, filter, order, {
      skip: query.offset,
      take: query.limit,
    });
    const exchange = await this.repo.assetNames(rows);
    const master = await this.repo.rootOrganizationId(organizationId);
    return { total, instances: rows.map((api) => flatInstanceView(api, master, exchange.get(assetKey(api))?.name)) };
  }

  /** The instance `rawId` of the environment, or 404 naming the id. */
  async find(organizationId: string, environmentId: string, rawId: string, tx?: Tx): Promise<ApiInstanceRecord> {
    const id = parseIntegerId(rawId);
    const api = id === undefined ? null : await this.repo.findApi(organizationId, environmentId, id, tx);
    if (!api) throw apiNotFound(rawId);
    return api;
  }

  /**
   * Changes upstream `rawId` of `api` (uri, label, tlsContext; what is not sent stays): the
   * upstream PATCH route and the `upstreams[]` of an instance PATCH. `path` locates the change in
   * the request body, for error messages. An MCP server's upstream URI must end with "/".
   */
  async updateUpstream(
    tx: Tx,
    principal: Principal,
    api: ApiInstanceRecord,
    rawId: string,
    change: UpdateUpstreamBody,
    path: (string | number)[],
  ) {
    const upstream = await this.findUpstream(api, rawId, tx);
    assertMcpUpstream(api.endpointType, change.uri, path);
    const columns = { uri: change.uri, label: change.label, tlsContext: change.tlsContext };
    return this.repo.updateUpstream(
      tx,
      upstream.id,
      await this.withTlsContext(tx, principal, api, columns, [...path, 'tlsContext']),
    );
  }

  /** Upstream `rawId` of `api`, or 404 UPSTREAM_NOT_FOUND. */
  async findUpstream(api: ApiInstanceRecord, rawId: string, tx?: Tx) {
    const upstream = isUuid(rawId) ? await this.repo.findUpstream(api.id, rawId, tx) : null;
    if (!upstream) throw new DomainError('UPSTREAM_NOT_FOUND', `Upstream ${rawId} not found for API ${api.id}`);
    return upstream;
  }

  /**
   * `upstream` with `tlsContextId` set from its `tlsContext` reference (see the header); `path`
   * locates the reference in the body. Every upstream write of this feature resolves references
   * this way (routes through withTlsContexts), in the transaction that writes them.
   */
  async withTlsContext<U extends UpstreamColumns>(
    tx: Tx,
    principal: Principal,
    api: { organizationId: string; environmentId: string },
    upstream: U,
    path: (string | number)[],
  ): Promise<U> {
    const [resolved] = await this.resolveTlsContexts(tx, principal, api, [{ upstream, path }]);
    return resolved!;
  }

  private async withTlsContexts(
    tx: Tx,
    principal: Principal,
    api: { organizationId: string; environmentId: string },
    routes: RoutePlan[],
  ): Promise<RoutePlan[]> {
    const located = routes.flatMap((route, i) =>
      route.upstreams.map((upstream, j) => ({ upstream, path: ['routing', i, 'upstreams', j, 'tlsContext'] })),
    );
    const resolved = await this.resolveTlsContexts(tx, principal, api, located);
    let next = 0;
    return routes.map((route) => ({ ...route, upstreams: route.upstreams.map(() => resolved[next++]!) }));
  }

  /**
   * `inboundTlsId` for the listener `endpoint` leaves (merged over `current`): the TLS context of
   * `endpoint.tlsContexts.inbound` for an https proxyUri (see the header). Nothing when the
   * request touches neither proxyUri nor tlsContexts.
   */
  private async inboundTls(
    tx: Tx,
    principal: Principal,
    api: { organizationId: string; environmentId: string },
    endpoint: EndpointInput | undefined,
    current: { proxyUri: string | null; tlsContexts: unknown } | null,
  ): Promise<{ inboundTlsId?: string | null }> {
    if (current && endpoint?.proxyUri === undefined && endpoint?.tlsContexts === undefined) return {};
    const proxyUri = endpoint?.proxyUri !== undefined ? endpoint.proxyUri : (current?.proxyUri ?? null);
    const tlsContexts = endpoint?.tlsContexts !== undefined ? endpoint.tlsContexts : current?.tlsContexts;
    const ref = (tlsContexts as { inbound?: TlsContextRef | null } | null | undefined)?.inbound ?? null;
    const https = proxyUri?.startsWith('https:') ?? false;
    const path = ['endpoint', 'tlsContexts', 'inbound'];
    if (!ref) {
      if (https) {
        throw bodyValidationError([
          { path, message: 'is required for an https proxyUri: a TLS context with the listener certificate and private key' },
        ]);
      }
      return { inboundTlsId: null };
    }
    if (!https) throw bodyValidationError([{ path, message: 'needs an https proxyUri' }]);
    await this.access.assertScope(principal, {
      scope: 'read:secret_groups',
      organizationId: api.organizationId,
      environmentId: api.environmentId,
    });
    const found = await this.tlsContexts.resolveReference(tx, api.environmentId, ref);
    if ('problem' in found) throw bodyValidationError([{ path, message: found.problem }]);
    if (!found.hasCertificate) {
      throw bodyValidationError([
        { path, message: `TLS context ${ref.tlsContextId} has no certificate and private key, which a listener needs` },
      ]);
    }
    return { inboundTlsId: found.id };
  }

  private async resolveTlsContexts<U extends UpstreamColumns>(
    tx: Tx,
    principal: Principal,
    api: { organizationId: string; environmentId: string },
    located: { upstream: U; path: (string | number)[] }[],
  ): Promise<U[]> {
    const references = located.filter((l): l is { upstream: U & { tlsContext: TlsContextRef }; path: (string | number)[] } =>
      Boolean(l.upstream.tlsContext),
    );
    if (references.length) {
      await this.access.assertScope(principal, {
        scope: 'read:secret_groups',
        organizationId: api.organizationId,
        environmentId: api.environmentId,
      });
    }
    const issues: RuleIssue[] = [];
    const ids = new Map<U, string>();
    for (const { upstream, path } of references) {
      const found = await this.tlsContexts.resolveReference(tx, api.environmentId, upstream.tlsContext);
      if ('id' in found) ids.set(upstream, found.id);
      else issues.push({ path, message: found.problem });
    }
    if (issues.length) throw bodyValidationError(issues);
    return located.map(({ upstream }) => {
      if (upstream.tlsContext === undefined) return upstream;
      return { ...upstream, tlsContextId: upstream.tlsContext === null ? null : ids.get(upstream)! };
    });
  }

  /** The instance as GET shows it, read in `tx`. */
  private async view(tx: Tx, api: { organizationId: string; environmentId: string; id: number }, master: string) {
    return instanceView(await this.find(api.organizationId, api.environmentId, String(api.id), tx), master);
  }

  private record(
    tx: Tx,
    action: AuditAction,
    api: InstanceView,
    change: { before?: InstanceView; after?: InstanceView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: api.organizationId,
      environmentId: api.environmentId,
      action,
      resource: { type: 'api-instance', id: api.id, name: api.instanceLabel ?? api.assetId },
      ...change,
    });
  }

  private async assertAssetVisible(principal: Principal, groupId: string, assetId: string, version: string): Promise<void> {
    if (!(await this.repo.findVisibleAsset(principal.visibleOrgIds, groupId, assetId, version))) {
      throw new DomainError('API_ASSET_NOT_FOUND', `Asset not found: groupId ${groupId}, assetId ${assetId}, version ${version}`);
    }
  }

  private assertMayDeploy(principal: Principal, organizationId: string, environmentId: string): Promise<void> {
    return this.access.assertScope(principal, { scope: 'manage:api_proxies', organizationId, environmentId });
  }

  /** `routing[]` of an update: upstream ids must be the instance's own, once per route; their URIs fill in. */
  private async resolveRoutes(tx: Tx, api: ApiInstanceRecord, routing: RouteInput[]): Promise<RoutePlan[]> {
    const upstreams = new Map((await this.repo.findUpstreams(api.id, tx)).map((u) => [u.id, u]));
    const issues: RuleIssue[] = [];
    const routes = routing.map((route, i) => {
      const seen = new Set<string>();
      const plan = toRoutePlan(route);
      plan.upstreams = plan.upstreams.map((u, j) => {
        if (u.id === undefined) return u;
        const existing = upstreams.get(u.id);
        if (!existing)
          issues.push({ path: ['routing', i, 'upstreams', j, 'id'], message: `is not an upstream of API ${api.id}` });
        if (seen.has(u.id)) issues.push({ path: ['routing', i, 'upstreams', j, 'id'], message: 'is listed twice in this route' });
        seen.add(u.id);
        return { ...u, uri: u.uri ?? existing?.uri };
      });
      return plan;
    });
    if (issues.length) throw bodyValidationError(issues);
    return routes;
  }
}

type InstanceView = ReturnType<typeof instanceView>;

function apiNotFound(rawId: string): DomainError {
  return new DomainError('API_NOT_FOUND', `API ${rawId} not found`);
}

function keep<T>(value: T | undefined, current: T): T {
  return value === undefined ? current : value;
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function commonFilter(query: ListByAssetQuery | ListInstancesQuery): InstanceFilter {
  return {
    query: query.query,
    groupId: query.groupId,
    assetId: query.assetId,
    assetVersion: query.assetVersion,
    instanceLabel: query.instanceLabel,
    productVersion: query.productVersion,
    autodiscoveryInstance: query.autodiscoveryInstanceName,
    autodiscoveryApi: query.autodiscoveryApiName,
  };
}

function metadataColumns(body: CreateApiBody | UpdateApiBody): InstanceColumns {
  return {
    instanceLabel: body.instanceLabel,
    description: body.description,
    tags: body.tags,
    approvalMethod: body.approvalMethod,
    providerId: body.providerId,
    endpointUri: body.endpointUri,
    ...('deprecated' in body && { deprecated: body.deprecated }),
  };
}

/** `endpoint{}` fields as columns; a field not sent stays as it is, `proxyUri` also sets port and base path. */
function endpointColumns(endpoint: EndpointInput): InstanceColumns {
  const listener = endpoint.proxyUri ? parseProxyUri(endpoint.proxyUri) : undefined;
  return {
    endpointType: endpoint.type,
    deploymentType: endpoint.deploymentType,
    upstreamUri: endpoint.uri,
    proxyUri: endpoint.proxyUri,
    ...(endpoint.proxyUri !== undefined ? { proxyPort: listener?.port ?? null, proxyBasePath: listener?.basePath ?? null } : {}),
    isCloudHub: endpoint.isCloudHub,
    muleVersion4OrAbove: endpoint.muleVersion4OrAbove,
    referencesUserDomain: endpoint.referencesUserDomain,
    responseTimeout: endpoint.responseTimeout,
    tlsContexts: endpoint.tlsContexts,
    proxyTemplate: endpoint.proxyTemplate,
    validation: endpoint.validation,
    proxyRegistrationUri: endpoint.proxyRegistrationUri,
  };
}

function toRoutePlan(route: RouteInput): RoutePlan {
  return { label: route.label ?? null, rules: route.rules ?? null, upstreams: route.upstreams.map((u) => ({ ...u })) };
}

function defaultRoute(uri: string): RoutePlan {
  return { label: null, rules: null, upstreams: [{ uri, weight: 100 }] };
}

function initialRoutes(body: CreateApiBody): RoutePlan[] {
  if (body.routing?.length) return body.routing.map(toRoutePlan);
  return body.technology === 'flexGateway' && body.endpoint?.uri ? [defaultRoute(body.endpoint.uri)] : [];
}

/** A new `endpoint.uri` on a Flex instance without `routing[]` in the same update (see the header). */
function defaultRouteChange(api: ApiInstanceRecord, technology: string, uri: string | null | undefined): RoutePlan[] | undefined {
  if (technology !== 'flexGateway' || !uri || uri === api.upstreamUri) return undefined;
  if (!api.routes.length) return [defaultRoute(uri)];
  const [route] = api.routes;
  const [link] = route?.upstreams ?? [];
  if (api.routes.length !== 1 || route?.upstreams.length !== 1 || !link) return undefined;
  return [
    {
      label: route.label,
      rules: route.rules as RouteRules | null,
      upstreams: [{ id: link.upstreamId, uri, weight: link.weight }],
    },
  ];
}
