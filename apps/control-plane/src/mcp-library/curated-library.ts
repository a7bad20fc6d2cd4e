/**
 * The library Portico ships: curated-library.json, a registry export of well-known remote MCP
 * servers (and the reference server-everything, whose URL is the `{baseUrl}` the installer
 * gives). Read once at start and validated like an import; an invalid file fails the start.
 * Curated entries are not rows: their ids are UUID v5 of `name@version` in a fixed namespace, so
 * an id stays the same across restarts and control planes. The JSON is imported (not read from
 * disk) so the compiler copies it next to the compiled module.
 */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import curated from './curated-library.json' with { type: 'json' };
import type { LibraryEntry } from './mcp-library.view.js';
import { validateLibraryDocument } from './server-json.js';

/** The namespace of curated entry ids. Never change it: ids are API. */
export const CURATED_NAMESPACE = '3f0c7b52-8a4e-4b8e-9d6a-52c1e0f4a7d9';

/** RFC 9562 UUID version 5 (SHA-1) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The curated entries of `document`; throws naming every problem when it is not a valid library. */
export function loadCuratedLibrary(document: unknown): LibraryEntry[] {
  const result = validateLibraryDocument(document);
  if (!result.valid) {
    throw new Error(
      `curated-library.json is not a valid MCP library: ${result.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.servers.map((server) => ({
    id: uuidV5(`${server.name}@${server.version}`, CURATED_NAMESPACE),
    source: 'portico' as const,
    server,
    createdBy: null,
    createdAt: null,
  }));
}

@Injectable()
export class CuratedLibrary {
  /** Sorted by name, then version. */
  readonly entries: readonly LibraryEntry[] = Object.freeze(
    loadCuratedLibrary(curated).sort(
      (a, b) => a.server.name.localeCompare(b.server.name) || a.server.version.localeCompare(b.server.version),
    ),
  );

  find(id: string): LibraryEntry | undefined {
    return this.entries.find((e) => e.id === id.toLowerCase());
  }
}
