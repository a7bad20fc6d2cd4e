import { Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error.js';
import type { ErrorCode } from './error-codes.js';

/** The largest id Postgres `integer` columns hold. */
const MAX_INTEGER_ID = 2_147_483_647;

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
