/**
 * The one place errors become HTTP responses.
 *
 * Body: `{ status, name, code, message, errors? }` — a superset of the Anypoint shapes (contract
 * §1.4: `{name,message}`, `{status,message}`, and `errors[]` for validation) plus Portico's `code`.
 * Every response carries `x-request-id`. A database that cannot be reached is a 503
 * DATABASE_UNAVAILABLE (logged once per outage, not per request); every 503 carries Retry-After.
 * Other unknown errors are logged with their stack and answered with a generic 500: nothing
 * internal reaches the caller.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DatabaseOutage } from './database-outage.js';
import { DomainError } from './domain-error.js';
import { type ErrorCode, errorName, errorStatus } from './error-codes.js';

/** Fastify's default limit on a path parameter's length (its router answers 414 past it). */
export const MAX_PARAM_LENGTH = 100;

/**
 * Retry-After of a 503 that does not set its own: what is down (the database restarting or
 * failing over, the sync service still starting) is usually back within seconds.
 */
const RETRY_AFTER_SECONDS = 5;

/** The one error body; also the `Error` schema of the OpenAPI document. */
export const errorBodySchema = z.object({
  status: z.number().int().describe('the HTTP status'),
  name: z.string().describe('the Anypoint error name, e.g. BadRequestError, NotFoundError'),
  code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]).describe('Portico error code'),
  message: z.string().describe('what went wrong, naming the field or cause'),
  errors: z
    .array(
      z.object({
        path: z.string().describe('e.g. /body/endpoint/isCloudHub'),
        message: z.string(),
        errorCode: z.string().optional(),
      }),
    )
    .optional()
    .describe('every validation issue'),
});
export type ErrorBody = z.output<typeof errorBodySchema>;

/** Fastify's own errors (routing, body parsing, limits) carry a `code` like FST_ERR_CTP_BODY_TOO_LARGE. */
interface FastifyError {
  code?: string;
  statusCode?: number;
  message?: string;
}

function fromFastify(err: FastifyError): DomainError | undefined {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      // "'/a/%zz' is not a valid url component": a percent-escape that does not decode
      return new DomainError('MALFORMED_URL', err.message ?? 'Malformed URL');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError('URI_TOO_LONG', `A path parameter is longer than ${MAX_PARAM_LENGTH} characters`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE', 'Request body is larger than the allowed limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Unsupported Content-Type: ${err.message?.replace(/^Unsupported Media Type:?\s*/i, '') ?? ''}`.trim(),
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('MALFORMED_BODY', "Body cannot be empty when content-type is set to 'application/json'");
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('MALFORMED_BODY', 'Request body size did not match Content-Length');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new DomainError('MALFORMED_BODY', 'A multipart field declared as JSON is not valid JSON');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be multipart/form-data');
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new DomainError('PAYLOAD_TOO_LARGE', 'Upload is larger than the allowed limit');
    default:
      break;
  }
  // JSON.parse errors surfaced by the content-type parser
  if (err.statusCode === 400 && err instanceof SyntaxError) {
    return new DomainError('MALFORMED_BODY', `Malformed JSON body: ${err.message}`);
  }
  // Any other client error of the framework keeps its status and Fastify's message (which names
  // the cause, never internals); a framework 5xx is a bug and goes the unknown-error way.
  const status = err.statusCode;
  if (err.code?.startsWith('FST_') && status !== undefined && status >= 400 && status < 500) {
    return fromStatus(status, err.message ?? 'Bad request');
  }
  if (status === 400 && typeof err.message === 'string') {
    return new DomainError('MALFORMED_BODY', err.message);
  }
  return undefined;
}

/** The common code for a framework client error of `status`. */
function fromStatus(status: number, message: string): DomainError {
  switch (status) {
    case 400:
      // Our own validation throws DomainError, so a framework 400 comes from body parsing.
      return new DomainError('MALFORMED_BODY', message);
    case 404:
      return new DomainError('ROUTE_NOT_FOUND', message);
    case 405:
      return new DomainError('METHOD_NOT_ALLOWED', message);
    case 401:
      return new DomainError('UNAUTHENTICATED', message);
    case 403:
      return new DomainError('FORBIDDEN', message);
    case 413:
      return new DomainError('PAYLOAD_TOO_LARGE', message);
    case 414:
      return new DomainError('URI_TOO_LONG', message);
    case 415:
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', message);
    default:
      return status < 500 ? new DomainError('VALIDATION_FAILED', message) : new DomainError('INTERNAL', 'Internal server error');
  }
}

const logger = new Logger('HttpExceptionFilter');
const databaseOutage = new DatabaseOutage(logger, 'requests that need it are answered 503 DATABASE_UNAVAILABLE');

function toDomainError(exception: unknown, request: FastifyRequest): DomainError {
  if (exception instanceof DomainError) return exception;
  if (exception instanceof HttpException) return fromStatus(exception.getStatus(), exception.message);
  // Not retried here: a write whose connection broke was rolled back by Postgres (or, if its
  // COMMIT got through, is done); only the caller knows whether to send it again.
  if (databaseOutage.failed(exception))
    return new DomainError('DATABASE_UNAVAILABLE', 'The database is unavailable; retry later');
  const fromFramework = exception && typeof exception === 'object' ? fromFastify(exception as FastifyError) : undefined;
  if (fromFramework) return fromFramework;
  // The route's pattern, not the URL: some URLs carry secrets (a consent link's state, a callback's code).
  logger.error(
    `unhandled error on ${request.method} ${request.routeOptions.url ?? '(no route)'} (request ${request.id})`,
    exception instanceof Error ? exception.stack : String(exception),
  );
  return new DomainError('INTERNAL', 'Internal server error');
}

/**
 * Answers `exception` in the one error shape. The Nest filter below uses it for everything Nest
 * sees; app.ts uses it for the router's own errors (bad URL, over-long parameter), which Fastify
 * raises before any Nest layer runs.
 */
export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toDomainError(exception, request);
  const status = errorStatus[error.code];
  const body: ErrorBody = { status, name: errorName(status), code: error.code, message: error.message };
  if (error.details?.length) body.errors = error.details;
  // A Retry-After already set (a throttled login's own) is kept.
  if (status === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  // JSON whatever the route set before failing (Nest's @Header applies before the interceptors run).
  void reply.status(status).header('x-request-id', request.id).type('application/json; charset=utf-8').send(body);
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendError(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }
}
