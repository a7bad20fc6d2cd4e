/**
 * OpenAPI annotations from the zod schemas routes already validate with, so the served document
 * cannot drift from what the API accepts.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { z } from 'zod';

/** JSON Schema of what a client may send for `schema`. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Documents a JSON (and form-encoded, when `form`) request body validated by `schema`. */
export function ApiZodBody(schema: z.ZodType, options: { form?: boolean; description?: string } = {}) {
  const decorators = [ApiBody({ schema: inputJsonSchema(schema) as never, description: options.description })];
  if (options.form) decorators.push(ApiConsumes('application/json', 'application/x-www-form-urlencoded'));
  return applyDecorators(...decorators);
}
