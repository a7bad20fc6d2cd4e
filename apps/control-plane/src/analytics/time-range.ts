/**
 * The time range of an analytics read: defaults and the check that it is not empty, shared by
 * Portico's routes (`from`/`to`) and Anypoint's event report (`startDate`/`endDate`).
 */
import { validationError } from '../common/validation.js';
import type { EventScope } from './analytics.repository.js';

/** The range when the request names no start: the day before its end. */
export const DEFAULT_RANGE_MS = 86_400_000;

/**
 * The scope of a read of `environmentId` from `from` (included) to `to` (excluded, default now);
 * `names` are the query parameters, named in the 400 of an empty range.
 */
export function eventScope(
  environmentId: string,
  range: { from?: Date; to?: Date },
  names: { from: string; to: string },
  now = new Date(),
): EventScope {
  const to = range.to ?? now;
  const from = range.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (from >= to) {
    throw validationError([
      {
        path: `/query/${names.from}`,
        message: `must be before ${names.to} (${to.toISOString()})`,
        errorCode: 'custom.validation',
      },
    ]);
  }
  return { environmentId, from, to };
}
