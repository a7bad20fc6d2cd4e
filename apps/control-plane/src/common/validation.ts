/**
 * Request validation with zod. Failures become 400 VALIDATION_FAILED naming the field and the
 * reason, e.g. `body.endpoint.isCloudHub: must be null for technology flexGateway`, with every
 * issue listed in `errors[]` as `{ path: '/body/endpoint/isCloudHub', message, errorCode }`.
 */
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { regexProblem } from '#portico/policy-catalog';
import { z } from 'zod';
import { DomainError, type ErrorDetail } from './domain-error.js';

export type InputLocation = 'body' | 'query' | 'params' | 'headers';

/**
 * The error option of an object schema: `message` when the value is not an object at all; other
 * issues (an unknown key of a strict object, a bad field) keep their own, naming messages.
 */
export function objectError(message = 'must be an object') {
  return { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? message : undefined) };
}

/**
 * An id Anypoint clients send back in a body (`policyTemplateId`, `apiVersionId`, `id`), as a
 * number or a numeric string; the route decides what it names.
 */
export const legacyId = z.union([z.number(), z.string()], { error: 'must be a number or a string' }).nullish();

/**
 * A route or pointcut pattern, in the RE2 syntax the gateway runs it with (linear time; see
 * libs/policy-catalog linear-regex.ts): a pattern RE2 refuses is a 400 saying why.
 */
export function re2Pattern(maxLength: number) {
  return z
    .string({ error: 'must be a string' })
    .max(maxLength, `must be at most ${maxLength} characters`)
    .superRefine((value, ctx) => {
      const problem = regexProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: `must be a regular expression in RE2 syntax (${problem})` });
      }
    });
}

export function issuesToDetails(issues: readonly z.core.$ZodIssue[], where: InputLocation): ErrorDetail[] {
  return issues.map((issue) => ({
    path: `/${[where, ...issue.path.map(String)].join('/')}`,
    message: issue.message,
    errorCode: `${issue.code}.validation`,
  }));
}

/**
 * 400 VALIDATION_FAILED listing `details`; the message names one of them, a field the route does
 * not take first (that is usually what the caller must change: `body: Unrecognized key: "promote"`).
 */
export function validationError(details: ErrorDetail[]): DomainError {
  const first = details.find((d) => d.errorCode === 'unrecognized_keys.validation') ?? details[0];
  const where = first ? first.path.slice(1).replace(/\//g, '.') : 'request';
  return new DomainError('VALIDATION_FAILED', `${where}: ${first?.message ?? 'invalid'}`, details);
}

/** Parses `input` with `schema` or throws VALIDATION_FAILED. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: InputLocation): z.output<S> {
  const result = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw validationError(issuesToDetails(result.error.issues, where));
  return result.data;
}

/** `@Body(new ZodPipe(schema))`, `@Query(new ZodPipe(schema))`, `@Param(new ZodPipe(schema))`. */
@Injectable()
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  /** Public so the OpenAPI document can describe what the pipe accepts (openapi/openapi.ts). */
  constructor(readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const where: InputLocation = metadata.type === 'param' ? 'params' : metadata.type === 'query' ? 'query' : 'body';
    return parseInput(this.schema, value, where);
  }
}
