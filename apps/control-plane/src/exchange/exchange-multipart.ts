import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error.js';

export interface UploadedPart {
  field: string;
  filename?: string;
  content: Buffer;
}

export interface MultipartUpload {
  /** plain fields; a repeated field keeps its last value */
  fields: Record<string, string>;
  files: UploadedPart[];
}

/**
 * Reads a whole multipart/form-data body into memory. `limitBytes` caps the sum of all files
 * (the plugin caps each file at the same value); either limit is a 413.
 */
export async function readMultipart(req: FastifyRequest, limitBytes: number): Promise<MultipartUpload> {
  const fields: Record<string, string> = {};
  const files: UploadedPart[] = [];
  let total = 0;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const content = await part.toBuffer();
        total += content.length;
        if (total > limitBytes) throw new DomainError('PAYLOAD_TOO_LARGE', 'Upload is larger than the allowed limit');
        files.push({ field: part.fieldname, filename: part.filename, content });
      } else {
        if (part.valueTruncated)
          throw new DomainError('PAYLOAD_TOO_LARGE', `Form field ${part.fieldname} is larger than the allowed limit`);
        fields[part.fieldname] = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      }
    }
  } catch (err) {
    // The plugin parses fields sent with Content-Type application/json and answers 406 when that fails.
    if ((err as { code?: string }).code === 'FST_INVALID_JSON_FIELD_ERROR') {
      throw new DomainError('MALFORMED_BODY', 'A form field sent as application/json is not valid JSON');
    }
    throw err;
  }
  return { fields, files };
}
