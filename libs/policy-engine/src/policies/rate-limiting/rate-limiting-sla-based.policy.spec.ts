import type { JsonRpcRequest } from '#portico/mcp-jsonrpc';
import { hashSecret } from '#portico/secret-hash';
import { IDENTITY_ATTRIBUTE, type McpCall } from '../../policy-contract/context.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { rateLimitingSlaBasedFactory, type SlaRateLimitingConfig } from './rate-limiting-sla-based.policy.js';

const GOLD = [{ maximumRequests: 3, timePeriodInMilliseconds: 60_000 }];
const SILVER = [{ maximumRequests: 1, timePeriodInMilliseconds: 60_000 }];
const CALL: McpCall = { kind: 'request', method: 'tools/call', id: 1, target: { type: 'tool', name: 'x' }, arguments: undefined };
const MESSAGE: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'tools/call' };

describe('rate-limiting-sla-based policy', () => {
  let clients: Record<string, unknown>;
  beforeAll(async () => {
    const secretHash = await hashSecret('s3cret');
    clients = {
      gold: { name: 'Gold App', secretHash, limits: GOLD },
      silver: { name: 'Silver App', secretHash, limits: SILVER },
      untiered: { name: 'Old App', secretHash, limits: null },
    };
  });
  const now = 120_000;
  const compile = (config: SlaRateLimitingConfig, apiKind: 'mcp' | 'http') =>
    rateLimitingSlaBasedFactory.compile(config, {
      ...testCompileContext('sla', new PolicyStates(), { now: () => now }, { clients }),
      apiKind,
    }).policy;
  const kindOf = async (verdict: unknown) => ((await verdict) as { kind: string }).kind;

  it("limits each client of an HTTP API to its tier's quota and names it for later policies", async () => {
    const policy = compile({}, 'http');
    const send = async (clientId: string) => {
      const exchange = testExchange({ client_id: clientId });
      const kind = await kindOf(policy.onHttpRequest!({ exchange }));
      return [kind, (exchange.attributes.get(IDENTITY_ATTRIBUTE) as { clientName?: string } | undefined)?.clientName];
    };
    expect(await send('gold')).toEqual(['pass', 'Gold App']);
    expect([await send('gold'), await send('gold'), await send('gold')].map(([k]) => k)).toEqual(['pass', 'pass', 'reject']);
    expect([await send('silver'), await send('silver')].map(([k]) => k)).toEqual(['pass', 'reject']);
  });

  it('refuses unknown clients and wrong secrets with 401, and a contract without a tier with 403', async () => {
    const policy = compile({ clientSecretExpression: "#[attributes.headers['client_secret']]" }, 'http');
    const refusal = async (headers: Record<string, string>) =>
      ((await policy.onHttpRequest!({ exchange: testExchange(headers) })) as { error?: { kind: string; message: string } }).error;
    expect(await refusal({ client_id: 'nobody', client_secret: 's3cret' })).toMatchObject({
      kind: 'unauthorized',
      message: 'The client has no approved contract',
    });
    expect(await refusal({ client_id: 'gold', client_secret: 'nope' })).toMatchObject({
      kind: 'unauthorized',
      message: 'The client credentials are not valid',
    });
    expect(await refusal({ client_id: 'untiered', client_secret: 's3cret' })).toEqual({
      kind: 'forbidden',
      message: "The client application's contract has no SLA tier",
    });
  });

  it('counts the JSON-RPC requests of an MCP API once the client is known, with X-RateLimit-* when asked', async () => {
    const policy = compile({ exposeHeaders: true }, 'mcp');
    const exchange = testExchange({ client_id: 'silver' });
    expect(await kindOf(policy.onHttpRequest!({ exchange }))).toBe('pass');
    expect(policy.onRequest!({ exchange, call: CALL }, MESSAGE)).toEqual({ kind: 'pass' });
    expect(policy.onHttpResponse!({ exchange }, { status: 200, headers: {} })).toEqual({
      kind: 'mutate',
      message: { set: { 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60000' } },
    });
    expect(policy.onRequest!({ exchange, call: CALL }, MESSAGE)).toMatchObject({
      kind: 'reject',
      error: { kind: 'rate-limited' },
    });
    expect(policy.onRequest!({ exchange, call: { ...CALL, kind: 'notification', id: undefined } }, MESSAGE)).toEqual({
      kind: 'pass',
    });
  });
});
