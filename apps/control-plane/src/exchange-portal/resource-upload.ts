/**
 * The body of POST …/portal/draft/resources: multipart/form-data with one file part, whatever its
 * field name (anypoint-cli sends `files.<ext>`, Exchange's docs `data` or `file`), and optionally a
 * `Content-Type` field giving the file's media type (Exchange's docs). The file may be at most
 * PORTICO_UPLOAD_LIMIT_BYTES; a larger one is a 413 naming the limit.
 */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error.js';
import { validationError } from '../common/validation.js';
import { readMultipart } from '../exchange/exchange-multipart.js';
import { isMediaType } from './resource-file.js';

export interface ResourceUpload {
  filename?: string;
  content: Buffer;
  /** the `Content-Type` field, when sent */
  contentType?: string;
}

const CONTENT_TYPE_FIELD = 'Content-Type';

/** `bytes` as people read a limit: `10 MiB (10485760 bytes)`. */
function describeLimit(bytes: number): string {
  if (bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MiB (${bytes} bytes)`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB (${bytes} bytes)`;
  return `${bytes} bytes`;
}

export async function readResourceUpload(req: FastifyRequest, limitBytes: number): Promise<ResourceUpload> {
  if (!req.isMultipart()) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be multipart/form-data to upload a resource');
  }
  let upload;
  try {
    upload = await readMultipart(req, limitBytes);
  } catch (err) {
    // The multipart plugin stops a file at the same limit (app.ts) before readMultipart sees it whole.
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new DomainError('PAYLOAD_TOO_LARGE', `A portal resource may be at most ${describeLimit(limitBytes)}`);
    }
    throw err;
  }
  const unknown = Object.keys(upload.fields).filter((name) => name !== CONTENT_TYPE_FIELD);
  if (unknown.length) {
    throw validationError(
      unknown.map((name) => ({
        path: `/body/${name}`,
        message: `is not a field of a resource upload (it takes one file and ${CONTENT_TYPE_FIELD})`,
        errorCode: 'unrecognized_keys.validation',
      })),
    );
  }
  const [file, ...more] = upload.files;
  if (!file || more.length) {
    const message = file ? `must hold one file, not ${upload.files.length}` : 'must hold the file to upload (a file part)';
    throw validationError([{ path: '/body', message }]);
  }
  if (file.content.length === 0) throw validationError([{ path: `/body/${file.field}`, message: 'is an empty file' }]);
  const contentType = upload.fields[CONTENT_TYPE_FIELD]?.trim();
  if (contentType !== undefined && !isMediaType(contentType)) {
    throw validationError([{ path: `/body/${CONTENT_TYPE_FIELD}`, message: 'must be a media type such as image/png' }]);
  }
  return { filename: file.filename, content: file.content, contentType };
}
