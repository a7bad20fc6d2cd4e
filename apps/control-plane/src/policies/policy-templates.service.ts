/**
 * The policy catalog: built-in templates (libs/policy-catalog) seeded as Exchange assets, listed
 * in Anypoint's Exchange and generic shapes, and resolved by coordinates when a policy is
 * applied. Only templates with a built-in definition are offered: Portico's gateways implement
 * nothing else.
 */
import {
  compareVersions,
  findPolicyTemplate,
  implementationGap,
  POLICY_TEMPLATES,
  type PolicyTemplateDefinition,
  policyTemplateVersions,
} from '#portico/policy-catalog';
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import { DomainError } from '../common/domain-error.js';
import { IntIdPipe } from '../common/integer-id.js';
import type { ExchangeTemplateQuery, ExchangeTemplatesQuery, GenericTemplatesQuery } from './policies.dto.js';
import { PoliciesRepository, type TemplateRow } from './policies.repository.js';
import { type CatalogEntry, exchangeTemplateView, genericTemplateView } from './policy-template.view.js';

const NO_GENERIC_TEMPLATE = 'There is no policy template defined under the specified id.';
const API_INSTANCE_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');

function toEntry(row: TemplateRow): CatalogEntry | undefined {
  const definition = findPolicyTemplate(row.asset.groupId, row.asset.assetId, row.asset.version);
  return definition && { id: row.id, definition, createdAt: row.asset.createdAt, updatedAt: row.asset.updatedAt };
}

const sameAsset = (a: PolicyTemplateDefinition, b: PolicyTemplateDefinition) =>
  a.groupId === b.groupId && a.assetId === b.assetId;

/** Only the newest version of each template. */
function latestVersions(entries: CatalogEntry[]): CatalogEntry[] {
  return entries.filter(
    (e) =>
      !entries.some(
        (o) => sameAsset(o.definition, e.definition) && compareVersions(o.definition.version, e.definition.version) > 0,
      ),
  );
}

@Injectable()
export class PolicyTemplatesService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly access: AccessService,
  ) {}

  seed(): Promise<void> {
    return this.repo.seedTemplates(POLICY_TEMPLATES);
  }

  async listExchange(orgId: string, query: ExchangeTemplatesQuery) {
    const catalog = await this.catalog();
    let entries = await this.applicable(orgId, catalog, query.apiInstanceId, query.environmentId);
    if (query.automatedOnly) entries = entries.filter((e) => !e.definition.mcpOnly);
    if (query.latest) entries = latestVersions(entries);
    return entries.map((e) =>
      exchangeTemplateView(e, {
        includeConfiguration: query.includeConfiguration,
        allVersions: catalog.filter((o) => sameAsset(o.definition, e.definition)),
      }),
    );
  }

  async getExchange(groupId: string, assetId: string, version: string, query: ExchangeTemplateQuery) {
    const entry = await this.resolve(groupId, assetId, version);
    const allVersions = query.includeAllVersions
      ? (await this.catalog()).filter((o) => sameAsset(o.definition, entry.definition))
      : undefined;
    return exchangeTemplateView(entry, { includeConfiguration: query.includeConfiguration, allVersions });
  }

  /**
   * The generic catalog as API Manager lists it: a bare array, one entry a template, identified
   * by its asset id (`rate-limiting`) and showing its latest version.
   */
  async listGeneric(orgId: string, query: GenericTemplatesQuery) {
    const entries = await this.applicable(orgId, latestVersions(await this.catalog()), query.apiInstanceId, undefined);
    return entries.map(genericTemplateView);
  }

  async getGeneric(id: string) {
    return genericTemplateView(await this.latest(id));
  }

  /**
   * The latest version of the built-in template whose asset id is `assetId` (a Mule 3 style
   * policy template id, as `api-mgr policy apply|describe` send without a version), or 404.
   */
  async latest(assetId: string): Promise<CatalogEntry> {
    const entry = latestVersions(await this.catalog()).find((e) => e.definition.assetId === assetId);
    if (!entry) throw new DomainError('POLICY_TEMPLATE_NOT_FOUND', NO_GENERIC_TEMPLATE);
    return entry;
  }

  /**
   * The template at these coordinates, or 404 naming them (and the versions that do exist, when
   * only the version is wrong).
   */
  async resolve(groupId: string, assetId: string, version: string): Promise<CatalogEntry> {
    const row =
      findPolicyTemplate(groupId, assetId, version) && (await this.repo.findTemplateByCoordinates(groupId, assetId, version));
    const entry = row ? toEntry(row) : undefined;
    if (entry) return entry;
    const versions = policyTemplateVersions(groupId, assetId);
    throw new DomainError(
      'POLICY_TEMPLATE_NOT_FOUND',
      versions.length
        ? `Policy template ${groupId}/${assetId} has no version ${version}; available versions: ${versions.join(', ')}`
        : `Policy template ${groupId}/${assetId}/${version} not found in Exchange`,
    );
  }

  /** The built-in definition of an applied policy's template (never removed while referenced). */
  definitionOf(policy: { groupId: string; assetId: string; assetVersion: string }): PolicyTemplateDefinition {
    const definition = findPolicyTemplate(policy.groupId, policy.assetId, policy.assetVersion);
    if (!definition) {
      throw new DomainError(
        'POLICY_TEMPLATE_NOT_FOUND',
        `Policy template ${policy.groupId}/${policy.assetId}/${policy.assetVersion} not found in Exchange`,
      );
    }
    return definition;
  }

  /** Published templates with a built-in definition, in catalog order, oldest version first. */
  private async catalog(): Promise<CatalogEntry[]> {
    const entries = (await this.repo.listTemplates()).map(toEntry).filter((e): e is CatalogEntry => e !== undefined);
    const rank = (e: CatalogEntry) => POLICY_TEMPLATES.findIndex((t) => sameAsset(t, e.definition));
    return entries.sort((a, b) => rank(a) - rank(b) || compareVersions(a.definition.version, b.definition.version));
  }

  /**
   * With an API instance, only the templates implemented for its technology and endpoint type
   * (MCP-only templates need an MCP instance). An instance of another organization, or not in
   * `environmentId`, is 404 like a missing one.
   */
  private async applicable(
    orgId: string,
    catalog: CatalogEntry[],
    apiInstanceId: string | undefined,
    environmentId: string | undefined,
  ) {
    if (environmentId !== undefined) await this.access.assertEnvironmentInOrganization(orgId, environmentId);
    if (apiInstanceId === undefined) return catalog;
    const id = API_INSTANCE_ID.transform(apiInstanceId);
    const api = await this.repo.findApi({ id, organizationId: orgId, ...(environmentId ? { environmentId } : {}) });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${id} not found`);
    return catalog.filter((e) => !implementationGap(e.definition, api));
  }
}
