/**
 * Routing and the HTTP layer of the proxy: base paths, routes, upstream URL building,
 * hop-by-hop headers, X-Forwarded-*, plain HTTP APIs streamed without parsing.
 */
import { request as httpRequest } from 'node:http';
import { startHttpServer, type TestHttpServer, rawRequest } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

/** An upstream that answers with its name and the path it was asked for. */
async function namedUpstream(name: string): Promise<TestHttpServer> {
  return startHttpServer((req, res, body) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      connection: 'keep-alive, x-hop',
      'x-hop': 'dropped',
      'keep-alive': 'timeout=5',
      'proxy-authenticate': 'Basic',
      'x-end-to-end': 'kept',
      'mcp-session-id': 'session-from-upstream',
    });
    res.end(JSON.stringify({ name, url: req.url, body }));
  });
}

describe('routing and headers', () => {
  let root: TestHttpServer;
  let demo: TestHttpServer;
  let deep: TestHttpServer;
  let alt: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const response = await rawRequest(`http://127.0.0.1:${port}${path}`, { method, headers });
    return {
      ...response,
      json: JSON.parse(response.body) as { name?: string; url?: string; body?: string; code?: string; message?: string },
    };
  };

  beforeAll(async () => {
    [root, demo, deep, alt] = (await Promise.all(['root', 'demo', 'deep', 'alt'].map(namedUpstream))) as [
      TestHttpServer,
      TestHttpServer,
      TestHttpServer,
      TestHttpServer,
    ];
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'root', type: 'http', port, basePath: '/', upstream: `${root.origin}/` },
        {
          id: 'demo',
          type: 'http',
          port,
          basePath: '/demo',
          upstream: `${demo.origin}/api/`,
          hosts: ['gateway.example'],
        },
        {
          id: 'deep',
          type: 'http',
          port,
          basePath: '/demo/deep',
          hosts: ['alt.example'],
          upstream: [
            { id: 'main', url: `${deep.origin}/` },
            { id: 'alt', url: `${alt.origin}/` },
            { id: 'never', url: `${alt.origin}/never/` },
          ],
          routes: [
            // Catastrophic backtracking in a backtracking engine: 2^n steps for n 'a's without the 'b'.
            { label: 'redos', pathRegex: '/(a+)+b', upstreams: [{ upstreamId: 'alt', weight: 1 }] },
            { label: 'by-header', headers: { 'x-variant': 'al+t' }, upstreams: [{ upstreamId: 'alt', weight: 0 }] },
            { label: 'by-host', host: 'alt.example', upstreams: [{ upstreamId: 'alt', weight: 1 }] },
            {
              label: 'writes',
              methods: ['POST', 'PUT'],
              pathRegex: '/items(/.*)?',
              upstreams: [{ upstreamId: 'alt', weight: 1 }],
            },
            {
              label: 'reads',
              methods: ['GET'],
              upstreams: [
                { upstreamId: 'main', weight: 5 },
                { upstreamId: 'never', weight: 0 },
              ],
            },
          ],
        },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([root, demo, deep, alt].map((server) => server?.close()));
  });

  it.each([
    ['/demo/deep/x', 'deep', '/x'],
    ['/demo/deep', 'deep', '/'],
    ['/demo/deepx', 'demo', '/api/deepx'],
    ['/demo/x?q=1&r=%20', 'demo', '/api/x?q=1&r=%20'],
    ['/demo', 'demo', '/api/'],
    ['/demo/', 'demo', '/api/'],
    ['/demox', 'root', '/demox'],
    ['/', 'root', '/'],
  ])('routes %s to the %s upstream as %s (longest base path, whole segments)', async (path, name, url) => {
    const { status, json } = await get(path);
    expect(status).toBe(200);
    expect(json).toMatchObject({ name, url });
  });

  it('applies route rules in order: header, host, method + path, then weights (weight 0 gets nothing)', async () => {
    expect((await get('/demo/deep/a', { 'x-variant': 'allt' })).json.name).toBe('alt');
    expect((await get('/demo/deep/a', { host: 'ALT.example:8080' })).json.name).toBe('alt');
    expect((await get('/demo/deep/items/3', {}, 'PUT')).json.name).toBe('alt');
    for (let i = 0; i < 20; i++) expect((await get('/demo/deep/a')).json).toMatchObject({ name: 'deep', url: '/a' });
  });

  it('runs route patterns in linear time: /(a+)+b cannot stall the gateway', async () => {
    // With a backtracking engine this path takes 2^60 steps; RE2 (re2js) answers at once.
    const attack = get(`/demo/deep/${'a'.repeat(60)}c`);
    const [other, routed] = await Promise.all([get('/demo/x'), attack]);
    expect(other.json.name).toBe('demo');
    expect(routed.json).toMatchObject({ name: 'deep', url: `/${'a'.repeat(60)}c` });
    expect((await get('/demo/deep/aaab')).json.name).toBe('alt');
  });

  it('answers 404 when no route of the API matches', async () => {
    const { status, json } = await get('/demo/deep/a', {}, 'DELETE');
    expect(status).toBe(404);
    expect(json).toEqual({ code: 'NOT_FOUND', message: 'No route of this API matches DELETE /demo/deep/a' });
  });

  it('refuses dot segments that would escape the upstream base path', async () => {
    for (const path of ['/demo/../etc', '/demo/%2e%2e/etc', '/demo/./x']) {
      const { status, json } = await get(path);
      expect(status).toBe(400);
      expect(json).toEqual({ code: 'INVALID_REQUEST', message: 'The path must not contain . or .. segments' });
    }
  });

  it('strips hop-by-hop headers both ways and sets X-Forwarded-*', async () => {
    const { headers } = await get('/demo/h', {
      connection: 'keep-alive, x-private',
      'x-private': 'secret-hop',
      'keep-alive': 'timeout=10',
      te: 'trailers',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-forwarded-for': '203.0.113.7',
      'mcp-session-id': 'abc',
      'last-event-id': 'e-1',
      'mcp-protocol-version': '2025-11-25',
      host: 'gateway.example:8080',
    });
    const seen = demo.requests.at(-1)!.headers;
    for (const name of ['x-private', 'keep-alive', 'te', 'proxy-authorization']) expect(seen[name]).toBeUndefined();
    expect(seen.connection).toBe('keep-alive'); // undici's own, toward the upstream
    expect(seen).toMatchObject({
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gateway.example:8080',
      'mcp-session-id': 'abc',
      'last-event-id': 'e-1',
      'mcp-protocol-version': '2025-11-25',
      host: `127.0.0.1:${demo.port}`,
    });
    expect(headers['x-hop']).toBeUndefined();
    expect(headers['proxy-authenticate']).toBeUndefined();
    expect(headers['keep-alive']).not.toBe('timeout=5');
    expect(headers['x-end-to-end']).toBe('kept');
    expect(headers['mcp-session-id']).toBe('session-from-upstream');
  });

  it('keeps X-Forwarded-Proto and -Host set by a proxy in front of the gateway', async () => {
    await get('/demo/h', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' });
    expect(demo.requests.at(-1)!.headers).toMatchObject({
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'public.example',
      'x-forwarded-for': '127.0.0.1',
    });
  });

  it('streams a plain HTTP API request body through without parsing it', async () => {
    const chunks = ['not json {', ' at all', '\n'];
    const response = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `http://127.0.0.1:${port}/demo/upload`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
    expect(JSON.parse(response)).toEqual({ name: 'demo', url: '/api/upload', body: chunks.join('') });
  });
});
