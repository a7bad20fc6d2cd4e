/**
 * The Audit Log Query API (`POST /audit/v2/organizations/{orgId}/query`), in Anypoint's shape.
 *
 * Seen (mulesoft/mulesoft-dx apis/audit-log-query/api.yaml, the `logQuery` and `logQueryResult`
 * schemas): the body fields startDate (required; Unix milliseconds or ISO 8601, inclusive),
 * endDate (inclusive), userIds, clientIds, objectIds, objectTypes, actions, platforms,
 * environmentIds, failed, offset, limit (at most 200, default 200), ascending; the `include_internal`
 * query parameter; the answer `{ data: [...], total }`. Clients send `[]` for "any", and the
 * Postman collection also sends `organizationId`.
 *
 * Portico's choices: `ascending` defaults to false (newest first), where Anypoint documents true;
 * the entry fields are inferred (the published schema leaves entries untyped) from the audit log
 * UI's columns and clients in the wild: timestamp, platform, objectType, objectId, objectName,
 * action, userId / userName, environmentId, payload. `userType` (user | connected-app), requestId,
 * clientIp, userAgent and `payload: {before, after}` are Portico's. A filter Portico cannot apply
 * (parentIds, anypointTransactionIds, cursor, cursorPagination, …) is refused with a 400 naming it.
 */
import { z } from 'zod';
import { int32 } from '../common/integer-id.js';
import { objectError } from '../common/validation.js';
import { AUDIT_ACTIONS, AUDIT_PLATFORMS, AUDIT_RESOURCE_TYPE_NAMES } from './audit-vocabulary.js';

const MAX_FILTER_VALUES = 100;
const MAX_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_PROBLEM = 'must be Unix milliseconds or an ISO 8601 date, e.g. 2026-01-31T12:00:00Z';

/** Unix milliseconds, or ISO 8601 (a date and time without an offset is UTC). */
const instant = z
  .union([z.number(), z.string()], { error: (issue) => (issue.input === undefined ? 'is required' : DATE_PROBLEM) })
  .transform((value, ctx) => {
    const match = typeof value === 'string' ? ISO_8601.exec(value) : null;
    const time =
      typeof value === 'number'
        ? Number.isSafeInteger(value) && value >= 0
          ? value
          : NaN
        : match
          ? Date.parse(value.includes('T') && !match[1] ? `${value}Z` : value)
          : NaN;
    if (Number.isNaN(time)) {
      ctx.addIssue({ code: 'custom', message: DATE_PROBLEM });
      return z.NEVER;
    }
    return new Date(time);
  });

function list<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item, { error: `must be an array of ${what}` })
    .max(MAX_FILTER_VALUES, `must have at most ${MAX_FILTER_VALUES} entries`)
    .default([]);
}

const id = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const uuid = z.string({ error: 'must be a string' }).regex(UUID, 'must be an environment id (a UUID)');
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const auditQueryBody = z
  .strictObject(
    {
      startDate: instant.describe('earliest change to include, inclusive: Unix milliseconds or ISO 8601'),
      endDate: instant.optional().describe('latest change to include, inclusive; default now'),
      userIds: list(id, 'ids').describe('actors: user ids, or connected applications by client id'),
      clientIds: list(id, 'client ids').describe('connected applications (by client id) that made the change'),
      objectIds: list(id, 'ids').describe('ids of the changed resources'),
      objectTypes: list(oneOf(AUDIT_RESOURCE_TYPE_NAMES), 'resource types').describe('types of the changed resources'),
      actions: list(oneOf(AUDIT_ACTIONS), 'actions'),
      platforms: list(oneOf(AUDIT_PLATFORMS), 'platforms').describe('products of the changed resources'),
      environmentIds: list(uuid, 'environment ids'),
      failed: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe('true matches nothing: a change that fails is rolled back with its record'),
      offset: int32('must be an integer from 0 to 2147483647', 0).default(0),
      limit: z
        .number({ error: 'must be an integer' })
        .int('must be an integer')
        .min(1, `must be between 1 and ${MAX_LIMIT}`)
        .max(MAX_LIMIT, `must be between 1 and ${MAX_LIMIT}`)
        .default(MAX_LIMIT),
      ascending: z
        .boolean({ error: 'must be true or false' })
        .default(false)
        .describe('oldest first; default false: newest first'),
      organizationId: z.string({ error: 'must be a string' }).optional().describe('when sent, the organization of the path'),
    },
    objectError('must be an object of query filters'),
  )
  .superRefine((q, ctx) => {
    if (q.endDate && q.endDate < q.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before startDate' });
    }
  });
export type AuditQueryBody = z.output<typeof auditQueryBody>;

export const auditQueryParams = z.object({
  include_internal: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .describe('accepted for Anypoint clients; Portico records no internal entries'),
});

const nullableString = z.string().nullable();

export const auditEntry = z.object({
  id: z.string(),
  timestamp: z.string().describe('ISO 8601: when the change was made (its transaction began)'),
  organizationId: z.string(),
  environmentId: nullableString,
  platform: z.enum(AUDIT_PLATFORMS),
  objectType: z.enum(AUDIT_RESOURCE_TYPE_NAMES),
  objectId: z.string(),
  objectName: nullableString,
  action: z.enum(AUDIT_ACTIONS),
  userId: z.string().describe("a user's id or a connected application's client id"),
  userName: z.string().describe('the username or connected application name at the time'),
  userType: z.enum(['user', 'connected-app']),
  requestId: nullableString,
  clientIp: nullableString,
  userAgent: nullableString,
  payload: z.object({
    before: z.unknown().nullable().describe('the resource as the API showed it before; secrets masked'),
    after: z.unknown().nullable().describe('the resource as the API showed it after; secrets masked'),
  }),
});
export type AuditEntry = z.output<typeof auditEntry>;

export const auditQueryResult = z.object({ data: z.array(auditEntry), total: z.number().int() });
