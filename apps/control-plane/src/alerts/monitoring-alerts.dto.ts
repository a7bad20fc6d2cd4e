/**
 * Anypoint Monitoring's basic API alerts (`…/monitoring/api/alerts/api/v2/…/alerts`), the body
 * anypoint-cli-v4's `api-mgr alert add` sends: `metricType`, one API instance in `resources[0]`
 * (with `subFilters` naming the response codes or policies counted), `condition {operator,
 * threshold, interval}` and `notifications [{type: email, recipients, subject, message}]`.
 * Portico adds notifications of type `webhook` ({url, secret?}).
 *
 * A period is one minute and `interval` the number of consecutive minutes the condition must hold
 * for. api_response_time compares the average response time (ms) of each minute; the other types
 * count requests per minute: all, those answered with one of the codes, those the policies
 * rejected.
 */
import { z } from 'zod';
import { objectError } from '../common/validation.js';
import {
  ALERT_OPERATORS,
  type AlertInput,
  type AlertMetric,
  type RecipientInput,
  type WebhookInput,
} from './alert-definition.js';
import {
  alertName,
  apiInstanceId,
  emailAddress,
  httpStatus,
  messageTemplate,
  pageFields,
  sortField,
  policyIdValue,
  severity,
  subjectTemplate,
  threshold,
  webhookSecret,
  webhookUrl,
  windowProblem,
} from './alert-fields.js';

/** `metricType` → the metric it watches. */
export const MONITORING_METRICS = {
  api_request_count: 'request-count',
  api_response_code_count: 'response-code',
  api_policy_violation_count: 'policy-violation',
  api_response_time: 'response-time',
} as const satisfies Record<string, AlertMetric>;
export type MonitoringMetric = keyof typeof MONITORING_METRICS;

const metricNames = Object.keys(MONITORING_METRICS) as [MonitoringMetric, ...MonitoringMetric[]];

/** What `state` may be sent as: `paused` disables the alert; the others (read back from GET) enable it. */
const MONITORING_STATES = ['paused', 'pending', 'ok', 'alerting'] as const;

const deploymentType = z
  .string({ error: 'must be a deployment type such as CLOUDHUB or HY' })
  .regex(/^[A-Z0-9_]{1,32}$/, 'must be a deployment type such as CLOUDHUB or HY');

const subFilter = z.discriminatedUnion(
  'name',
  [
    z.strictObject({
      name: z.literal('response_code'),
      values: z.array(httpStatus, { error: 'must be a list of HTTP statuses' }).min(1, 'must hold a status').max(50),
    }),
    z.strictObject({
      name: z.literal('policy_id'),
      values: z.array(policyIdValue, { error: 'must be a list of policy ids' }).min(1, 'must hold a policy id').max(50),
    }),
  ],
  { error: 'must be {name: response_code | policy_id, values}' },
);

const resource = z.strictObject(
  {
    apiId: apiInstanceId,
    apiVersionId: apiInstanceId.optional(),
    type: z.literal('api', { error: 'must be api' }).optional(),
    deploymentType: deploymentType.optional(),
    subFilters: z.array(subFilter, { error: 'must be a list of {name, values}' }).max(1, 'must hold at most one').optional(),
  },
  objectError('must be an object {apiId, apiVersionId, type, deploymentType, subFilters}'),
);

const notification = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('email'),
      recipients: z
        .array(
          z.string({ error: 'must be an e-mail address, or the username or id of a user of the organization' }).min(1).max(256),
          { error: 'must be a list of e-mail addresses and usernames' },
        )
        .min(1, 'must hold at least one recipient')
        .max(50, 'must hold at most 50 recipients'),
      subject: subjectTemplate.optional(),
      message: messageTemplate.optional(),
    }),
    z.strictObject({ type: z.literal('webhook'), url: webhookUrl, secret: webhookSecret }),
  ],
  { error: 'must be {type: email, recipients, subject, message} or {type: webhook, url, secret}' },
);

const writable = {
  type: z.literal('basic', { error: 'must be basic' }).default('basic'),
  name: alertName,
  severity,
  /** the caller's root organization (checked) */
  masterOrganizationId: z.string({ error: 'must be an organization id' }).optional(),
  organizationId: z.string({ error: 'must be an organization id' }).optional(),
  environmentId: z.string({ error: 'must be an environment id' }).optional(),
  resourceType: z.literal('api', { error: 'must be api' }).default('api'),
  deploymentType: deploymentType.optional(),
  metricType: z.enum(metricNames, { error: `must be one of ${metricNames.join(', ')}` }),
  resources: z
    .array(resource, { error: 'is required: [{apiId, …}]' })
    .length(1, 'must hold exactly one API instance: alerts on several (wildcard alerts) are not supported'),
  condition: z.strictObject(
    {
      operator: z.enum(ALERT_OPERATORS, { error: `must be one of ${ALERT_OPERATORS.join(', ')}` }),
      threshold,
      interval: z
        .number({ error: 'must be an integer from 1 to 44640 (minutes)' })
        .int('must be an integer from 1 to 44640 (minutes)')
        .min(1, 'must be an integer from 1 to 44640 (minutes)')
        .max(44_640, 'must be an integer from 1 to 44640 (minutes)'),
    },
    objectError('must be an object {operator, threshold, interval}'),
  ),
  wildcardAlert: z.literal(false, { error: 'must be false: an alert watches the one API instance of resources[0]' }).optional(),
  notifications: z
    .array(notification, { error: 'is required: a list of notifications' })
    .min(1, 'must hold at least one notification')
    .max(20, 'must hold at most 20 notifications'),
  state: z.enum(MONITORING_STATES, { error: `must be one of ${MONITORING_STATES.join(', ')}` }).optional(),
};

type Writable = z.output<z.ZodObject<typeof writable>>;

/** The subFilter each metric needs, if any. */
const NEEDED_FILTER: Record<MonitoringMetric, 'response_code' | 'policy_id' | undefined> = {
  api_request_count: undefined,
  api_response_time: undefined,
  api_response_code_count: 'response_code',
  api_policy_violation_count: 'policy_id',
};

function check(body: Writable, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const api = body.resources[0]!;
  const needed = NEEDED_FILTER[body.metricType];
  const given = api.subFilters?.[0]?.name;
  if (needed && given !== needed) {
    issue(['resources', 0, 'subFilters'], `must be [{name: ${needed}, values}] for metricType ${body.metricType}`);
  } else if (!needed && given) {
    issue(['resources', 0, 'subFilters'], `is not taken by metricType ${body.metricType}`);
  }
  if (api.apiVersionId !== undefined && api.apiVersionId !== api.apiId) {
    issue(['resources', 0, 'apiVersionId'], `must be the API instance id of apiId (${api.apiId})`);
  }
  if (body.deploymentType && api.deploymentType && body.deploymentType !== api.deploymentType) {
    issue(['resources', 0, 'deploymentType'], `must be the alert's deploymentType (${body.deploymentType})`);
  }
  if (body.notifications.filter((n) => n.type === 'email').length > 1) {
    issue(['notifications'], 'must hold at most one email notification (list all its recipients in it)');
  }
  const problem = windowProblem(1, 'MINUTES', body.condition.interval);
  if (problem) issue(['condition', 'interval'], problem);
}

/** POST …/alerts, and PUT …/alerts/{alertId} (which replaces the alert). */
export const monitoringAlertBody = z
  .strictObject(
    writable,
    objectError('must be an alert object {name, severity, metricType, resources, condition, notifications, …}'),
  )
  .superRefine(check);
export type MonitoringAlertBody = z.output<typeof monitoringAlertBody>;

/** What GET answers that a client cannot set, accepted on PUT when unchanged (common/read-back.ts). */
export const MONITORING_READ_ONLY = ['alertId', 'alertType', 'createdAt', 'lastModified', 'firedAt', 'resolvedAt'] as const;

export const monitoringAlertPut = z
  .strictObject(
    {
      ...writable,
      ...(Object.fromEntries(MONITORING_READ_ONLY.map((key) => [key, z.unknown().optional()])) as {
        [K in (typeof MONITORING_READ_ONLY)[number]]: z.ZodOptional<z.ZodUnknown>;
      }),
    },
    objectError('must be an alert object {name, severity, metricType, resources, condition, notifications, …}'),
  )
  .superRefine(check);
export type MonitoringAlertPut = z.output<typeof monitoringAlertPut>;

/** `apiId` of a query: the instance the alerts watch. */
const apiIdQuery = z
  .string()
  .regex(/^\d{1,10}$/, 'must be an API instance id')
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, 'must be an API instance id'))
  .describe('the API instance the alerts watch');

/** The query anypoint-cli-v4 puts on the POST too (`?type=basic&apiId=…&resourceType=api`). */
const scopeFields = {
  type: z.literal('basic', { error: 'must be basic' }).optional().describe('alert type (basic only)'),
  apiId: apiIdQuery.optional(),
  resourceType: z.literal('api', { error: 'must be api' }).optional().describe('resource type (api only)'),
};

export const createMonitoringAlertQuery = z.object(scopeFields);
export type CreateMonitoringAlertQuery = z.output<typeof createMonitoringAlertQuery>;

/** GET …/alerts: the environment's basic alerts, or one instance's (`apiId`). */
export const listMonitoringAlertsQuery = z.object({
  ...scopeFields,
  ...pageFields,
  sort: sortField({ alertId: 'id', metricType: 'metric' }),
});
export type ListMonitoringAlertsQuery = z.output<typeof listMonitoringAlertsQuery>;

/** The dialect-neutral definition of a monitoring body. */
export function monitoringInput(body: MonitoringAlertBody): AlertInput {
  const api = body.resources[0]!;
  const filter = api.subFilters?.[0];
  const filterField = (j: number) => `/body/resources/0/subFilters/0/values/${j}`;
  const recipients: RecipientInput[] = [];
  const webhooks: WebhookInput[] = [];
  let subject: string | null = null;
  let message: string | null = null;
  body.notifications.forEach((n, i) => {
    if (n.type === 'webhook') {
      webhooks.push({
        url: n.url,
        secret: n.secret,
        field: `/body/notifications/${i}/secret`,
        urlField: `/body/notifications/${i}/url`,
      });
      return;
    }
    subject = n.subject ?? null;
    message = n.message ?? null;
    n.recipients.forEach((value, j) => {
      const field = `/body/notifications/${i}/recipients/${j}`;
      recipients.push(emailAddress.safeParse(value).success ? { type: 'email', value, field } : { type: 'member', value, field });
    });
  });
  return {
    name: body.name,
    enabled: body.state !== 'paused',
    severity: body.severity,
    metric: MONITORING_METRICS[body.metricType],
    operator: body.condition.operator,
    threshold: body.condition.threshold,
    periodUnit: 'MINUTES',
    periodCount: 1,
    repeat: body.condition.interval,
    responseCodes: filter?.name === 'response_code' ? [...new Set(filter.values)] : [],
    policyIds: filter?.name === 'policy_id' ? filter.values.map((id, j) => ({ id, field: filterField(j) })) : [],
    slowerThanMs: null,
    recipients,
    webhooks,
    subject,
    message,
    deploymentType: body.deploymentType ?? api.deploymentType ?? null,
  };
}
