/**
 * MCP 2026-07-28 mirrors parts of the body in request headers (`Mcp-Method`, `Mcp-Name`) so
 * intermediaries can route without parsing. A value that is not plain visible ASCII is sent as
 * `=?base64?<base64 of the UTF-8 bytes>?=`.
 */

/** First protocol version whose requests carry mirrored headers that must match the body. */
export const MIRRORED_HEADERS_VERSION = '2026-07-28';

/** True when `protocolVersion` (the `MCP-Protocol-Version` header) requires header–body validation. */
export function requiresMirroredHeaders(protocolVersion: string | undefined): boolean {
  // Versions are ISO dates, so they order as strings.
  return (
    protocolVersion !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(protocolVersion) && protocolVersion >= MIRRORED_HEADERS_VERSION
  );
}

const ENCODED = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** Decodes a mirrored header value (`=?base64?…?=` or plain); undefined when the encoding is broken. */
export function decodeMirroredHeader(value: string): string | undefined {
  const match = ENCODED.exec(value.trim());
  if (!match) return value.trim();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(match[1] ?? ''), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Encodes a value for a mirrored header: as is when visible ASCII, else `=?base64?…?=`. */
export function encodeMirroredHeader(value: string): string {
  if (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)) return value;
  const bytes = new TextEncoder().encode(value);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `=?base64?${btoa(binary)}?=`;
}
