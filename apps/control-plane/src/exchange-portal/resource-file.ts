/**
 * Names and media types of portal resources.
 *
 * A resource is stored as `<name>-<uuid>.<ext>` and linked from pages as `resources/<that>`, the
 * shape Exchange answers (`resources/download-7c128f6d-78d4-4207-bd46-6cf9759af671.png`). The
 * random part keeps two uploads of `logo.png` apart, and the name is reduced to characters that
 * read back unchanged in a URL: anypoint-cli appends the path to its URLs without encoding it.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';

const MAX_NAME_LENGTH = 64;

/** Media types by extension: the image types anypoint-cli names as supported, and a few documents. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  jpe: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  png: 'image/png',
  webp: 'image/webp',
  ico: 'image/vnd.microsoft.icon',
  svg: 'image/svg+xml',
  tiff: 'image/tiff',
  tif: 'image/tiff',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

/** `type/subtype` with optional parameters (RFC 9110 tokens). */
const MEDIA_TYPE =
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=("[^"]*"|[^\s;"]+))*$/;

export function isMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value);
}

/** The stored name of an upload called `filename` (see the header); `file` when it has none. */
export function resourceFileName(filename: string | undefined): string {
  const parsed = path.parse(filename ?? '');
  const extension = parsed.ext.slice(1).toLowerCase();
  const name =
    parsed.name
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_NAME_LENGTH) || 'file';
  return `${name}-${randomUUID()}${/^[a-z0-9]{1,16}$/.test(extension) ? `.${extension}` : ''}`;
}

/** The media type of a resource stored as `fileName`, by its extension. */
export function mediaTypeOf(fileName: string): string {
  return MEDIA_TYPES[path.extname(fileName).slice(1)] ?? 'application/octet-stream';
}
