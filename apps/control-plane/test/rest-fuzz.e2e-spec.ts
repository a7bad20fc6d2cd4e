/**
 * Property-based fuzzing of every REST route (issue 12). The routes come from the running app's
 * own router (support/route-table.ts), so a new route is fuzzed the day it is added. Each route
 * gets fuzzed path parameters, queries and bodies (support/rest-fuzz-inputs.ts), sent over real
 * sockets as the admin of a tenant that has one of every resource (so real ids reach the deeper
 * validation). Every answer must be below 500, and every error answer must be the one error body
 * `{ status, name, code, message, errors? }` of http-exception.filter.ts, its code's status, with
 * an `x-request-id` and no stack trace. All failures are collected and reported together, each
 * with how to replay it (support/fuzz-run.ts).
 *
 * Writes happen (a fuzzed body may be valid), all in the fuzz tenant. DELETE routes run last,
 * deepest paths first, so the tenant's resources last as long as possible; the second user (not
 * the admin) stands in for user ids, and logout gets a token of its own each time. What the fuzz
 * found only through a sequence of requests is pinned by a test of its own below.
 */
import fc from 'fast-check';
import { Agent } from 'undici';
import { errorBodySchema } from '../src/common/http-exception.filter.js';
import { errorStatus } from '../src/common/error-codes.js';
import { newTenant, uniqueName } from './support/factories.js';
import { registerGateway } from './support/gateways.js';
import { useControlPlane } from './support/harness.js';
import { registeredRoutes, type RegisteredRoute } from './support/route-table.js';
import { PATH_PARAMS, populateTenant, type TenantResources } from './support/tenant-resources.js';
import { checkRoute, FUZZ_ROUTE, fuzzTimeoutMs } from './support/fuzz-run.js';
import { type JsonSchema, restInputs, type RestInput } from './support/rest-fuzz-inputs.js';

const FILE = 'apps/control-plane/test/rest-fuzz.e2e-spec.ts';
const RUNS_PER_ROUTE = 6;

/** The tenant's real id for each path parameter name. */
const REAL_IDS = PATH_PARAMS;

/** Routes that end the session of the token they are called with. */
const ENDS_SESSION = new Set(['POST /accounts/api/logout']);

/**
 * Pages a user's browser opens (gateway-managed OAuth's consent page and callbacks): their errors
 * are small HTML pages for a person, not the error body; they are held to the rest (below 500, no
 * stack trace) and to being a page.
 */
const BROWSER_PAGES = new Set([
  'GET /mcpgateway/api/v1/oauth/callback',
  'GET /mcpgateway/api/v1/oauth/signin-callback',
  'GET /mcpgateway/api/v1/oauth/consents/:state',
  'POST /mcpgateway/api/v1/oauth/consents/:state',
]);
const HTML_PAGE = /^<!doctype html><html lang="en">/;

/** A V8 stack frame after a newline, raw or escaped in a JSON string. */
const STACK_TRACE = /(?:\n|\\n)\s*at .+\(.+:\d+:\d+\)/;

/** What the oracle reads of an answer. */
interface Answer {
  status: number;
  requestId: string | undefined;
  body: string;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Why `res` is not an answer the REST API documents, or undefined when it is one. */
function undocumentedAnswer(res: Answer, page: boolean): string | undefined {
  if (res.status >= 500) return `${res.status} (a server error)`;
  if (STACK_TRACE.test(res.body)) return `${res.status} with a stack trace`;
  if (res.status < 400) return undefined;
  if (page && HTML_PAGE.test(res.body)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `${res.status} whose body is not JSON`;
  }
  const parsed = errorBodySchema.strict().safeParse(body);
  if (!parsed.success) return `${res.status} whose body is not the error body: ${parsed.error.message.slice(0, 300)}`;
  if (parsed.data.status !== res.status) return `${res.status} whose body says status ${parsed.data.status}`;
  if (errorStatus[parsed.data.code] !== res.status)
    return `${res.status} with code ${parsed.data.code}, whose status is ${errorStatus[parsed.data.code]}`;
  if (!res.requestId) return `${res.status} without x-request-id`;
  return undefined;
}

/** Non-DELETE routes in router order, then DELETE routes, deepest path first. */
function fuzzOrder(routes: RegisteredRoute[]): RegisteredRoute[] {
  const depth = (route: RegisteredRoute) => route.path.split('/').length;
  const deletes = routes.filter((r) => r.method === 'DELETE').sort((a, b) => depth(b) - depth(a));
  return [...routes.filter((r) => r.method !== 'DELETE' && r.method !== 'HEAD'), ...deletes];
}

describe('fuzzing every REST route', () => {
  const h = useControlPlane();
  let resources: TenantResources;
  let operations: Record<string, OpenApiOperation>;
  let routes: RegisteredRoute[];
  const dispatcher = new Agent();

  afterAll(() => dispatcher.close());

  beforeAll(async () => {
    resources = await populateTenant(h.cp, h.tenant);
    const doc = (await h.cp.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, OpenApiOperation>> };
    operations = Object.fromEntries(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, op]),
      ),
    );
    routes = fuzzOrder(registeredRoutes(h.cp.app));
  });

  /**
   * Sends `input` on a kept-alive connection, the path exactly as generated (no dot-segment
   * normalisation). Kept alive because Fastify answers a GET without reading its body: on a
   * connection the client asked to close, the unread body makes the server's close a reset, which
   * can destroy the answer before the client read it.
   */
  const send = async (route: RegisteredRoute, input: RestInput): Promise<Answer> => {
    const token = ENDS_SESSION.has(`${route.method} ${route.path}`)
      ? await h.cp.login(h.tenant.username, h.tenant.password)
      : h.tenant.token;
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (input.contentType) headers['content-type'] = input.contentType;
    const res = await dispatcher.request({
      origin: h.cp.url,
      path: input.url,
      method: route.method as 'GET',
      headers,
      body: input.body,
    });
    const requestId = res.headers['x-request-id'];
    return {
      status: res.statusCode,
      requestId: typeof requestId === 'string' ? requestId : undefined,
      body: await res.body.text(),
    };
  };

  it('reads a substantial route table from the router, every documented operation in it', () => {
    expect(routes.length).toBeGreaterThan(100);
    const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(Object.keys(operations).filter((key) => !keys.has(key))).toEqual([]);
  });

  it(
    'answers fuzzed parameters, queries and bodies on every route below 500, every error in the one error body',
    async () => {
      const failures: string[] = [];
      let fuzzed = 0;
      for (const route of routes) {
        const key = `${route.method} ${route.path}`;
        if (FUZZ_ROUTE !== undefined && key !== FUZZ_ROUTE) continue;
        const operation = operations[key];
        const inputs = restInputs({
          path: route.path,
          realId: (name) => {
            const id = REAL_IDS[name];
            return id && String(id(resources));
          },
          body: operation?.requestBody?.content?.['application/json']?.schema,
          queryNames: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        });
        const property = fc.asyncProperty(inputs, async (input) => {
          const res = await send(route, input);
          const reason = undocumentedAnswer(res, BROWSER_PAGES.has(key));
          if (reason) throw new Error(`${reason}\n  answer: ${res.body.slice(0, 500)}`);
        });
        const failure = await checkRoute(key, property, { runs: RUNS_PER_ROUTE, timeLimitMs: 15_000, file: FILE });
        if (failure) failures.push(failure);
        fuzzed++;
        // The control plane still serves the admin after each route.
        const me = await h.cp.request('GET', '/accounts/api/me', { token: h.tenant.token });
        if (me.status !== 200) throw new Error(`after fuzzing ${key}, GET /accounts/api/me answers ${me.status} ${me.text}`);
      }
      expect(fuzzed).toBe(FUZZ_ROUTE === undefined ? routes.length : 1);
      expect(failures).toEqual([]);
    },
    fuzzTimeoutMs(300_000),
  );

  // Found by this fuzz (PORTICO_FUZZ_SEED=7, PORTICO_FUZZ_RUNS=40): a deleted gateway target stays
  // as a tombstone that still references its environment, so deleting the environment broke the
  // foreign key (500). A fresh tenant, so the fuzzed one's state does not matter.
  it('deletes an environment whose gateway target was deleted, without a 500', async () => {
    const tenant = await newTenant(h.cp);
    const env = `/accounts/api/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const gateway = await registerGateway(h.cp, tenant, uniqueName('gw'));
    const target = `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateways/${gateway.gatewayId}`;
    expect((await h.cp.request('DELETE', target, { token: tenant.token })).status).toBe(202);
    const res = await h.cp.request('DELETE', env, { token: tenant.token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 204, body: undefined });
  });
});
