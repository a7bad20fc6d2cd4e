/**
 * header-injection and header-removal on real requests: what reaches the upstream, what reaches
 * the client from the upstream's answer and from the gateway's own.
 */
import { rawRequest, startHttpServer, type TestHttpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('header policies', () => {
  let upstream: TestHttpServer;
  let gateway: TestGateway;
  let base: string;

  beforeAll(async () => {
    upstream = await startHttpServer((_req, res) => {
      res.setHeader('x-powered-by', 'legacy-stack');
      res.setHeader('x-kept', 'yes');
      res.end('ok');
    });
    const [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: 'h',
          type: 'http',
          port,
          basePath: '/h',
          upstream: `${upstream.origin}/`,
          policies: [
            {
              type: 'header-injection',
              configuration: {
                inboundHeaders: [
                  { key: 'X-Gateway', value: 'portico' },
                  { key: 'X-Client-Address', value: '#[attributes.remoteAddress]' },
                  { key: 'X-Team', value: "#[attributes.headers['x-team-hint']]" },
                  { key: 'X-Missing', value: '#[vars.claimSet.sub]' },
                  { key: 'Connection', value: 'close' },
                ],
                outboundHeaders: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000' }],
              },
            },
            {
              type: 'header-removal',
              configuration: { inboundHeaders: ['X-Internal-Token'], outboundHeaders: ['X-Powered-By'] },
            },
            {
              type: 'rate-limiting',
              configuration: {
                rateLimits: [{ maximumRequests: 2, timePeriodInMilliseconds: 3_600_000 }],
                keySelector: "#[attributes.headers['x-limit-key']]",
              },
            },
          ],
        },
      ]),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('injects and removes request headers before the upstream', async () => {
    const answer = await rawRequest(`${base}/h/x`, {
      headers: { 'x-internal-token': 'secret', 'x-team-hint': 'blue', 'x-gateway': 'spoofed' },
    });
    expect(answer.status).toBe(200);
    const seen = upstream.requests.at(-1)!.headers;
    expect(seen).toMatchObject({ 'x-gateway': 'portico', 'x-client-address': '127.0.0.1', 'x-team': 'blue' });
    expect(seen['x-internal-token']).toBeUndefined();
    expect(seen['x-missing']).toBeUndefined();
    expect(seen.connection).not.toBe('close');
  });

  it("edits the upstream's answer and the gateway's own", async () => {
    const answer = await rawRequest(`${base}/h/x`);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(answer.headers['x-powered-by']).toBeUndefined();
    expect(answer.headers['x-kept']).toBe('yes');

    const limited = [];
    for (let i = 0; i < 3; i++) limited.push(await rawRequest(`${base}/h/x`, { headers: { 'x-limit-key': 'own-answer' } }));
    const refused = limited.at(-1)!;
    expect(refused.status).toBe(429);
    expect(refused.headers['strict-transport-security']).toBe('max-age=31536000');
  });
});
