/**
 * The fetch policies call out with (CompileContext.fetch: token introspection, JWKS). Their URLs
 * are configuration like an upstream URL, so they get the same address policy
 * (PORTICO_GATEWAY_UPSTREAM_DENY): without it, an introspection or JWKS URL could reach the
 * metadata service or the gateway's own endpoints that an upstream URL may not. The check is
 * per connection, so a redirect to a denied address fails too. Without a policy this is the
 * global fetch, unchanged.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { UpstreamAddressDenied, UpstreamAddressPolicy } from './address-policy.js';

export function outboundFetch(
  policy: UpstreamAddressPolicy | undefined,
  connectTimeoutMs: number,
  onDenied: (origin: string, denied: UpstreamAddressDenied) => void,
): typeof fetch {
  if (!policy) return fetch;
  const agent = new Agent({ connect: policy.connector({ timeout: connectTimeoutMs }, onDenied) });
  // undici's fetch is the global fetch's implementation; its types are declared apart.
  const through = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    });
  return through as unknown as typeof fetch;
}
