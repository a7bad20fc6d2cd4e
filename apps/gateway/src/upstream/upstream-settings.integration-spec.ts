/**
 * The upstream settings end to end, from the gateway's environment (env.ts → dataPlaneOptions())
 * through the data plane to real upstream sockets: PORTICO_GATEWAY_UPSTREAM_DENY turns a loopback
 * upstream into a 502 JSON-RPC error that names no address, logged with the upstream and counted;
 * the policies' own calls (JWKS, introspection) are held to the same list; and
 * PORTICO_GATEWAY_UPSTREAM_CONNECTIONS caps the connections to an upstream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { Registry } from 'prom-client';
import { postMcp, startHttpServer, type TestHttpServer } from '#portico/testing';
import { dataPlaneOptions } from '../data-plane/data-plane.js';
import { loadGatewayEnv } from '../env.js';
import {
  freePorts,
  gatewayConfig,
  limitHits,
  metricValue,
  startTestGateway,
  type TestGateway,
  type TestGatewayOptions,
} from '../../test/support/in-process-gateway.js';

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };

/** The data-plane settings a gateway process gets from `env`. */
function fromEnvironment(env: Record<string, string>): TestGatewayOptions {
  const {
    logger: _logger,
    metrics: _metrics,
    ...options
  } = dataPlaneOptions(
    loadGatewayEnv({ PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1', ...env }),
    pino({ level: 'silent' }),
    new Registry(),
    undefined,
    undefined,
  );
  return options;
}

/** An upstream answering each JSON-RPC request with an empty result, once `hold` resolved. */
function startJsonRpcUpstream(hold: Promise<void> = Promise.resolve()): Promise<TestHttpServer> {
  return startHttpServer(async (_req, res, body) => {
    await hold;
    const { id } = JSON.parse(body) as { id: number };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result: {} }));
  });
}

describe('PORTICO_GATEWAY_UPSTREAM_DENY', () => {
  let upstream: TestHttpServer;
  let port: number;
  let denying: TestGateway;
  let allowing: TestGateway;

  beforeAll(async () => {
    upstream = await startJsonRpcUpstream();
    const [denyPort, allowPort] = await freePorts(2);
    port = denyPort!;
    const api = (p: number) => gatewayConfig([{ id: 'api', port: p, basePath: '/api', upstream: `${upstream.origin}/mcp` }]);
    denying = await startTestGateway(
      api(denyPort!),
      fromEnvironment({ PORTICO_GATEWAY_UPSTREAM_DENY: 'loopback,link-local,metadata' }),
    );
    allowing = await startTestGateway(api(allowPort!), fromEnvironment({ PORTICO_GATEWAY_UPSTREAM_DENY: 'link-local,metadata' }));
  });
  afterAll(async () => {
    await Promise.all([denying?.close(), allowing?.close()]);
    await upstream.close();
  });

  it('answers 502 with a JSON-RPC error naming no address for an upstream on loopback, which sees no request', async () => {
    const response = await postMcp(`http://127.0.0.1:${port}/api`, PING);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32603,
        message: 'The upstream address is not allowed by the gateway',
        data: { reason: 'UPSTREAM_UNAVAILABLE' },
      },
    });
    expect(response.body).not.toContain('127.0.0.1');
    expect(upstream.requests).toHaveLength(0);
  });

  it('logs the refusal with the upstream id, address and rule, and counts it', async () => {
    await postMcp(`http://127.0.0.1:${port}/api`, PING);
    expect(denying.logs).toContainEqual(
      expect.objectContaining({
        msg: 'upstream request failed',
        upstream: 'u1',
        err: 'PORTICO_UPSTREAM_DENIED: upstream address 127.0.0.1 is denied by loopback',
      }),
    );
    expect(await denying.metrics.getSingleMetricAsString('portico_upstream_denied_total')).toMatch(
      new RegExp(`portico_upstream_denied_total\\{origin="${upstream.origin}",rule="loopback"\\} [1-9]`),
    );
    expect(await denying.metrics.getSingleMetricAsString('portico_gateway_errors_total')).toMatch(
      /\{api="api",kind="upstream-unavailable"\} [1-9]/,
    );
  });

  it('serves the same upstream when loopback is not in the list', async () => {
    const response = await postMcp(`http://127.0.0.1:${allowing.dataPlane.ports[0]}/api`, PING);
    expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: {} },
    });
  });
});

describe('PORTICO_GATEWAY_UPSTREAM_DENY and the calls policies make', () => {
  // The upstream and one key server are on 127.0.0.1 (allowed); the other key server, on 127.0.0.2, is denied.
  let upstream: TestHttpServer;
  let allowedKeys: TestHttpServer;
  let deniedKeys: TestHttpServer;
  let gateway: TestGateway;
  let token: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('agent')
      .setExpirationTime('10m')
      .sign(pair.privateKey);
    const keys = (_req: IncomingMessage, res: ServerResponse, body: string) => {
      // A JWKS for a GET, an active introspection answer for a POST.
      const answer = body === '' ? { keys: [jwk] } : { active: true, client_id: 'agent' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    };
    upstream = await startJsonRpcUpstream();
    allowedKeys = await startHttpServer(keys);
    deniedKeys = await startHttpServer(keys, '127.0.0.2');
    const [port] = await freePorts(1);
    const jwks = (origin: string) => ({
      type: 'jwt-validation',
      configuration: {
        jwtOrigin: 'httpBearerAuthenticationHeader',
        signingMethod: 'rsa',
        jwtKeyOrigin: 'jwks',
        jwksUrl: `${origin}/jwks.json`,
        skipClientIdValidation: true,
      },
    });
    const introspection = (origin: string) => ({
      type: 'oauth2-token-introspection',
      configuration: {
        introspectionURL: `${origin}/introspect`,
        authorizationValue: 'Basic Z3c6c2VjcmV0',
        skipClientIdValidation: true,
      },
    });
    const api = (id: string, policy: { type: string; configuration: Record<string, unknown> }) => ({
      id,
      port: port!,
      basePath: `/${id}`,
      upstream: `${upstream.origin}/mcp`,
      policies: ['mcp-support' as const, policy],
    });
    gateway = await startTestGateway(
      gatewayConfig([
        api('jwks-allowed', jwks(allowedKeys.origin)),
        api('jwks-denied', jwks(deniedKeys.origin)),
        api('introspection-allowed', introspection(allowedKeys.origin)),
        api('introspection-denied', introspection(deniedKeys.origin)),
      ]),
      fromEnvironment({ PORTICO_GATEWAY_UPSTREAM_DENY: '127.0.0.2,link-local,metadata' }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([upstream.close(), allowedKeys.close(), deniedKeys.close()]);
  });

  const call = (id: string) =>
    postMcp(`http://127.0.0.1:${gateway.dataPlane.ports[0]}/${id}`, PING, { authorization: `Bearer ${token}` });

  it.each(['jwks', 'introspection'])('admits a token checked by %s on an allowed address', async (kind) => {
    const response = await call(`${kind}-allowed`);
    expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: {} },
    });
  });

  it.each(['jwks', 'introspection'])(
    'treats %s on a denied address as an outage of the key source: 500, never connected, counted',
    async (kind) => {
      const refused = () =>
        metricValue(gateway, 'portico_upstream_denied_total', `origin="${deniedKeys.origin}",rule="127.0.0.2"`);
      const before = await refused();
      const response = await call(`${kind}-denied`);
      expect(response.status).toBe(500);
      expect(response.body).not.toContain('127.0.0.2');
      expect(deniedKeys.requests).toHaveLength(0);
      expect(await refused()).toBe(before + 1);
    },
  );
});

describe('PORTICO_GATEWAY_UPSTREAM_CONNECTIONS', () => {
  const CALLS = 5;

  it(`keeps ${CALLS} concurrent calls to 2 upstream connections with a cap of 2; the others wait and all complete`, async () => {
    let release!: () => void;
    const upstream = await startJsonRpcUpstream(new Promise<void>((resolve) => (release = resolve)));
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(
      gatewayConfig([{ id: 'api', port, basePath: '/api', upstream: `${upstream.origin}/mcp` }]),
      fromEnvironment({ PORTICO_GATEWAY_UPSTREAM_CONNECTIONS: '2' }),
    );
    try {
      const answers = Array.from({ length: CALLS }, (_, i) => postMcp(`http://127.0.0.1:${port}/api`, { ...PING, id: i + 1 }));
      while (upstream.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await gateway.metrics.getSingleMetricAsString('portico_upstream_requests_queued')).toContain(
        `portico_upstream_requests_queued{origin="${upstream.origin}"} ${CALLS - 2}`,
      );
      release();
      const done = await Promise.all(answers);
      expect(done.map((r) => r.status)).toEqual(Array(CALLS).fill(200));
      expect(upstream.requests).toHaveLength(CALLS);
      // One request at a time per connection: every request came over one of 2 connections.
      expect(new Set(upstream.requests.map((r) => r.remotePort)).size).toBe(2);
    } finally {
      release();
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('a request waiting for a connection of a pool at its cap', () => {
  it('gets a 504 when no connection is free within the response timeout, and never reaches the upstream', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    // Request 1 is answered on an event stream, which no response timeout ends, held open until released.
    const upstream = await startHttpServer(async (_req, res, body) => {
      const { id } = JSON.parse(body) as { id: number };
      const answer = JSON.stringify({ jsonrpc: '2.0', id, result: {} });
      if (id !== 1) return void res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      await hold;
      res.end(`data: ${answer}\n\n`);
    });
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(
      gatewayConfig([{ id: 'api', port, basePath: '/api', upstream: `${upstream.origin}/mcp`, responseTimeoutMs: 1_000 }]),
      fromEnvironment({ PORTICO_GATEWAY_UPSTREAM_CONNECTIONS: '1' }),
    );
    const ids = () => upstream.requests.map((r) => (JSON.parse(r.body) as { id: number }).id);
    try {
      const first = postMcp(`http://127.0.0.1:${port}/api`, { ...PING, id: 1 });
      while (upstream.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
      const started = Date.now();
      const waiting = await postMcp(`http://127.0.0.1:${port}/api`, { ...PING, id: 2 });
      const elapsed = Date.now() - started;
      expect(await limitHits(gateway, 'api', 'connection-wait')).toBe(1);
      expect({ status: waiting.status, body: JSON.parse(waiting.body) }).toEqual({
        status: 504,
        body: {
          jsonrpc: '2.0',
          id: 2,
          error: { code: -32603, message: 'The upstream server did not respond in time', data: { reason: 'UPSTREAM_TIMEOUT' } },
        },
      });
      // The response timeout (1 s), measured: not the upstream's answer (never) nor an unbounded wait.
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(5_000);
      release();
      expect((await first).status).toBe(200);
      // The connection is free again: a new request is served; the timed-out one was never sent.
      expect((await postMcp(`http://127.0.0.1:${port}/api`, { ...PING, id: 3 })).status).toBe(200);
      expect(ids()).toEqual([1, 3]);
    } finally {
      release();
      await gateway.close();
      await upstream.close();
    }
  });
});
