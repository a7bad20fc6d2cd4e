/**
 * API Manager's per-instance alerts (`…/apimanager/api/v1/…/apis/{id}/alerts`), the body
 * anypoint-cli-v4's `api-mgr alert add-legacy` sends: `type` api-request-count | api-response-code
 * | api-policy-violation | api-response-time, `condition {resourceType, aggregate: COUNT, operator,
 * value, filter?}`, `period {duration {count, weight}, repeat}` and `recipients [{type: user |
 * email, value}]`. Portico adds recipients of type `webhook` ({value: URL, secret?}).
 *
 * Every type counts requests per period: all of them, those answered with one of the filter's
 * codes, those a policy rejected, those slower than the filter's milliseconds.
 */
import { z } from 'zod';
import { objectError } from '../common/validation.js';
import type { AlertInput, AlertMetric, AlertOperator, PeriodUnit, RecipientInput } from './alert-definition.js';
import {
  alertName,
  emailAddress,
  httpStatus,
  pageFields,
  sortField,
  policyIdValue,
  severity,
  threshold,
  webhookSecret,
  webhookUrl,
  windowProblem,
} from './alert-fields.js';

/** `type` → the metric it counts. */
export const LEGACY_TYPES = {
  'api-request-count': 'request-count',
  'api-response-code': 'response-code',
  'api-policy-violation': 'policy-violation',
  'api-response-time': 'response-time',
} as const satisfies Record<string, AlertMetric>;
export type LegacyType = keyof typeof LEGACY_TYPES;

/** `condition.operator` → the operator stored; the legacy dialect has these three only. */
export const LEGACY_OPERATORS = { GREATER_THAN: 'above', LESS_THAN: 'below', EQUAL: 'equal' } as const satisfies Record<
  string,
  AlertOperator
>;

const typeNames = Object.keys(LEGACY_TYPES) as [LegacyType, ...LegacyType[]];
const operatorNames = Object.keys(LEGACY_OPERATORS) as [keyof typeof LEGACY_OPERATORS, ...(keyof typeof LEGACY_OPERATORS)[]];
const int = (max: number, what: string) =>
  z
    .number({ error: `must be an integer from 1 to ${max}${what}` })
    .int(`must be an integer from 1 to ${max}${what}`)
    .min(1, `must be an integer from 1 to ${max}${what}`)
    .max(max, `must be an integer from 1 to ${max}${what}`);

const recipient = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('user'),
      value: z.string({ error: 'must be the id or username of a user of the organization' }).min(1).max(256),
      firstName: z.string({ error: 'must be a string' }).optional(),
      lastName: z.string({ error: 'must be a string' }).optional(),
    }),
    z.strictObject({ type: z.literal('email'), value: emailAddress }),
    z.strictObject({ type: z.literal('webhook'), value: webhookUrl, secret: webhookSecret }),
  ],
  { error: 'must be {type: user | email | webhook, value}' },
);

/** Milliseconds of the response-time filter: a number, a numeric string or a list of one. */
const milliseconds = z
  .union([z.number(), z.string().regex(/^\d{1,7}$/)], { error: 'must be milliseconds from 1 to 3600000' })
  .transform(Number)
  .pipe(int(3_600_000, ' (milliseconds)'));

const filter = z.discriminatedUnion(
  'property',
  [
    z.strictObject({
      property: z.literal('responseCode'),
      operator: z.literal('IN', { error: 'must be IN' }).default('IN'),
      values: z.array(httpStatus, { error: 'must be a list of HTTP statuses' }).min(1, 'must hold a status').max(50),
    }),
    z.strictObject({
      property: z.literal('responseTime'),
      operator: z.literal('GREATER_THAN', { error: 'must be GREATER_THAN' }).default('GREATER_THAN'),
      values: z.union([milliseconds, z.array(milliseconds).length(1, 'must hold one value')], {
        error: 'must be milliseconds from 1 to 3600000',
      }),
    }),
  ],
  { error: 'must be {property: responseCode | responseTime, operator, values}' },
);

const condition = z.strictObject(
  {
    resourceType: z.enum(['api-version', 'api'], { error: 'must be api-version or api' }).optional(),
    aggregate: z.literal('COUNT', { error: 'must be COUNT' }).optional(),
    operator: z.enum(operatorNames, { error: `must be one of ${operatorNames.join(', ')}` }),
    value: threshold,
    filter: z.array(filter, { error: 'must be a list of filters' }).max(1, 'must hold at most one filter').optional(),
  },
  objectError('must be an object {resourceType, aggregate, operator, value, filter}'),
);

const period = z.strictObject(
  {
    duration: z.strictObject(
      {
        count: int(100_000, ''),
        weight: z.enum(['MINUTES', 'HOURS', 'DAYS'], { error: 'must be MINUTES, HOURS or DAYS' }),
      },
      objectError('must be an object {count, weight}'),
    ),
    repeat: int(10_000, ' (consecutive periods)'),
  },
  objectError('must be an object {duration: {count, weight}, repeat}'),
);

const enabledFlag = z.boolean({ error: 'must be a boolean' });

/** The fields a client may set; POST takes these, PATCH any of them. */
const writable = {
  apiAlertsVersion: z.literal('1.0.0', { error: 'must be 1.0.0' }).optional(),
  name: alertName,
  type: z.enum(typeNames, { error: `must be one of ${typeNames.join(', ')}` }),
  enabled: enabledFlag.default(true),
  severity,
  recipients: z
    .array(recipient, { error: 'is required: a list of {type, value}' })
    .min(1, 'must hold at least one recipient')
    .max(50, 'must hold at most 50 recipients'),
  condition,
  period,
  policyId: policyIdValue.optional(),
  /** derived from the policy; accepted when it names the policy's template */
  policyTemplate: z
    .strictObject(
      { id: z.union([z.string(), z.number()], { error: 'must be a string' }), name: z.string({ error: 'must be a string' }) },
      objectError('must be an object {id, name}'),
    )
    .optional(),
};

type Writable = z.output<z.ZodObject<typeof writable>>;

/** The type-specific rules: which filter or policy each type needs, and the window. */
function checkType(body: Writable, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const property = body.condition.filter?.[0]?.property;
  const needs: Record<LegacyType, 'responseCode' | 'responseTime' | undefined> = {
    'api-request-count': undefined,
    'api-policy-violation': undefined,
    'api-response-code': 'responseCode',
    'api-response-time': 'responseTime',
  };
  const needed = needs[body.type];
  if (needed && property !== needed) {
    issue(['condition', 'filter'], `must be [{property: ${needed}, …}] for type ${body.type}`);
  } else if (!needed && property) {
    issue(['condition', 'filter'], `is not taken by type ${body.type}`);
  }
  if (body.type === 'api-policy-violation' && body.policyId === undefined) {
    issue(['policyId'], 'is required for type api-policy-violation: the id of a policy applied to the API instance');
  } else if (body.type !== 'api-policy-violation' && body.policyId !== undefined) {
    issue(['policyId'], `is not taken by type ${body.type}`);
  }
  if (body.type !== 'api-policy-violation' && body.policyTemplate !== undefined) {
    issue(['policyTemplate'], `is not taken by type ${body.type}`);
  }
  const problem = windowProblem(body.period.duration.count, body.period.duration.weight, body.period.repeat);
  if (problem) issue(['period'], problem);
}

/** POST …/apis/{id}/alerts, and what a PATCH merged onto the stored alert must be. */
export const legacyAlertBody = z
  .strictObject(writable, objectError('must be an alert object {name, type, severity, condition, period, recipients, …}'))
  .superRefine(checkType);
export type LegacyAlertBody = z.output<typeof legacyAlertBody>;

/**
 * The fields GET answers that a client cannot set: a PATCH (or a client sending back what it
 * read) may carry them when they are unchanged (common/read-back.ts).
 */
export const LEGACY_READ_ONLY = [
  'id',
  'api',
  'organizationId',
  'environmentId',
  'createdAt',
  'lastModified',
  'state',
  'firedAt',
  'resolvedAt',
] as const;

/**
 * PATCH …/alerts/{alertId}: any writable field, each replacing the stored one whole
 * (`condition`, `period` and `recipients` too); the result must be a valid alert.
 */
export const legacyAlertPatch = z.strictObject(
  {
    ...Object.fromEntries(Object.entries(writable).map(([key, schema]) => [key, schema.optional()])),
    // left out, `enabled` is kept, not defaulted
    enabled: enabledFlag.optional(),
    ...Object.fromEntries(LEGACY_READ_ONLY.map((key) => [key, z.unknown().optional()])),
  } as { [K in Exclude<keyof typeof writable, 'enabled'>]: z.ZodOptional<(typeof writable)[K]> } & {
    enabled: z.ZodOptional<typeof enabledFlag>;
  } & {
    [K in (typeof LEGACY_READ_ONLY)[number]]: z.ZodOptional<z.ZodUnknown>;
  },
  objectError('must be an object with the alert fields to change'),
);
export type LegacyAlertPatch = z.output<typeof legacyAlertPatch>;

/** GET …/apis/{id}/alerts (the CLI sends limit, offset, sort and ascending). */
export const listLegacyAlertsQuery = z.object({
  ...pageFields,
  sort: sortField({ type: 'metric' }),
});
export type ListLegacyAlertsQuery = z.output<typeof listLegacyAlertsQuery>;

/** The dialect-neutral definition of a legacy body. */
export function legacyInput(body: LegacyAlertBody): AlertInput {
  const filter = body.condition.filter?.[0];
  const slowerThan = filter?.property === 'responseTime' ? filter.values : undefined;
  return {
    name: body.name,
    enabled: body.enabled,
    severity: body.severity,
    metric: LEGACY_TYPES[body.type],
    operator: LEGACY_OPERATORS[body.condition.operator],
    threshold: body.condition.value,
    periodUnit: body.period.duration.weight satisfies PeriodUnit,
    periodCount: body.period.duration.count,
    repeat: body.period.repeat,
    responseCodes: filter?.property === 'responseCode' ? [...new Set(filter.values)] : [],
    policyIds: body.policyId === undefined ? [] : [{ id: body.policyId, field: '/body/policyId' }],
    slowerThanMs: slowerThan === undefined ? null : Array.isArray(slowerThan) ? slowerThan[0]! : slowerThan,
    recipients: body.recipients.flatMap((r, i): RecipientInput[] => {
      const field = `/body/recipients/${i}/value`;
      if (r.type === 'user')
        return [{ type: 'member', value: r.value, names: { firstName: r.firstName, lastName: r.lastName }, field }];
      return r.type === 'email' ? [{ type: 'email', value: r.value, field }] : [];
    }),
    webhooks: body.recipients.flatMap((r, i) =>
      r.type === 'webhook'
        ? [{ url: r.value, secret: r.secret, field: `/body/recipients/${i}/secret`, urlField: `/body/recipients/${i}/value` }]
        : [],
    ),
    subject: null,
    message: null,
    deploymentType: null,
  };
}
