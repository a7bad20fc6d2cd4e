import { audit } from '../common/audit.js';
import type { SlaTier } from '../generated/prisma/client.js';
import type { Tier, TierLimit, TierSummary } from './sla-tiers.dto.js';

/** The stored limits (validated by tierBody on the way in). */
export function tierLimits(tier: Pick<SlaTier, 'limits'>): TierLimit[] {
  return tier.limits as unknown as TierLimit[];
}

/** The stored status, a plain string column (validated by tierBody on the way in). */
function tierStatus(tier: Pick<SlaTier, 'status'>): Tier['status'] {
  return tier.status as Tier['status'];
}

/** A tier as a contract shows it (`tier`, `requestedTier`; contract §7.2). */
export function tierSummary(tier: SlaTier): TierSummary {
  return {
    id: tier.id,
    name: tier.name,
    description: tier.description,
    limits: tierLimits(tier),
    status: tierStatus(tier),
    autoApprove: tier.autoApprove,
  };
}

/** API Manager SLA tier; `applicationCount` counts the approved contracts on it. */
export function tierView(tier: SlaTier & { _count: { contracts: number } }, masterOrganizationId: string): Tier {
  return {
    audit: audit(tier.createdAt, tier.updatedAt),
    masterOrganizationId,
    organizationId: tier.organizationId,
    id: tier.id,
    apiId: tier.apiId,
    name: tier.name,
    description: tier.description,
    limits: tierLimits(tier),
    status: tierStatus(tier),
    autoApprove: tier.autoApprove,
    applicationCount: tier._count.contracts,
  };
}
