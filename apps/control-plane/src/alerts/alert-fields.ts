/** The zod pieces both alert dialects validate their bodies and queries with. */
import { SECRET_MASK } from '#portico/policy-catalog';
import { z } from 'zod';
import {
  ALERT_SEVERITIES,
  type AlertOrder,
  type AlertSeverity,
  MAX_WINDOW_MS,
  PERIOD_UNIT_MS,
  type PeriodUnit,
} from './alert-definition.js';

export const alertName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters');

/** info | warning | critical in any case: the legacy CLI sends `Critical`, the monitoring one `critical`. */
export const severity = z
  .string({ error: `must be one of ${ALERT_SEVERITIES.join(', ')}` })
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(ALERT_SEVERITIES, { error: `must be one of ${ALERT_SEVERITIES.join(', ')} (any case)` }))
  .transform((s): AlertSeverity => s);

export const threshold = z
  .number({ error: 'must be a number from 0 to 1000000000000' })
  .min(0, 'must be a number from 0 to 1000000000000')
  .max(1e12, 'must be a number from 0 to 1000000000000');

export const emailAddress = z.email('must be an e-mail address').max(254, 'must be at most 254 characters');

/** An HTTP status as a number or numeric string (the CLI sends `--responseCode 500` as text). */
export const httpStatus = z
  .union([z.number(), z.string().regex(/^\d{3}$/)], { error: 'must be HTTP statuses from 100 to 599' })
  .transform(Number)
  .pipe(z.number().int().min(100, 'must be HTTP statuses from 100 to 599').max(599, 'must be HTTP statuses from 100 to 599'));

/** An applied policy id as a number or numeric string (the CLI sends `--policyId` as text). */
export const policyIdValue = z
  .union([z.number(), z.string().regex(/^\d{1,10}$/)], { error: 'must be the id of a policy applied to the API instance' })
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, 'must be the id of a policy applied to the API instance')
      .max(2_147_483_647, 'must be the id of a policy applied to the API instance'),
  );

/** An API instance id as a number or numeric string. */
export const apiInstanceId = z
  .union([z.number(), z.string().regex(/^\d{1,10}$/)], { error: 'must be an API instance id' })
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be an API instance id').max(2_147_483_647, 'must be an API instance id'));

export const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');

/** HMAC key of a webhook; SECRET_MASK keeps the stored one. */
export const webhookSecret = z
  .string({ error: 'must be a string' })
  .max(512, 'must be at most 512 characters')
  .refine((s) => s === SECRET_MASK || s.length >= 16, `must be at least 16 characters (${SECRET_MASK}: keep the stored one)`)
  .nullish()
  .transform((s) => s ?? null);

/** An e-mail subject template: one header line. */
export const subjectTemplate = z
  .string({ error: 'must be a string' })
  .max(998, 'must be at most 998 characters')
  .regex(/^[^\r\n]*$/, 'must be one line');

export const messageTemplate = z.string({ error: 'must be a string' }).max(20_000, 'must be at most 20000 characters');

/** The issue when `repeat` periods of `count` `unit` are longer than alerts may look back. */
export function windowProblem(count: number, unit: PeriodUnit, repeat: number): string | undefined {
  return count * PERIOD_UNIT_MS[unit] * repeat > MAX_WINDOW_MS
    ? `the periods (${repeat} × ${count} ${unit.toLowerCase()}) must span at most 31 days`
    : undefined;
}

/** `limit`, `offset` and `ascending` of both list routes (`sort` differs). */
export const pageFields = {
  offset: z.coerce.number().int().min(0).default(0).describe('alerts to skip'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('alerts to return'),
  ascending: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true')
    .describe('sort order'),
};

/** The sort fields of both dialects and the columns they order by. */
const SORTED_BY = { id: 'id', name: 'name', severity: 'severity', createdAt: 'createdAt', lastModified: 'updatedAt' } as const;

/** `sort` of a list: SORTED_BY and the dialect's `own` field names, each read as the column it orders by. */
export function sortField(own: Readonly<Record<string, AlertOrder>>) {
  const columns: Record<string, AlertOrder> = { ...SORTED_BY, ...own };
  const names = Object.keys(columns) as [string, ...string[]];
  return z
    .enum(names, { error: `must be one of ${names.join(', ')}` })
    .default('id')
    .transform((name) => columns[name]!)
    .describe('field to sort by (id: creation order)');
}
