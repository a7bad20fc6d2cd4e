/**
 * An upstream that is itself an OAuth protected resource (seed 002 scenario 2, MCP authorization
 * option B "re-expose the upstream's auth"), for APIs none of whose policies makes the gateway
 * the resource server:
 * - its protected-resource metadata is fetched from the upstream (the path-inserted well-known
 *   URL of the upstream's resource, then the root one, as clients try them) and served at the
 *   gateway's well-known URL with `resource` rewritten to the URL the client addresses;
 * - `resource_metadata` in its 401 and 403 challenges is rewritten to that gateway URL, keeping
 *   `error`, `error_description` and `scope`.
 * Tokens are then issued for the gateway's URL, and the upstream must accept that audience: a
 * compatibility mode, as the MCP authorization specification describes it.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CompiledUpstream } from '../config/compiled-config.js';
import { PROTECTED_RESOURCE_PREFIX } from '../data-plane/public-url.js';
import { UpstreamCall } from '../upstream/forward.js';

const RESOURCE_METADATA = /resource_metadata="[^"]*"/;

/** Protected-resource metadata is a small JSON document; a larger answer is not one. */
const METADATA_LIMIT_BYTES = 64 * 1024;

/** The upstream's metadata for the resource at `restPath`, with `resource` set to `resource`; undefined when it has none. */
export async function relayedResourceMetadata(
  dispatcher: Dispatcher,
  upstream: CompiledUpstream,
  restPath: string,
  resource: string,
  res: ServerResponse,
  timeoutMs: number,
): Promise<string | undefined> {
  const upstreamPath = `${upstream.pathPrefix}${restPath}`;
  for (const path of [`${PROTECTED_RESOURCE_PREFIX}${upstreamPath}`, PROTECTED_RESOURCE_PREFIX]) {
    const call = new UpstreamCall(res, timeoutMs);
    try {
      const head = await call.start(dispatcher, {
        method: 'GET',
        path,
        headers: ['accept', 'application/json'],
        body: undefined,
      });
      const body = await call.readAll(METADATA_LIMIT_BYTES);
      if (head.statusCode !== 200) continue;
      const metadata = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) continue;
      return JSON.stringify({ ...metadata, resource });
    } catch {
      continue;
    } finally {
      call.finish();
    }
  }
  return undefined;
}

/** `headers` (flat) with the `resource_metadata` of `WWW-Authenticate` pointing at `metadataUrl`. */
export function relayedChallenges<V extends string | string[]>(headers: V[], metadataUrl: string): (V | string)[] {
  const out: (V | string)[] = [...headers];
  for (let i = 0; i < out.length; i += 2) {
    const value = out[i + 1];
    if (String(out[i]).toLowerCase() === 'www-authenticate' && typeof value === 'string' && RESOURCE_METADATA.test(value)) {
      out[i + 1] = value.replace(RESOURCE_METADATA, `resource_metadata="${metadataUrl}"`);
    }
  }
  return out;
}
