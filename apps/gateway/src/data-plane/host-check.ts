/**
 * DNS-rebinding protection for everything behind the gateway (MCP transport: a server must
 * validate Origin; the gateway does it for its upstreams, and checks Host too). A request is
 * refused with 403 when its Host, or its Origin when a browser sent one, names a host the API is
 * not reached by.
 *
 * Allowed: the API's own names (Listener.hosts: proxyUri's host, the instance's public URL), the
 * gateway's configured names (PORTICO_GATEWAY_HOSTS, `*.example.com` for any subdomain), and
 * names a rebinding attack cannot produce: IP literals and loopback names (`localhost`,
 * `*.localhost`). Rebinding works by making an attacker's DNS name resolve to the victim, so the
 * browser sends the attacker's NAME; an address or a loopback name never comes from it. Allowing
 * them on every listener keeps direct and port-forwarded access (`localhost:8081` in front of a
 * container's 0.0.0.0 listener) working. A request without Host (HTTP/1.0) is not from a browser.
 * An API with a `cors` policy leaves Origin to it (the origins it allows are cross-origin by
 * design); its Host is still checked, which is what rebinding forges.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { CompiledApi } from '../config/compiled-config.js';
import { hostWithoutPort } from './router.js';

export class HostCheck {
  private readonly names = new Set<string>();
  /** `.example.com` for a configured `*.example.com`. */
  private readonly suffixes: string[] = [];

  /** `configured`: PORTICO_GATEWAY_HOSTS entries, lower case. */
  constructor(configured: readonly string[]) {
    for (const name of configured) {
      if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
      else this.names.add(name);
    }
  }

  /** Why the request must be refused (the 403's message), or undefined when it may go on. */
  refusal(api: CompiledApi, headers: IncomingHttpHeaders): string | undefined {
    const host = hostWithoutPort(headers.host);
    if (host !== undefined && !this.allows(api, host)) return `Host ${clip(host)} is not served by this gateway`;
    const origin = headers.origin;
    if (origin === undefined || api.corsOrigins) return undefined;
    const originHost = URL.parse(origin)?.hostname;
    if (originHost === undefined || originHost === '' || !this.allows(api, originHost.toLowerCase())) {
      return `Origin ${clip(origin)} is not allowed for this API`;
    }
    return undefined;
  }

  private allows(api: CompiledApi, host: string): boolean {
    if (api.hosts.has(host) || this.names.has(host)) return true;
    if (host === 'localhost' || host.endsWith('.localhost')) return true;
    if (isIP(host.startsWith('[') ? host.slice(1, -1) : host) !== 0) return true;
    return this.suffixes.some((suffix) => host.endsWith(suffix));
  }
}

function clip(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
