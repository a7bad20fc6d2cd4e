/**
 * OpenAPI annotations from the zod schemas routes already validate with, so the served document
 * cannot drift from what the API accepts. Query and path parameters need no annotation at all:
 * openapi/openapi.ts documents every `ZodPipe` a route applies to them.
 */
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/** JSON Schema of what a client may send for `schema`. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** JSON Schema of what the server answers for `schema`. */
export function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Documents a JSON (and form-encoded, when `form`) request body validated by `schema`. */
export function ApiZodBody(schema: z.ZodType, options: { form?: boolean; description?: string } = {}) {
  const decorators = [ApiBody({ schema: inputJsonSchema(schema) as never, description: options.description })];
  if (options.form) decorators.push(ApiConsumes('application/json', 'application/x-www-form-urlencoded'));
  return applyDecorators(...decorators);
}

/** Documents a success response whose body `schema` describes. */
export function ApiZodResponse(status: number, schema: z.ZodType, description: string) {
  return ApiResponse({ status, description, schema: outputJsonSchema(schema) as never });
}

/** Metadata key of {@link ApiZodMultipartBody}; openapi/openapi.ts reads it. */
export const MULTIPART_BODY = 'portico:openapi-multipart-body';

/** A part of a multipart body beyond the plain fields of the form schema. */
export interface MultipartPart {
  /** field name; a pattern such as `files.<classifier>.<packaging>` is documented by its example */
  name: string;
  file: boolean;
  description: string;
}

/**
 * Documents a `multipart/form-data` request body (beside any JSON body of the route): the plain
 * fields `form` validates, plus file and pattern-named parts. The route reads the parts itself
 * (exchange/exchange-multipart.ts), so no body parameter exists for Nest to describe.
 */
export function ApiZodMultipartBody(form: z.ZodType, parts: MultipartPart[], description: string) {
  const { $schema: _dialect, ...schema } = inputJsonSchema(form) as { $schema?: string; properties?: object };
  const extra = Object.fromEntries(
    parts.map((p) => [
      p.name,
      p.file ? { type: 'string', format: 'binary', description: p.description } : { type: 'string', description: p.description },
    ]),
  );
  return SetMetadata(MULTIPART_BODY, {
    description,
    schema: { ...schema, properties: { ...schema.properties, ...extra } },
  });
}
