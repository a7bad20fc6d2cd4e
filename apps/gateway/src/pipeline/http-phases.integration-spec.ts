/**
 * The HTTP phases over real sockets: a request-phase policy runs for every request of an API
 * (MCP POST, GET event streams, DELETE, plain HTTP APIs) before any body is read; header edits
 * reach the upstream and the client; shadow mode lets a would-be denial through; policy state
 * outlives configuration pushes; a method the client's revision removed is relayed unchanged.
 */
import { PolicyMode } from '#portico/proto-ts';
import { startHttpServer, type TestHttpServer, postMcp, rawRequest } from '#portico/testing';
import {
  freePorts,
  gatewayConfig,
  startTestGateway,
  type ApiSpec,
  type TestGateway,
} from '../../test/support/in-process-gateway.js';
import { counter, httpRequireToken, stamp } from '../../test/support/test-policies.js';

describe('HTTP phases', () => {
  let upstream: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  const apis = (extra: ApiSpec[] = []): ApiSpec[] => [
    {
      id: 'mcp',
      port,
      basePath: '/mcp-api',
      upstream: `${upstream.origin}/`,
      policies: ['mcp-support', { id: '21', type: 'http-require-token' }],
    },
    {
      id: 'http',
      type: 'http',
      port,
      basePath: '/http-api',
      upstream: `${upstream.origin}/`,
      policies: [{ id: '22', type: 'http-require-token' }],
    },
    {
      id: 'shadow',
      type: 'http',
      port,
      basePath: '/shadow',
      upstream: `${upstream.origin}/`,
      policies: [{ id: '23', type: 'http-require-token', mode: PolicyMode.POLICY_MODE_SHADOW }],
    },
    {
      id: 'stamped',
      type: 'http',
      port,
      basePath: '/stamped',
      upstream: `${upstream.origin}/`,
      policies: [
        {
          id: '24',
          type: 'stamp',
          configuration: { request: { 'x-client-id': 'abc' }, remove: ['x-secret'], response: { 'x-policy': 'yes' } },
        },
      ],
    },
    ...extra,
  ];

  beforeAll(async () => {
    upstream = await startHttpServer((req, res, body) => {
      if (body.includes('resources/subscribe')) {
        // a 2026-07-28 server: the method is gone
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', id: 8, error: { code: -32601, message: 'Method not found: resources/subscribe' } }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': req.method === 'GET' ? 'text/event-stream' : 'application/json', server: 'upstream' });
      res.end(req.method === 'GET' ? ': hello\n\n' : JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} }));
    });
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(gatewayConfig(apis()), { policies: [httpRequireToken, stamp, counter] });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it.each([
    ['an MCP POST', () => postMcp(url('/mcp-api/mcp'), { jsonrpc: '2.0', id: 1, method: 'tools/list' })],
    ['an MCP GET stream', () => rawRequest(url('/mcp-api/mcp'), { headers: { accept: 'text/event-stream' } })],
    [
      'an MCP DELETE (session end)',
      () => rawRequest(url('/mcp-api/mcp'), { method: 'DELETE', headers: { 'mcp-session-id': 's1' } }),
    ],
    ['a plain HTTP request', () => rawRequest(url('/http-api/items'), { method: 'PUT', body: 'x' })],
  ])('denies %s before the upstream sees it', async (_name, send) => {
    const before = upstream.requests.length;
    const res = await send();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    expect(upstream.requests.length).toBe(before);
  });

  it('lets the same requests through with the credential', async () => {
    const authorization = 'Bearer t';
    expect((await postMcp(url('/mcp-api/mcp'), { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization })).status).toBe(
      200,
    );
    expect((await rawRequest(url('/mcp-api/mcp'), { headers: { accept: 'text/event-stream', authorization } })).status).toBe(200);
    expect((await rawRequest(url('/http-api/items'), { headers: { authorization } })).status).toBe(200);
  });

  it('lets a shadow-mode denial through and counts it as shadow', async () => {
    expect((await rawRequest(url('/shadow/x'))).status).toBe(200);
    const metrics = await gateway.metrics.getSingleMetricAsString('policy_verdicts_total');
    expect(metrics).toContain('policy_verdicts_total{policy="http-require-token",verdict="reject",mode="shadow"} 1');
  });

  it('applies header edits to the upstream request and to the client response', async () => {
    const res = await rawRequest(url('/stamped/x'), { headers: { 'x-secret': 's3cret' } });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers['x-client-id']).toBe('abc');
    expect(seen.headers['x-secret']).toBeUndefined();
    expect(res.headers['x-policy']).toBe('yes');
    expect(res.headers['x-seen-status']).toBe('200');
    expect(res.headers.server).toBe('upstream');
  });

  it('keeps a policy state across pushes that carry the policy, and drops it with the policy', async () => {
    const counted = { id: 'counted', type: 'http' as const, port, basePath: '/counted', upstream: `${upstream.origin}/` };
    await gateway.apply(gatewayConfig(apis([{ ...counted, policies: [{ id: '30', type: 'counter' }] }])));
    expect((await rawRequest(url('/counted/a'))).headers['x-count']).toBe('1');
    expect((await rawRequest(url('/counted/a'))).headers['x-count']).toBe('2');
    // the same push again, and a changed one carrying policy 30: the count goes on
    await gateway.apply(gatewayConfig(apis([{ ...counted, policies: [{ id: '30', type: 'counter' }] }])));
    expect((await rawRequest(url('/counted/a'))).headers['x-count']).toBe('3');
    await gateway.apply(gatewayConfig(apis([{ ...counted, basePath: '/moved', policies: [{ id: '30', type: 'counter' }] }])));
    expect((await rawRequest(url('/moved/a'))).headers['x-count']).toBe('4');
    // a push without it drops the state; carried again later, it starts over
    await gateway.apply(gatewayConfig(apis([counted])));
    await gateway.apply(gatewayConfig(apis([{ ...counted, policies: [{ id: '30', type: 'counter' }] }])));
    expect((await rawRequest(url('/counted/a'))).headers['x-count']).toBe('1');
  });

  it("relays the upstream's own answer to a method the client's revision removed (2026-07-28)", async () => {
    const subscribe = { jsonrpc: '2.0', id: 8, method: 'resources/subscribe', params: {} };
    const res = await postMcp(url('/mcp-api/mcp'), subscribe, {
      authorization: 'Bearer t',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'resources/subscribe',
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({
      jsonrpc: '2.0',
      id: 8,
      error: { code: -32601, message: 'Method not found: resources/subscribe' },
    });
    expect(upstream.requests.at(-1)!.body).toBe(JSON.stringify(subscribe));
  });
});
