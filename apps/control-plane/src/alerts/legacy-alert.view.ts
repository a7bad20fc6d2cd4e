import { SECRET_MASK } from '#portico/policy-catalog';
import type { Alert } from '../generated/prisma/client.js';
import { type AlertViewContext, storedRecipients, storedWebhooks } from './alert-definition.js';
import { LEGACY_OPERATORS, LEGACY_TYPES, type LegacyType } from './legacy-alerts.dto.js';

const TYPE_OF = Object.fromEntries(Object.entries(LEGACY_TYPES).map(([type, metric]) => [metric, type])) as Record<
  string,
  LegacyType
>;
const OPERATOR_OF = Object.fromEntries(Object.entries(LEGACY_OPERATORS).map(([name, operator]) => [operator, name]));

const epochMs = (date: Date | null) => (date ? date.getTime() : null);

function filterView(alert: Alert) {
  if (alert.metric === 'response-code') {
    return [{ property: 'responseCode', operator: 'IN', values: alert.responseCodes.map(String) }];
  }
  if (alert.metric === 'response-time' && alert.slowerThanMs !== null) {
    return [{ property: 'responseTime', operator: 'GREATER_THAN', values: String(alert.slowerThanMs) }];
  }
  return undefined;
}

/**
 * An alert as API Manager's `…/apis/{id}/alerts` shows it (times in epoch ms, severity upper
 * case), plus Portico's `state` (pending | ok | firing), `firedAt` and `resolvedAt`. Webhook
 * recipients show their secret as the mask.
 */
export function legacyAlertView(alert: Alert, ctx: AlertViewContext) {
  const filter = filterView(alert);
  const policyId = alert.policyIds[0];
  const recipients = [
    ...storedRecipients(alert).flatMap((r) => {
      if (r.type === 'email') return [{ type: 'email', value: r.value }];
      const member = ctx.members.get(r.value);
      return member ? [{ type: 'user', value: member.id, firstName: member.firstName, lastName: member.lastName }] : [];
    }),
    ...storedWebhooks(alert).map((w) => ({ type: 'webhook', value: w.url, secret: w.secret === null ? null : SECRET_MASK })),
  ];
  return {
    apiAlertsVersion: '1.0.0',
    api: { id: alert.apiId, name: ctx.apiName },
    id: alert.id,
    name: alert.name,
    type: TYPE_OF[alert.metric],
    enabled: alert.enabled,
    severity: alert.severity.toUpperCase(),
    organizationId: alert.organizationId,
    environmentId: alert.environmentId,
    createdAt: alert.createdAt.getTime(),
    lastModified: alert.updatedAt.getTime(),
    condition: {
      resourceType: 'api-version',
      aggregate: 'COUNT',
      operator: OPERATOR_OF[alert.operator],
      value: alert.threshold,
      ...(filter && { filter }),
    },
    period: { duration: { count: alert.periodCount, weight: alert.periodUnit }, repeat: alert.repeat },
    recipients,
    ...(policyId !== undefined && { policyId, policyTemplate: ctx.policyTemplates.get(policyId) }),
    state: alert.state,
    firedAt: epochMs(alert.firedAt),
    resolvedAt: epochMs(alert.resolvedAt),
  };
}

export type LegacyAlertView = ReturnType<typeof legacyAlertView>;
