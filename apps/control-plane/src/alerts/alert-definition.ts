/**
 * An alert as both dialects describe it (monitoring-alerts.dto.ts, legacy-alerts.dto.ts) and the
 * evaluator reads it: the vocabulary of the Alert columns (prisma/schema.prisma).
 */

export type AlertMetric = 'request-count' | 'response-time' | 'response-code' | 'policy-violation';

export const ALERT_OPERATORS = ['above', 'aboveOrEquals', 'below', 'belowOrEquals', 'equal'] as const;
export type AlertOperator = (typeof ALERT_OPERATORS)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The units a period is counted in, and their length. */
export const PERIOD_UNIT_MS = { MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 } as const;
export type PeriodUnit = keyof typeof PERIOD_UNIT_MS;

/**
 * The longest window (periods × period length) an alert may look at: one query over more than a
 * month of events per evaluation is too much, and access events are kept 30 days by default.
 */
export const MAX_WINDOW_MS = 31 * PERIOD_UNIT_MS.DAYS;

export type AlertDialect = 'monitoring' | 'legacy';

/** The columns lists order by (ids are UUIDv7: id order is creation order). */
export type AlertOrder = 'id' | 'name' | 'metric' | 'severity' | 'createdAt' | 'updatedAt';

/** A recipient as stored: an organization member by user id, or an e-mail address. */
export type StoredRecipient = { type: 'user'; value: string } | { type: 'email'; value: string };

/** A webhook as stored; `secret` is sealed (common/secret-box.ts). */
export interface StoredWebhook {
  url: string;
  secret: string | null;
}

/** Where a value came from in the request, for the 400 that names it (`/body/recipients/0/value`). */
type FieldPath = string;

/**
 * A recipient as a body names it: a member is still a user id or username to resolve; `names` are
 * the first and last name a client sent back with it (legacy dialect), which must be the user's.
 */
export type RecipientInput = (
  { type: 'member'; value: string; names?: { firstName?: string; lastName?: string } } | { type: 'email'; value: string }
) & { field: FieldPath };

/** A webhook as a body gives it: `secret` in plain text, SECRET_MASK to keep the stored one, or null. */
export interface WebhookInput {
  url: string;
  secret: string | null;
  /** of the secret */
  field: FieldPath;
  urlField: FieldPath;
}

/** What both dialects' bodies come down to, before the checks that need the database. */
export interface AlertInput {
  name: string;
  enabled: boolean;
  severity: AlertSeverity;
  metric: AlertMetric;
  operator: AlertOperator;
  threshold: number;
  periodUnit: PeriodUnit;
  periodCount: number;
  repeat: number;
  responseCodes: number[];
  /** with the field each came from, so a policy that is not the instance's is named */
  policyIds: { id: number; field: FieldPath }[];
  slowerThanMs: number | null;
  recipients: RecipientInput[];
  webhooks: WebhookInput[];
  subject: string | null;
  message: string | null;
  deploymentType: string | null;
}

/** Whether `value` is `operator` `threshold`. */
export function compare(value: number, operator: AlertOperator, threshold: number): boolean {
  switch (operator) {
    case 'above':
      return value > threshold;
    case 'aboveOrEquals':
      return value >= threshold;
    case 'below':
      return value < threshold;
    case 'belowOrEquals':
      return value <= threshold;
    case 'equal':
      return value === threshold;
  }
}

/** The length of one period of an alert, in ms. */
export function periodMs(alert: { periodUnit: string; periodCount: number }): number {
  return PERIOD_UNIT_MS[alert.periodUnit as PeriodUnit] * alert.periodCount;
}

/** An organization member as views and notifications show a user recipient. */
export interface Member {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
}

/** What a view of an alert needs beside its row. */
export interface AlertViewContext {
  apiName: string;
  masterOrganizationId: string;
  /** the user recipients, by id (a user deleted since is left out of the view) */
  members: ReadonlyMap<string, Member>;
  /** policy-violation: the template of each policy, as `policyTemplate` shows it */
  policyTemplates: ReadonlyMap<number, { id: string; name: string }>;
}

export function storedRecipients(alert: { recipients: unknown }): StoredRecipient[] {
  return alert.recipients as StoredRecipient[];
}

export function storedWebhooks(alert: { webhooks: unknown }): StoredWebhook[] {
  return alert.webhooks as StoredWebhook[];
}

/** The name notifications and legacy views give an instance: its label, else its asset. */
export function apiName(api: { instanceLabel: string | null; assetId: string }): string {
  return api.instanceLabel ?? api.assetId;
}
