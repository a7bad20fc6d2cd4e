/**
 * The client address behind trusted proxies (PORTICO_GATEWAY_TRUSTED_PROXIES), as IP lists see it
 * on real requests, and the X-Forwarded-For the upstream gets (the TCP peer appended).
 */
import { postMcp, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const ALLOW_10 = { type: 'ip-allowlist', configuration: { ips: ['10.0.0.0/8'] } };

describe('client addresses behind trusted proxies', () => {
  let upstream: TestMcpServer;
  const gateways: TestGateway[] = [];

  const start = async (trustedProxies: string[]) => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(
      gatewayConfig([
        { id: 'ip', port, basePath: '/ip', upstream: upstream.url.replace(/mcp$/, ''), policies: ['mcp-support', ALLOW_10] },
      ]),
      { trustedProxies },
    );
    gateways.push(gateway);
    return (forwardedFor?: string) =>
      postMcp(
        `http://127.0.0.1:${port}/ip/mcp`,
        INITIALIZE,
        forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      );
  };

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await upstream.close();
  });

  it('believes X-Forwarded-For from a trusted proxy only, by its right-most untrusted address', async () => {
    const viaProxy = await start(['127.0.0.1']);
    expect((await viaProxy('10.9.9.9')).status).toBe(200);
    expect(upstream.requests.at(-1)!.headers['x-forwarded-for']).toBe('10.9.9.9, 127.0.0.1');
    expect((await viaProxy('10.9.9.9, 6.6.6.6')).status).toBe(403);
    expect((await viaProxy()).status).toBe(403);

    const direct = await start([]);
    expect((await direct('10.9.9.9')).status).toBe(403);
  });
});
