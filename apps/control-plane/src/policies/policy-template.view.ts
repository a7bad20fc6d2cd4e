/**
 * Policy templates as the two Anypoint catalogs return them. The Exchange catalog (contract
 * §6.4.a) carries the coordinates and the gateway form; it gives the version as both `version`
 * and `assetVersion`, since Anypoint clients read either. The generic catalog (§6.4.b) carries
 * neither coordinates nor gateway property names, as in Anypoint. Both say whether this version's
 * gateway enforces the template (`enforced`): one that is not can be applied to an API that is not
 * deployed, but not to one deployed to a gateway that lacks it (409 POLICY_NOT_ENFORCEABLE).
 */
import { BUNDLED_POLICY_TYPES } from '#portico/gateway-release';
import { genericForm, type PolicyTemplateDefinition } from '#portico/policy-catalog';
import { stringify } from 'yaml';
import { audit } from '../common/audit.js';
import type { ExchangePolicyTemplate } from './policies.dto.js';

/** A published template row with its built-in definition. */
export interface CatalogEntry {
  id: number;
  definition: PolicyTemplateDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export function exchangeTemplateView(
  entry: CatalogEntry,
  options: { includeConfiguration: boolean; allVersions?: CatalogEntry[] },
): ExchangePolicyTemplate {
  const { definition: t } = entry;
  return {
    audit: audit(entry.createdAt, entry.updatedAt),
    id: entry.id,
    groupId: t.groupId,
    assetId: t.assetId,
    version: t.version,
    assetVersion: t.version,
    name: t.name,
    description: t.description,
    type: 'policy',
    category: t.category,
    isOOTB: true,
    enforced: BUNDLED_POLICY_TYPES.includes(t.assetId),
    stage: 'release',
    status: 'published',
    orgId: t.groupId,
    ...(options.includeConfiguration ? { configuration: t.schema } : {}),
    ...(options.allVersions
      ? {
          allVersions: options.allVersions.map(({ definition: v }) => ({
            groupId: v.groupId,
            assetId: v.assetId,
            version: v.version,
          })),
        }
      : {}),
  };
}

/** The generic form identifies a template by its asset id, as Mule 3 policy template ids were. */
export function genericTemplateView(entry: CatalogEntry) {
  const { definition: t } = entry;
  return {
    audit: audit(entry.createdAt, entry.updatedAt),
    id: t.assetId,
    name: t.name,
    description: t.description,
    category: t.category,
    type: 'system',
    enforced: BUNDLED_POLICY_TYPES.includes(t.assetId),
    configuration: genericForm(t),
  };
}

/**
 * The `policy-definition` YAML file of a template's Exchange asset, as Exchange keeps one for each
 * policy: anypoint-cli's `policy describe <id> --policyVersion <v>` fetches it through the file's
 * externalLink and shows its name, category, description and configuration properties.
 */
export function policyDefinitionYaml(t: PolicyTemplateDefinition): string {
  return stringify({ name: t.name, description: t.description, category: t.category, configuration: genericForm(t) });
}
