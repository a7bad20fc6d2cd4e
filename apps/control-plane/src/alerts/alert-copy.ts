import type { Tx } from '../common/prisma.service.js';
import type { Alert, Prisma } from '../generated/prisma/client.js';

/** What {@link copyAlerts} did. */
export interface CopiedAlerts {
  /** the new alerts of the target instance, in the source's order */
  copied: Alert[];
  /** names of policy-violation alerts left behind: none of their policies has a counterpart */
  skipped: string[];
}

/**
 * Copies every alert of API instance `fromApiId` to `toApiId` in environment `toEnvironmentId`
 * (API Manager's promotion), within the caller's transaction `tx`: the definitions, recipients,
 * webhooks (secrets stay sealed with the same key) and templates, in both dialects. The copies
 * start pending, never fired, their first evaluation one interval away, as new alerts do; the
 * organization is the source's.
 *
 * Policy-violation alerts name applied policies of the source: `policyIds` maps each to its
 * counterpart on the target (the promoted copy). An id without one is dropped; an alert left
 * with none is not copied and is named in `skipped`. AlertsService.copyForPromotion records the
 * copies in the audit trail.
 */
export async function copyAlerts(
  tx: Tx,
  fromApiId: number,
  toApiId: number,
  toEnvironmentId: string,
  policyIds: ReadonlyMap<number, number> = new Map(),
): Promise<CopiedAlerts> {
  const sources = await tx.alert.findMany({ where: { apiId: fromApiId }, orderBy: { id: 'asc' } });
  const copied: Alert[] = [];
  const skipped: string[] = [];
  for (const alert of sources) {
    const mapped = alert.policyIds.flatMap((id) => {
      const target = policyIds.get(id);
      return target === undefined ? [] : [target];
    });
    if (alert.metric === 'policy-violation' && mapped.length === 0) {
      skipped.push(alert.name);
      continue;
    }
    const created = await tx.alert.create({
      data: {
        apiId: toApiId,
        organizationId: alert.organizationId,
        environmentId: toEnvironmentId,
        dialect: alert.dialect,
        name: alert.name,
        enabled: alert.enabled,
        severity: alert.severity,
        metric: alert.metric,
        operator: alert.operator,
        threshold: alert.threshold,
        periodUnit: alert.periodUnit,
        periodCount: alert.periodCount,
        repeat: alert.repeat,
        responseCodes: alert.responseCodes,
        policyIds: mapped,
        slowerThanMs: alert.slowerThanMs,
        recipients: alert.recipients as Prisma.InputJsonValue,
        webhooks: alert.webhooks as Prisma.InputJsonValue,
        subject: alert.subject,
        message: alert.message,
        deploymentType: alert.deploymentType,
        evaluatedAt: new Date(),
      },
    });
    copied.push(created);
  }
  return { copied, skipped };
}
