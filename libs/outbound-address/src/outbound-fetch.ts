/**
 * A fetch held to an address policy, for calls to URLs that are configuration someone typed: the
 * gateway's policies' calls (token introspection, JWKS), the control plane's alert webhooks.
 * Without it such a URL could reach the metadata service or the process's own endpoints. The check
 * is per connection, so a redirect to a denied address fails too. Without a policy this is the
 * global fetch, unchanged.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { AddressDenied, AddressPolicy } from './address-policy.js';

/**
 * A fetch that connects only where `policy` allows: a refused connection rejects the fetch with a
 * TypeError whose `cause` is the {@link AddressDenied}, which `onDenied` also sees with its origin.
 */
export function outboundFetch(
  policy: AddressPolicy | undefined,
  connectTimeoutMs: number,
  onDenied: (origin: string, denied: AddressDenied) => void = () => undefined,
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
