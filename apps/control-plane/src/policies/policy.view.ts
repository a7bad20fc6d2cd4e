/**
 * Applied policies as API Manager returns them (contract §6.1–6.2). Sensitive configuration
 * values are always masked: the stored (encrypted) value never leaves the control plane by
 * this API.
 */
import { implementationAsset, mapSensitive, type PolicyTemplateDefinition, SECRET_MASK } from '#portico/policy-catalog';
import { audit } from '../common/audit.js';
import type { AppliedPolicy, CompactPolicy } from './policies.dto.js';
import type { PolicyMode, PolicyRow } from './policies.repository.js';

function maskedConfiguration(row: PolicyRow, definition: PolicyTemplateDefinition) {
  return mapSensitive(definition, row.configurationData as Record<string, unknown>, () => SECRET_MASK);
}

/** The stored mode, a plain string column written only as PolicyFields.mode. */
function policyMode(row: PolicyRow): PolicyMode {
  return row.mode as PolicyMode;
}

/** The full policy object (POST/GET/PATCH responses, `fullInfo=false` list items). */
export function policyView(row: PolicyRow, definition: PolicyTemplateDefinition, masterOrganizationId: string): AppliedPolicy {
  return {
    audit: audit(row.createdAt, row.updatedAt),
    masterOrganizationId,
    organizationId: row.organizationId,
    id: row.id,
    policyTemplateId: String(row.templateId),
    configurationData: maskedConfiguration(row, definition),
    order: row.order,
    disabled: row.disabled,
    mode: policyMode(row),
    pointcutData: row.pointcutData,
    groupId: row.groupId,
    assetId: row.assetId,
    assetVersion: row.assetVersion,
    type: 'system',
    apiId: row.apiId,
    label: row.label,
    upstreamIds: row.upstreamIds,
    implementationAsset: implementationAsset(definition),
  };
}

/**
 * The compact `fullInfo=true` item. `version` changes whenever the policy does (its last update
 * time in ms): what a consumer needs to notice a change; Portico keeps no revision counter.
 */
export function compactPolicyView(row: PolicyRow, definition: PolicyTemplateDefinition): CompactPolicy {
  return {
    policyId: row.id,
    policyTemplateId: String(row.templateId),
    type: 'system',
    version: row.updatedAt.getTime(),
    order: row.order,
    label: row.label,
    pointcutData: row.pointcutData,
    configuration: maskedConfiguration(row, definition),
    template: { groupId: row.groupId, assetId: row.assetId, assetVersion: row.assetVersion },
    implementationAsset: implementationAsset(definition),
    upstreamIds: row.upstreamIds,
    disabled: row.disabled,
    mode: policyMode(row),
  };
}
