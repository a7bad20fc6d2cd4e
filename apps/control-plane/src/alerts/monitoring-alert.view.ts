import { SECRET_MASK } from '#portico/policy-catalog';
import type { Alert } from '../generated/prisma/client.js';
import { type AlertViewContext, storedRecipients, storedWebhooks } from './alert-definition.js';
import { DEFAULT_MESSAGE, DEFAULT_SUBJECT } from './alert-templates.js';
import { MONITORING_METRICS, type MonitoringMetric } from './monitoring-alerts.dto.js';

const METRIC_TYPE_OF = Object.fromEntries(Object.entries(MONITORING_METRICS).map(([type, metric]) => [metric, type])) as Record<
  string,
  MonitoringMetric
>;

function subFilters(alert: Alert) {
  if (alert.metric === 'response-code') return [{ name: 'response_code', values: alert.responseCodes.map(String) }];
  if (alert.metric === 'policy-violation') return [{ name: 'policy_id', values: alert.policyIds.map(String) }];
  return undefined;
}

/** `paused` (disabled), `pending` (not evaluated yet), `ok` or `alerting`. */
function monitoringState(alert: Alert): string {
  if (!alert.enabled) return 'paused';
  return alert.state === 'firing' ? 'alerting' : alert.state;
}

/**
 * An alert as Anypoint Monitoring's basic alerts show it (ISO times; `state` paused | pending |
 * ok | alerting), plus Portico's `firedAt` and `resolvedAt`. E-mail recipients that are members
 * are shown by username; a webhook's secret as the mask.
 */
export function monitoringAlertView(alert: Alert, ctx: AlertViewContext) {
  const filters = subFilters(alert);
  const recipients = storedRecipients(alert).flatMap((r) => {
    if (r.type === 'email') return [r.value];
    const member = ctx.members.get(r.value);
    return member ? [member.username] : [];
  });
  const deployment = alert.deploymentType ? { deploymentType: alert.deploymentType } : {};
  return {
    alertId: alert.id,
    type: 'basic',
    alertType: 'basic',
    name: alert.name,
    severity: alert.severity,
    masterOrganizationId: ctx.masterOrganizationId,
    organizationId: alert.organizationId,
    environmentId: alert.environmentId,
    resourceType: 'api',
    ...deployment,
    metricType: METRIC_TYPE_OF[alert.metric],
    resources: [
      { apiId: alert.apiId, apiVersionId: alert.apiId, type: 'api', ...deployment, ...(filters && { subFilters: filters }) },
    ],
    condition: { operator: alert.operator, threshold: alert.threshold, interval: alert.repeat },
    wildcardAlert: false,
    notifications: [
      ...(recipients.length
        ? [{ type: 'email', recipients, subject: alert.subject ?? DEFAULT_SUBJECT, message: alert.message ?? DEFAULT_MESSAGE }]
        : []),
      ...storedWebhooks(alert).map((w) => ({ type: 'webhook', url: w.url, secret: w.secret === null ? null : SECRET_MASK })),
    ],
    state: monitoringState(alert),
    createdAt: alert.createdAt.toISOString(),
    lastModified: alert.updatedAt.toISOString(),
    firedAt: alert.firedAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}
