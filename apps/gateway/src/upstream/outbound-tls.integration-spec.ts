/**
 * Outbound TLS per upstream (OutboundTls, MuleSoft's "Outbound TLS"): a real HTTPS MCP server
 * (node:https + the SDK transport) with certificates from a CA made in the test.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestCa, startMcpServer, type TestCa, type TestCertificate, type TestMcpServer, postMcp } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };

describe('outbound TLS', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let client: TestCertificate;
  let plain: TestMcpServer;
  let mutual: TestMcpServer;
  let renamed: TestMcpServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    [ca, otherCa] = await Promise.all([createTestCa('Upstream CA'), createTestCa('Unrelated CA')]);
    const [server, renamedServer] = await Promise.all([
      ca.issue({ commonName: 'upstream', names: ['127.0.0.1', 'localhost'], usage: 'server' }),
      ca.issue({ commonName: 'mcp.internal', names: ['mcp.internal'], usage: 'server' }),
    ]);
    client = await ca.issue({ commonName: 'gateway', usage: 'client' });
    [plain, mutual, renamed] = await Promise.all([
      startMcpServer({ tls: server, stateful: false, jsonResponse: true }),
      startMcpServer({
        tls: { ...server, ca: ca.certificatePem, requireClientCertificate: true },
        stateful: false,
        jsonResponse: true,
      }),
      startMcpServer({ tls: renamedServer, stateful: false, jsonResponse: true }),
    ]);
    [port] = (await freePorts(1)) as [number];
    const https = (s: TestMcpServer) => `https://127.0.0.1:${s.port}/`;
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'ca', port, basePath: '/ca', upstream: [{ url: https(plain), tls: { caPem: ca.certificatePem } }] },
        { id: 'system-store', port, basePath: '/system-store', upstream: https(plain) },
        {
          id: 'wrong-ca',
          port,
          basePath: '/wrong-ca',
          upstream: [{ url: https(plain), tls: { caPem: otherCa.certificatePem } }],
        },
        {
          id: 'mtls',
          port,
          basePath: '/mtls',
          upstream: [
            {
              url: https(mutual),
              tls: { caPem: ca.certificatePem, certificatePem: client.certificatePem, privateKeyPem: client.privateKeyPem },
            },
          ],
        },
        {
          id: 'no-client-cert',
          port,
          basePath: '/no-client-cert',
          upstream: [{ url: https(mutual), tls: { caPem: ca.certificatePem } }],
        },
        {
          id: 'sni',
          port,
          basePath: '/sni',
          upstream: [{ url: https(renamed), tls: { caPem: ca.certificatePem, serverName: 'mcp.internal' } }],
        },
        {
          id: 'sni-missing',
          port,
          basePath: '/sni-missing',
          upstream: [{ url: https(renamed), tls: { caPem: ca.certificatePem } }],
        },
        { id: 'skip', port, basePath: '/skip', upstream: [{ url: https(renamed), tls: { skipVerify: true } }] },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([plain, mutual, renamed].map((s) => s?.close()));
  });

  const expectUnavailable = async (base: string) => {
    const response = await postMcp(`http://127.0.0.1:${port}${base}/mcp`, PING);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body).error.data).toEqual({ reason: 'UPSTREAM_UNAVAILABLE' });
  };

  it('trusts an upstream certificate signed by the configured CA (SDK client end to end)', async () => {
    const sdk = new Client({ name: 'tls-test', version: '1.0.0' });
    await sdk.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/ca/mcp`)));
    const result = await sdk.callTool({ name: 'echo', arguments: { text: 'over tls' } });
    expect(result.content).toEqual([{ type: 'text', text: 'over tls' }]);
    await sdk.close();
  });

  it('refuses an upstream whose CA is not trusted (system store, or another CA): 502', async () => {
    await expectUnavailable('/system-store');
    await expectUnavailable('/wrong-ca');
    expect(gateway.logs).toContainEqual(
      expect.objectContaining({ msg: 'upstream request failed', err: expect.stringMatching(/certificate/i) }),
    );
  });

  it('presents the client certificate to an upstream that requires one', async () => {
    const response = await postMcp(`http://127.0.0.1:${port}/mtls/mcp`, PING);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    await expectUnavailable('/no-client-cert');
  });

  it('checks the certificate against server_name (and sends it as SNI) when it differs from the URL host', async () => {
    const response = await postMcp(`http://127.0.0.1:${port}/sni/mcp`, PING);
    expect(response.status).toBe(200);
    expect(renamed.requests.at(-1)?.serverName).toBe('mcp.internal');
    await expectUnavailable('/sni-missing');
  });

  it('skips verification when skip_verify is set', async () => {
    const response = await postMcp(`http://127.0.0.1:${port}/skip/mcp`, PING);
    expect(response.status).toBe(200);
  });
});
