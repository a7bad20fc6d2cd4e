/**
 * `cors` (contract §10.6): Cross-Origin Resource Sharing for browser-based MCP clients. Apply it
 * first: the preflight is answered before any authentication policy (browsers send no
 * credentials with it), and the CORS headers go on every answer, the gateway's own included (a
 * browser must be able to read a 401 and its challenge).
 *
 * - `publicResource` (the default): any origin, `Access-Control-Allow-Origin: *`, no
 *   credentials; a preflight is allowed the method and headers it asks for (or the first origin
 *   group's, when there is one).
 * - Otherwise only the origins of `originGroups`; the first group naming the request's origin
 *   gives the allowed methods (`allowedMethods` with `isAllowed`, or `methods`), headers,
 *   exposed headers and max age; `supportCredentials` adds `Access-Control-Allow-Credentials`.
 *   The origin is echoed, with `Vary: Origin`.
 * - A preflight (OPTIONS with `Access-Control-Request-Method`) from an allowed origin is
 *   answered 204 here; from another origin 403. Other requests pass either way: without the
 *   CORS headers a browser does not let the page read the answer.
 * Exposed to the page besides the configured headers: `Mcp-Session-Id`, `Mcp-Protocol-Version`
 * and `WWW-Authenticate`, which MCP clients read.
 */
import type { HeaderEdit } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type HttpRequestVerdict, type Verdict } from '../../policy-contract/verdict.js';

interface OriginGroup {
  origins?: string[];
  accessControlMaxAge?: number;
  allowedMethods?: { methodName: string; isAllowed?: boolean }[];
  methods?: string[];
  headers?: string[];
  exposedHeaders?: string[];
}

interface CorsConfig {
  publicResource?: boolean;
  supportCredentials?: boolean;
  originGroups?: OriginGroup[];
}

/** What one origin group allows, as header values. */
interface Allowance {
  readonly methods: string | undefined;
  readonly headers: string | undefined;
  readonly maxAge: string;
  readonly response: Verdict<HeaderEdit>;
}

const MCP_EXPOSED = ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'];
const REFUSED: HttpRequestVerdict<never> = Object.freeze({
  kind: 'reject',
  error: Object.freeze({ kind: 'forbidden', message: 'The origin is not allowed' }),
});

function allowance(group: OriginGroup | undefined, origin: string | undefined, credentials: boolean): Allowance {
  const methods = group?.allowedMethods?.length
    ? group.allowedMethods.filter((m) => m.isAllowed !== false).map((m) => m.methodName)
    : (group?.methods ?? []);
  const exposed = [...new Set([...(group?.exposedHeaders ?? []).map((h) => h.toLowerCase()), ...MCP_EXPOSED])];
  const set: Record<string, string> = {
    'access-control-allow-origin': origin ?? '*',
    'access-control-expose-headers': exposed.join(', '),
  };
  if (origin !== undefined) set.vary = 'Origin';
  if (credentials) set['access-control-allow-credentials'] = 'true';
  return {
    methods: methods.length > 0 ? methods.join(', ') : undefined,
    headers: group?.headers?.length ? group.headers.join(', ') : undefined,
    maxAge: String(group?.accessControlMaxAge ?? 30),
    response: Object.freeze({ kind: 'mutate', message: Object.freeze({ set: Object.freeze(set) }) }),
  };
}

export const corsFactory: PolicyFactory<CorsConfig> = {
  type: 'cors',
  compile(config) {
    const groups = config.originGroups ?? [];
    const isPublic = config.publicResource !== false;
    const credentials = !isPublic && config.supportCredentials === true;
    const publicAllowance = isPublic ? allowance(groups[0], undefined, false) : undefined;
    // Origin -> its group's allowance (origins echoed; compiled once per origin listed).
    const byOrigin = new Map<string, Allowance>();
    if (!isPublic) {
      for (const group of groups) {
        for (const origin of group.origins ?? []) {
          const normalized = origin.replace(/\/$/, '');
          if (!byOrigin.has(normalized)) byOrigin.set(normalized, allowance(group, normalized, credentials));
        }
      }
    }
    const allowed = (origin: string): Allowance | undefined => publicAllowance ?? byOrigin.get(origin);

    return {
      warnings: [],
      policy: {
        name: 'cors',
        onHttpRequest({ exchange }) {
          const origin = exchange.headers.origin;
          const requested = exchange.headers['access-control-request-method'];
          if (origin === undefined || exchange.httpMethod !== 'OPTIONS' || requested === undefined) return PASS;
          const rule = allowed(origin);
          if (!rule) return REFUSED;
          const requestedHeaders = exchange.headers['access-control-request-headers'];
          return {
            kind: 'respond',
            status: 204,
            headers: {
              'access-control-allow-methods': rule.methods ?? requested,
              ...((rule.headers ?? requestedHeaders)
                ? { 'access-control-allow-headers': (rule.headers ?? requestedHeaders)! }
                : {}),
              'access-control-max-age': rule.maxAge,
            },
          };
        },
        onHttpResponse({ exchange }) {
          const origin = exchange.headers.origin;
          if (origin === undefined) return PASS;
          return allowed(origin)?.response ?? PASS;
        },
      },
    };
  },
};
