/**
 * Builds the control-plane HTTP application on Fastify. Used by main.ts and by the tests, so
 * both run the same wiring.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { answerClientError } from './common/client-errors.js';
import { MAX_PARAM_LENGTH, sendError } from './common/http-exception.filter.js';
import { nestLogLevels } from './common/log-levels.js';
import { rejectNulCharacters } from './common/nul-characters.js';
import type { Env } from './config/env.js';
import { useJsonBodyParser } from './json-body/json-body-parser.js';
import { serveConsole } from './console/console.js';
import { serveOpenApi } from './openapi/openapi.js';

/** Version reported in the OpenAPI document; the control plane ships with the gateway release. */
export const CONTROL_PLANE_VERSION = '1.0.0';

/**
 * The key pair of PORTICO_TLS_CERT_FILE / PORTICO_TLS_KEY_FILE, checked to form a usable TLS
 * context; undefined when the REST API serves plain HTTP. A file that cannot be read or a pair
 * that does not match stops the start with a message naming the variable.
 */
async function tlsKeyPair(env: Env): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  const { PORTICO_TLS_CERT_FILE: certFile, PORTICO_TLS_KEY_FILE: keyFile } = env;
  if (certFile === undefined || keyFile === undefined) return undefined;
  const read = (name: string, file: string) =>
    readFile(file).catch((err: Error) => {
      throw new Error(`${name}: cannot read ${file}: ${err.message}`);
    });
  const pair = { cert: await read('PORTICO_TLS_CERT_FILE', certFile), key: await read('PORTICO_TLS_KEY_FILE', keyFile) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(
      `PORTICO_TLS_CERT_FILE / PORTICO_TLS_KEY_FILE are not a usable certificate and key: ${(err as Error).message}`,
    );
  }
  return pair;
}

/** `https` when the REST API serves TLS (PORTICO_TLS_CERT_FILE), else `http`. */
export function apiScheme(env: Env): 'http' | 'https' {
  return env.PORTICO_TLS_CERT_FILE ? 'https' : 'http';
}

export async function createControlPlane(env: Env, databaseUrl: string): Promise<NestFastifyApplication> {
  const https = await tlsKeyPair(env);
  const adapter = new FastifyAdapter({
    ...(https && { https }),
    bodyLimit: env.PORTICO_BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    // request.ip (what the login throttle counts, what the audit trail records) is the client
    // before these proxies, from X-Forwarded-For; with none, the TCP peer.
    trustProxy: env.PORTICO_TRUSTED_PROXIES.length > 0 ? env.PORTICO_TRUSTED_PROXIES : false,
    genReqId: () => randomUUID(),
    // Anypoint paths are matched case-sensitively and without trailing-slash games.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // The router answers a bad percent-escape or an over-long parameter before any Nest layer
    // (filters included) runs; answer those in the one error shape too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendError(error, request, reply),
    // ... and bytes that are not a request at all.
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env, databaseUrl), adapter, {
    logger: nestLogLevels(env.PORTICO_LOG_LEVEL),
    abortOnError: false,
  });
  useJsonBodyParser(app, { bodyLimit: env.PORTICO_BODY_LIMIT_BYTES, maxDepth: env.PORTICO_BODY_MAX_DEPTH });
  await app.register(multipart as never, {
    limits: { fileSize: env.PORTICO_UPLOAD_LIMIT_BYTES, files: 20, fields: 200, fieldSize: 64 * 1024 },
  });
  // A multipart body is read only by its handler. When the request is answered before that (guard
  // 401/403/404, bad path), close the socket rather than keep one that still owes the body.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      if (request.isMultipart() && !request.raw.readableEnded) void reply.header('connection', 'close');
    });
  app.getHttpAdapter().getInstance().addHook('preValidation', rejectNulCharacters);
  serveOpenApi(app, CONTROL_PLANE_VERSION);
  serveConsole(app, env);
  app.enableShutdownHooks();
  return app;
}
