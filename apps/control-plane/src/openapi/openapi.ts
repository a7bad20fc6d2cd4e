/**
 * The OpenAPI document of every route, built from the controllers' decorators and served
 * unauthenticated at GET /openapi.json.
 *
 * What routes validate is documented from the validation itself: bodies from the zod schemas of
 * `ApiZodBody` / `ApiZodMultipartBody` (common/openapi.ts), and query and path parameters from the
 * `ZodPipe` each route applies (`@Query(new ZodPipe(schema))`), which Nest's explorer cannot see
 * into. Every templated path parameter is declared, and every operation documents the one error
 * shape (common/http-exception.filter.ts) for its 4xx and 5xx answers.
 */
import type { Type } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { errorBodySchema } from '../common/http-exception.filter.js';
import { inputJsonSchema, MULTIPART_BODY, outputJsonSchema } from '../common/openapi.js';
import { zodSchemasOf } from '../common/route-arguments.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; description?: string };

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema?: unknown;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
}

type Handler = { controller: Type<unknown>; method: string };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Every controller method, by the operationId Nest's explorer gives it (`<Class>_<method>`). */
function handlersByOperationId(app: NestFastifyApplication): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        if (method !== 'constructor') handlers.set(`${controller.name}_${method}`, { controller, method });
      }
    }
  }
  return handlers;
}

/** JSON Schemas of what a handler's `ZodPipe`s validate its whole query / path parameters with. */
function zodArguments(handler: Handler, type: RouteParamtypes): JsonSchema[] {
  return zodSchemasOf(handler.controller, handler.method, type).map((schema) => inputJsonSchema(schema) as JsonSchema);
}

/** One parameter per property of `schema`. */
function parametersOf(schema: JsonSchema, where: 'query' | 'path'): Parameter[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (schema.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function addParameters(operation: Operation, parameters: Parameter[]): void {
  const list = (operation.parameters ??= []);
  for (const parameter of parameters) {
    if (!list.some((p) => p.name === parameter.name && p.in === parameter.in)) list.push(parameter);
  }
}

function documentOperation(path: string, operation: Operation, handler: Handler | undefined): void {
  if (handler) {
    for (const schema of zodArguments(handler, RouteParamtypes.QUERY)) addParameters(operation, parametersOf(schema, 'query'));
    for (const schema of zodArguments(handler, RouteParamtypes.PARAM)) addParameters(operation, parametersOf(schema, 'path'));
    const multipart = Reflect.getMetadata(
      MULTIPART_BODY,
      (handler.controller.prototype as Record<string, object>)[handler.method]!,
    ) as { description: string; schema: unknown } | undefined;
    if (multipart) {
      operation.requestBody ??= { required: true, content: {} };
      operation.requestBody.description ??= multipart.description;
      operation.requestBody.content['multipart/form-data'] = { schema: multipart.schema };
    }
  }
  // OpenAPI requires every templated parameter to be declared; routes reading `@Param()` whole
  // without a pipe leave theirs undeclared.
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  addParameters(
    operation,
    templated.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
  );
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  operation.responses['4XX'] ??= { description: 'Client error in the one error shape', ...error };
  operation.responses['5XX'] ??= { description: 'Server error in the one error shape', ...error };
}

/** Adds what Nest's explorer leaves out (see the header comment) to `document`, in place. */
export function completeDocument(app: NestFastifyApplication, document: OpenAPIObject): OpenAPIObject {
  const handlers = handlersByOperationId(app);
  const { $schema: _dialect, ...errorSchema } = outputJsonSchema(errorBodySchema);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Error: errorSchema } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      // A method mapped to several paths gets `<Class>_<method>[<n>]` ids.
      const id = operation.operationId?.replace(/\[\d+\]$/, '');
      documentOperation(path, operation, id ? handlers.get(id) : undefined);
    }
  }
  return document;
}

export function serveOpenApi(app: NestFastifyApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Portico control plane')
    .setDescription(
      'Anypoint-dialect Access Management, Exchange and API Manager REST API for managing MCP servers behind Portico gateways.',
    )
    .setVersion(version)
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  const document = completeDocument(app, SwaggerModule.createDocument(app, config));
  app
    .getHttpAdapter()
    .getInstance()
    .get('/openapi.json', (_req, reply) => {
      void reply.header('content-type', 'application/json; charset=utf-8').send(document);
    });
}
