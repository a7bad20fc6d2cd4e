/**
 * Small policies for pipeline tests, registered through the same PolicyFactory interface as
 * production policies (they are real policies, not mocks of the pipeline).
 */
import { type GatewayError, type MethodScope, type Policy, type PolicyFactory, PASS } from '#portico/policy-engine';
import type { JsonRpcResponse, JsonRpcResultResponse } from '#portico/mcp-jsonrpc';

/** What the recorder policy saw. */
export interface Sighting {
  label: string;
  phase: 'request' | 'response';
  method: string;
  target?: string;
  arguments?: Record<string, unknown>;
  sessionId?: string;
  upstreamId: string;
}

/** `deny-tool {tool, hide?}`: rejects tools/call of one tool. */
export const denyTool: PolicyFactory = {
  type: 'deny-tool',
  compile(config) {
    const tool = String(config.tool);
    const hide = config.hide === true;
    const policy: Policy = {
      name: 'deny-tool',
      methods: { 'tools/call': 'request' },
      onRequest(ctx) {
        if (ctx.call.target?.name !== tool) return PASS;
        const error: GatewayError = hide
          ? { kind: 'invalid-params', message: `Unknown tool: ${tool}` }
          : { kind: 'policy-denied', policy: 'deny-tool', code: -32050, message: `Tool ${tool} is not allowed` };
        return { kind: 'reject', error };
      },
    };
    return { policy, warnings: [] };
  },
};

/** `shout`: upper-cases `arguments.text` of tools/call (a request mutation). */
export const shout: PolicyFactory = {
  type: 'shout',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'shout',
        methods: { 'tools/call': 'request' },
        onRequest(_ctx, req) {
          const params = req.params as { arguments?: { text?: string } } | undefined;
          const text = params?.arguments?.text;
          if (typeof text !== 'string') return PASS;
          return {
            kind: 'mutate',
            message: { ...req, params: { ...params, arguments: { ...params?.arguments, text: text.toUpperCase() } } },
          };
        },
      },
    };
  },
};

/** `hide-tools {tools}`: removes tools from tools/list results (a response mutation). */
export const hideTools: PolicyFactory = {
  type: 'hide-tools',
  compile(config) {
    const hidden = new Set(config.tools as string[]);
    return {
      warnings: [],
      policy: {
        name: 'hide-tools',
        methods: { 'tools/list': 'response' },
        onResponse(_ctx, res) {
          if (!('result' in res)) return PASS;
          const result = res.result as { tools: { name: string }[] };
          return {
            kind: 'mutate',
            message: { ...res, result: { ...result, tools: result.tools.filter((t) => !hidden.has(t.name)) } },
          };
        },
      },
    };
  },
};

/** `redact`: prefixes every text content of tools/call results with `redacted:` (async, like a policy that calls out). */
export const redact: PolicyFactory = {
  type: 'redact',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'redact',
        methods: { 'tools/call': 'response' },
        async onResponse(_ctx, res) {
          await Promise.resolve();
          if (!('result' in res)) return PASS;
          const result = res.result as { content: { type: string; text?: string }[] };
          const content = result.content.map((c) => (c.type === 'text' ? { ...c, text: `redacted:${c.text}` } : c));
          const message: JsonRpcResultResponse = { ...res, result: { ...result, content } };
          return { kind: 'mutate', message };
        },
      },
    };
  },
};

/** `veto-response`: rejects every tools/call response with a policy error. */
export const vetoResponse: PolicyFactory = {
  type: 'veto-response',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'veto-response',
        methods: { 'tools/call': 'response' },
        onResponse: () => ({
          kind: 'reject',
          error: { kind: 'policy-denied', policy: 'veto-response', code: -32051, message: 'Result withheld' },
        }),
      },
    };
  },
};

/** `require-token`: 401 unless an Authorization header is present. */
export const requireToken: PolicyFactory = {
  type: 'require-token',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'require-token',
        onRequest(ctx) {
          if (ctx.exchange.headers.authorization) return PASS;
          return {
            kind: 'reject',
            error: {
              kind: 'unauthorized',
              message: 'A bearer token is required',
              wwwAuthenticate: 'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource"',
            },
          };
        },
      },
    };
  },
};

/** `explode {failureMode}`: every hook throws (a policy whose call-out failed). */
export const explode: PolicyFactory = {
  type: 'explode',
  compile(config) {
    return {
      warnings: [],
      policy: {
        name: 'explode',
        methods: { 'tools/call': 'request' },
        failureMode: config.failureMode === 'fail-open' ? 'fail-open' : 'fail-closed',
        onRequest() {
          throw new Error('introspection endpoint unreachable');
        },
      },
    };
  },
};

/** `recorder {label, methods?}`: records every hook call in `sightings` (shared by the test). */
export function recorder(sightings: Sighting[]): PolicyFactory {
  return {
    type: 'recorder',
    compile(config) {
      const label = String(config.label ?? 'recorder');
      const policy: Policy = {
        name: 'recorder',
        ...(config.methods ? { methods: config.methods as MethodScope } : {}),
        onRequest(ctx) {
          sightings.push({
            label,
            phase: 'request',
            method: ctx.call.method,
            target: ctx.call.target?.name,
            arguments: ctx.call.arguments as Record<string, unknown> | undefined,
            sessionId: ctx.exchange.sessionId,
            upstreamId: ctx.exchange.upstreamId,
          });
          return PASS;
        },
        onResponse(ctx, _res: JsonRpcResponse) {
          sightings.push({
            label,
            phase: 'response',
            method: ctx.call.method,
            target: ctx.call.target?.name,
            upstreamId: ctx.exchange.upstreamId,
          });
          return PASS;
        },
      };
      return { policy, warnings: [] };
    },
  };
}

/**
 * `http-require-token`: the HTTP request phase's 401 for a request without Authorization — every
 * request of the API (MCP POST, GET streams, DELETE, plain HTTP), before any body is read.
 */
export const httpRequireToken: PolicyFactory = {
  type: 'http-require-token',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'http-require-token',
        onHttpRequest(ctx) {
          if (ctx.exchange.headers.authorization) return PASS;
          return {
            kind: 'reject',
            error: { kind: 'unauthorized', message: 'A bearer token is required', wwwAuthenticate: 'Bearer realm="test"' },
          };
        },
      },
    };
  },
};

/** `stamp {request?, remove?, response?}`: header edits of both HTTP phases. */
export const stamp: PolicyFactory = {
  type: 'stamp',
  compile(config) {
    const request = (config.request ?? {}) as Record<string, string>;
    const remove = (config.remove ?? []) as string[];
    const response = (config.response ?? {}) as Record<string, string>;
    return {
      warnings: [],
      policy: {
        name: 'stamp',
        onHttpRequest: () => ({ kind: 'mutate', message: { set: request, remove } }),
        onHttpResponse: (_ctx, head) => ({
          kind: 'mutate',
          message: { set: { ...response, 'x-seen-status': String(head.status) } },
        }),
      },
    };
  },
};

/**
 * `counter`: counts the requests of its API in state kept across configuration pushes
 * (CompileContext.state), and tells the client the count in `x-count`.
 */
export const counter: PolicyFactory = {
  type: 'counter',
  compile(_config, ctx) {
    const count = ctx.state('requests', () => ({ n: 0 }));
    return {
      warnings: [],
      policy: {
        name: 'counter',
        onHttpRequest: () => {
          count.n++;
          return PASS;
        },
        onHttpResponse: () => ({ kind: 'mutate', message: { set: { 'x-count': String(count.n) } } }),
      },
    };
  },
};

/**
 * `shared-counter`: counts the requests of its API in Redis (CompileContext.redis), so every
 * gateway on the same Redis shares the count, and sends it upstream in `x-shared-count`.
 */
export const sharedCounter: PolicyFactory = {
  type: 'shared-counter',
  compile(_config, ctx) {
    const redis = ctx.redis;
    if (!redis) throw new Error('needs Redis: set PORTICO_REDIS_URL on the gateway');
    const key = `portico:${ctx.policyId}:requests`;
    return {
      warnings: [],
      policy: {
        name: 'shared-counter',
        onHttpRequest: async () => ({ kind: 'mutate', message: { set: { 'x-shared-count': String(await redis.incr(key)) } } }),
      },
    };
  },
};
