/**
 * The OpenAPI document of every route, built from the controllers' decorators (bodies come from
 * the same zod schemas the routes validate with, see common/openapi.ts) and served unauthenticated
 * at GET /openapi.json.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

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
  const document = SwaggerModule.createDocument(app, config);
  app
    .getHttpAdapter()
    .getInstance()
    .get('/openapi.json', (_req, reply) => {
      void reply.header('content-type', 'application/json; charset=utf-8').send(document);
    });
}
