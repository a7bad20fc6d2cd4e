/**
 * Routing of one request: the API by base path (longest match, whole segments only), then the
 * API's first matching route, then a weighted choice among the route's upstreams.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledApi, CompiledRoute, CompiledUpstream } from '../config/compiled-config.js';

/** A request path routed to an API; `restPath` is the path after the base path ('' for the base path itself). */
export interface ApiMatch {
  readonly api: CompiledApi;
  readonly restPath: string;
}

/** `/demo` serves `/demo` and `/demo/…` but not `/demox`; `apis` must be longest base path first. */
export function matchApi(apis: readonly CompiledApi[], path: string): ApiMatch | undefined {
  for (const api of apis) {
    const base = api.basePath;
    if (base === '/') return { api, restPath: path };
    if (path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47)) {
      return { api, restPath: path.slice(base.length) };
    }
  }
  return undefined;
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * True when the path has a `.` or `..` segment (also percent-encoded): the rest of the path is
 * appended to the upstream URL, and an upstream that resolves dot segments would let the
 * request escape the upstream's base path.
 */
export function hasDotSegment(path: string): boolean {
  return (path.includes('.') || path.includes('%')) && DOT_SEGMENT.test(path);
}

/** The Host header without its port, lower case. */
export function hostWithoutPort(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/** The first route whose rules all match, or undefined. */
export function selectRoute(
  api: CompiledApi,
  method: string,
  restPath: string,
  headers: IncomingHttpHeaders,
): CompiledRoute | undefined {
  const path = restPath === '' ? '/' : restPath;
  for (const route of api.routes) {
    if (route.disabled) continue;
    if (route.methods && !route.methods.has(method)) continue;
    if (route.path && !route.path.test(path)) continue;
    if (route.host !== undefined && hostWithoutPort(headers.host) !== route.host) continue;
    let headersMatch = true;
    for (const [name, pattern] of route.headers) {
      const value = headers[name];
      if (value === undefined || !pattern.test(Array.isArray(value) ? value.join(', ') : value)) {
        headersMatch = false;
        break;
      }
    }
    if (headersMatch) return route;
  }
  return undefined;
}

/** A weighted random choice among the route's upstreams. */
export function pickUpstream(route: CompiledRoute, random: () => number = Math.random): CompiledUpstream {
  const targets = route.targets;
  if (targets.length === 1) return targets[0]!.upstream;
  let point = random() * route.totalWeight;
  for (const target of targets) {
    point -= target.weight;
    if (point < 0) return target.upstream;
  }
  return targets[targets.length - 1]!.upstream;
}
