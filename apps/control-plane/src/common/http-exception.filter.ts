/**
 * The one place errors become HTTP responses.
 *
 * Body: `{ status, name, code, message, errors? }` — a superset of the Anypoint shapes (contract
 * §1.4: `{name,message}`, `{status,message}`, and `errors[]` for validation) plus Portico's `code`.
 * Every response carries `x-request-id`. Unknown errors are logged with their stack and answered
 * with a generic 500: nothing internal reaches the caller.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorDetail } from './domain-error.js';
import { type ErrorCode, errorName, errorStatus } from './error-codes.js';

export interface ErrorBody {
  status: number;
  name: string;
  code: ErrorCode;
  message: string;
  errors?: ErrorDetail[];
}

/** Fastify's own errors (body parsing, limits) carry a `code` like FST_ERR_CTP_BODY_TOO_LARGE. */
interface FastifyError {
  code?: string;
  statusCode?: number;
  message?: string;
}

function fromFastify(err: FastifyError): DomainError | undefined {
  switch (err.code) {
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
  if (err.statusCode === 400 && typeof err.message === 'string') {
    return new DomainError('MALFORMED_BODY', err.message);
  }
  return undefined;
}

function fromHttpException(err: HttpException): DomainError {
  const status = err.getStatus();
  const message = err.message;
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
    case 415:
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', message);
    default:
      return status < 500 ? new DomainError('VALIDATION_FAILED', message) : new DomainError('INTERNAL', 'Internal server error');
  }
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const error = this.toDomainError(exception, request);
    const status = errorStatus[error.code];
    const body: ErrorBody = { status, name: errorName(status), code: error.code, message: error.message };
    if (error.details?.length) body.errors = error.details;
    void reply.status(status).header('x-request-id', request.id).send(body);
  }

  private toDomainError(exception: unknown, request: FastifyRequest): DomainError {
    if (exception instanceof DomainError) return exception;
    if (exception instanceof HttpException) return fromHttpException(exception);
    const fromFramework = exception && typeof exception === 'object' ? fromFastify(exception as FastifyError) : undefined;
    if (fromFramework) return fromFramework;
    this.logger.error(
      `unhandled error on ${request.method} ${request.url} (request ${request.id})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new DomainError('INTERNAL', 'Internal server error');
  }
}
