import type {} from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error.js';
import { assertNoNulCharacter } from '../common/nul-characters.js';

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
 * (the plugin caps each file at the same value); either limit is a 413. A body the parser cannot
 * read (no boundary, cut short, bad part headers) is a 400 MALFORMED_BODY. Field names and values
 * are held to the rule of every other input (common/nul-characters.ts); file contents are bytes
 * and may hold anything.
 */
export async function readMultipart(req: FastifyRequest, limitBytes: number): Promise<MultipartUpload> {
  const fields: Record<string, string> = {};
  const files: UploadedPart[] = [];
  let total = 0;
  try {
    for await (const part of req.parts()) {
      assertNoNulCharacter(part.fieldname, 'body', [part.fieldname]);
      if (part.type === 'file') {
        assertNoNulCharacter(part.filename, 'body', [part.fieldname, 'filename']);
        const content = await part.toBuffer();
        total += content.length;
        if (total > limitBytes) throw new DomainError('PAYLOAD_TOO_LARGE', 'Upload is larger than the allowed limit');
        files.push({ field: part.fieldname, filename: part.filename, content });
      } else {
        if (part.valueTruncated)
          throw new DomainError('PAYLOAD_TOO_LARGE', `Form field ${part.fieldname} is larger than the allowed limit`);
        assertNoNulCharacter(part.value, 'body', [part.fieldname]);
        fields[part.fieldname] = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      }
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const code = (err as { code?: string }).code;
    // The plugin parses fields sent with Content-Type application/json and answers 406 when that fails.
    if (code === 'FST_INVALID_JSON_FIELD_ERROR') {
      throw new DomainError('MALFORMED_BODY', 'A form field sent as application/json is not valid JSON');
    }
    // The plugin's limits (413) are mapped by the exception filter.
    if (code?.startsWith('FST_')) throw err;
    // Everything else comes from the multipart parser (busboy), whose messages name the defect
    // ("Unexpected end of form", "Multipart: Boundary not found").
    throw new DomainError('MALFORMED_BODY', `Malformed multipart body: ${(err as Error).message}`);
  }
  return { fields, files };
}

/**
 * Answers an upload with `Connection: close`. anypoint-cli-v4 sends multipart bodies through
 * axios with `maxBodyLength` set, which (through follow-redirects) never ends a streamed request
 * on its side: the socket stays busy after the answer, and the CLI process exits only once the
 * server closes the connection, after the keep-alive timeout (72 s here). Closing the connection
 * after an upload lets `exchange asset upload`, `copy` and `mutableDataUpload` exit at once;
 * uploads are rare enough that the lost reuse costs nothing.
 */
export function closeConnectionAfterUpload(reply: FastifyReply): void {
  void reply.header('connection', 'close');
}
