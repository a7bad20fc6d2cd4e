import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from './domain-error.js';
import type { ErrorCode } from './error-codes.js';

/** The largest value Postgres `integer` columns (ids, orders) hold. */
export const MAX_INTEGER_ID = 2_147_483_647;

/**
 * An integer of a JSON body that is stored in (or compared with) an `integer` column: bounded to
 * 32 bits, so a larger one is a 400 naming the field rather than an overflow in Postgres.
 * `message` covers every failure (wrong type, fraction, out of range).
 */
export function int32(message: string, min = 1) {
  return z.number({ error: message }).int(message).min(min, message).max(MAX_INTEGER_ID, message);
}

/**
 * An Anypoint integer id (API instance, policy, deployment, application, contract) taken from a
 * path. Undefined when the text cannot be one: callers answer 404 naming the id, as for any id
 * that does not exist.
 */
export function parseIntegerId(raw: string): number | undefined {
  if (!/^\d{1,10}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id >= 1 && id <= MAX_INTEGER_ID ? id : undefined;
}

/**
 * `@Param('apiId', new IntIdPipe('API_NOT_FOUND', 'API instance'))`: the id as a number, or
 * 404 "API instance x not found" when the text cannot be an id.
 */
@Injectable()
export class IntIdPipe implements PipeTransform<string, number> {
  constructor(
    private readonly notFound: ErrorCode,
    private readonly what: string,
  ) {}

  transform(value: string): number {
    const id = parseIntegerId(value);
    if (id === undefined) throw new DomainError(this.notFound, `${this.what} ${value} not found`);
    return id;
  }
}
