import type { PolicyTemplateDefinition } from '#portico/policy-catalog';
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { rootOrganizationId } from '../common/root-organization.js';
import { assetFileRow } from '../exchange/asset-form.js';
import { Prisma } from '../generated/prisma/client.js';
import { POLICY_CHAIN_SOURCE } from '../config-sync/config-sync.repository.js';
import { policyDefinitionYaml } from './policy-template.view.js';

/** Lock ids (pg advisory locks): bootstrap uses 7701001. */
const CATALOG_SEED_LOCK = 7701002;
/** Two-key form (namespace, API instance id): serializes policy writes per API. */
const API_POLICIES_LOCK = 7701003;

const PUBLISHED_POLICY = { type: 'policy', status: 'published', deletedAt: null } as const;

type Db = PrismaService | Tx;

/** What a write sets on an applied policy; the repository owns the JSON column conventions. */
export interface PolicyFields {
  templateId: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  configurationData: Record<string, unknown>;
  pointcutData: unknown[] | null;
  order: number;
  disabled: boolean;
  mode: PolicyMode;
  label: string | null;
  upstreamIds: string[];
}

/** `enforce`, or `shadow`: would-be denials are logged and counted, the request passes. */
export type PolicyMode = 'enforce' | 'shadow';

const jsonObject = (value: Record<string, unknown>) => value as Prisma.InputJsonObject;
const jsonArrayOrNull = (value: unknown[] | null) => (value === null ? Prisma.DbNull : (value as Prisma.InputJsonArray));

function toUpdate({ configurationData, pointcutData, ...rest }: Partial<PolicyFields>) {
  return {
    ...rest,
    ...(configurationData === undefined ? {} : { configurationData: jsonObject(configurationData) }),
    ...(pointcutData === undefined ? {} : { pointcutData: jsonArrayOrNull(pointcutData) }),
  };
}

/** Policy templates (Exchange assets of type `policy`), applied policies, and the API instances they hang on. */
@Injectable()
export class PoliciesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Upserts the built-in templates as public Exchange assets owned by their group, each with its
   * PolicyTemplate row. Idempotent; rows are written only when something differs, so audit dates
   * stay meaningful. Runs under an advisory lock so concurrent starts seed once.
   */
  seedTemplates(templates: readonly PolicyTemplateDefinition[]): Promise<void> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CATALOG_SEED_LOCK})`;
        const groupIds = [...new Set(templates.map((t) => t.groupId))];
        const existing = await tx.exchangeAsset.findMany({
          where: { groupId: { in: groupIds } },
          include: { policyTemplate: true },
        });
        for (const t of templates) {
          const asset = {
            organizationId: t.groupId,
            name: t.name,
            description: t.description,
            type: 'policy',
            status: 'published',
            isPublic: true,
            deletedAt: null,
          };
          const template = { key: t.assetId, category: t.category };
          const row = existing.find((a) => a.assetId === t.assetId && a.version === t.version && a.groupId === t.groupId);
          const definition = definitionFile(t);
          if (!row) {
            await tx.exchangeAsset.create({
              data: {
                ...asset,
                groupId: t.groupId,
                assetId: t.assetId,
                version: t.version,
                tags: [],
                policyTemplate: { create: template },
                files: { create: definition },
              },
            });
            continue;
          }
          await tx.exchangeAssetFile.upsert({
            where: {
              assetPk_classifier_packaging: {
                assetPk: row.id,
                classifier: definition.classifier,
                packaging: definition.packaging,
              },
            },
            create: { ...definition, assetPk: row.id },
            update: definition,
          });
          if (Object.entries(asset).some(([k, v]) => row[k as keyof typeof asset] !== v)) {
            await tx.exchangeAsset.update({ where: { id: row.id }, data: asset });
          }
          if (!row.policyTemplate) await tx.policyTemplate.create({ data: { ...template, assetPk: row.id } });
          else if (row.policyTemplate.key !== template.key || row.policyTemplate.category !== template.category) {
            await tx.policyTemplate.update({ where: { id: row.policyTemplate.id }, data: template });
          }
        }
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
  }

  /** Templates whose Exchange asset is published. */
  listTemplates() {
    return this.prisma.policyTemplate.findMany({
      where: { asset: PUBLISHED_POLICY },
      include: { asset: true },
      orderBy: { id: 'asc' },
    });
  }

  findTemplateByCoordinates(groupId: string, assetId: string, version: string) {
    return this.prisma.policyTemplate.findFirst({
      where: { asset: { ...PUBLISHED_POLICY, groupId, assetId, version } },
      include: { asset: true },
    });
  }

  findApi(where: { id: number; organizationId: string; environmentId?: string }, db: Db = this.prisma) {
    return db.apiInstance.findFirst({ where, select: { id: true, technology: true, endpointType: true } });
  }

  /** The API's enabled policy chain as gateways get it built (config-sync POLICY_CHAIN_SOURCE). */
  findPolicyChain(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({
      where,
      select: {
        id: true,
        instanceLabel: true,
        assetId: true,
        endpointType: true,
        endpointUri: true,
        proxyUri: true,
        ...POLICY_CHAIN_SOURCE,
      },
    });
  }

  /** The target the API is deployed to (expected `deployed`), if any. */
  async deployedTargetId(tx: Tx, apiId: number): Promise<string | undefined> {
    const deployment = await tx.deployment.findFirst({
      where: { apiId, expectedStatus: 'deployed' },
      select: { targetId: true },
    });
    return deployment?.targetId;
  }

  /** The root of the organization's tree: Anypoint's `masterOrganizationId`. */
  async rootOrganizationId(organizationId: string): Promise<string> {
    return rootOrganizationId(this.prisma, organizationId);
  }

  async existingUpstreamIds(apiId: number, ids: string[], db: Db): Promise<Set<string>> {
    const rows = await db.apiUpstream.findMany({ where: { apiId, id: { in: ids } }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }

  /** The labels of the API's upstreams (their ids when unlabelled): the member names of a federated API. */
  async upstreamNames(apiId: number, db: Db): Promise<string[]> {
    const rows = await db.apiUpstream.findMany({
      where: { apiId },
      select: { id: true, label: true },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => r.label || r.id);
  }

  /** Runs `fn` in one transaction holding the API's policy lock: reads see a stable order. */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${API_POLICIES_LOCK}::int, ${apiId}::int)`;
      return fn(tx);
    });
  }

  /** The API's policies in order. */
  listPolicies(apiId: number, db: Db = this.prisma) {
    return db.appliedPolicy.findMany({ where: { apiId }, orderBy: [{ order: 'asc' }, { id: 'asc' }] });
  }

  findPolicy(apiId: number, id: number, db: Db = this.prisma) {
    return db.appliedPolicy.findFirst({ where: { id, apiId } });
  }

  findPolicyOfTemplate(tx: Tx, apiId: number, groupId: string, assetId: string) {
    return tx.appliedPolicy.findFirst({ where: { apiId, groupId, assetId }, select: { id: true } });
  }

  createPolicy(tx: Tx, api: { apiId: number; organizationId: string; environmentId: string }, fields: PolicyFields) {
    const { configurationData, pointcutData, ...rest } = fields;
    return tx.appliedPolicy.create({
      data: { ...api, ...rest, configurationData: jsonObject(configurationData), pointcutData: jsonArrayOrNull(pointcutData) },
    });
  }

  updatePolicy(tx: Tx, id: number, fields: Partial<PolicyFields>) {
    return tx.appliedPolicy.update({ where: { id }, data: toUpdate(fields) });
  }

  async deletePolicy(tx: Tx, id: number): Promise<void> {
    await tx.appliedPolicy.delete({ where: { id } });
  }

  async setOrders(tx: Tx, changes: { id: number; order: number }[]): Promise<void> {
    for (const { id, order } of changes) await tx.appliedPolicy.update({ where: { id }, data: { order } });
  }
}

/** The template's `policy-definition` file (policy-template.view.ts policyDefinitionYaml). */
function definitionFile(t: PolicyTemplateDefinition) {
  const file = assetFileRow('policy-definition', 'yaml', Buffer.from(policyDefinitionYaml(t)));
  return { ...file, content: new Uint8Array(file.content) };
}

export type TemplateRow = NonNullable<Awaited<ReturnType<PoliciesRepository['findTemplateByCoordinates']>>>;
export type PolicyRow = NonNullable<Awaited<ReturnType<PoliciesRepository['findPolicy']>>>;
export type ApiTarget = NonNullable<Awaited<ReturnType<PoliciesRepository['findApi']>>>;
