import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestCa } from './certificates.js';
import { startMcpServer } from './mcp-server.js';
import { freePort } from './ports.js';

describe('test helpers', () => {
  it('freePort returns a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    // A JSON answer has no room for notifications, so progress only arrives over SSE.
    ['stateful SSE', {}, [0]],
    ['stateless JSON', { stateful: false, jsonResponse: true }, []],
  ])('startMcpServer (%s) serves echo, fail and slow', async (_name, options, expectedProgress) => {
    const server = await startMcpServer(options);
    const client = new Client({ name: 't', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'fail', 'slow']);
      expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
        { type: 'text', text: 'hi' },
      ]);
      expect(await client.callTool({ name: 'fail', arguments: { message: 'no' } })).toMatchObject({ isError: true });
      const progress: number[] = [];
      const slow = await client.callTool({ name: 'slow', arguments: { ms: 5 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(slow.content).toEqual([{ type: 'text', text: 'slept 5 ms' }]);
      expect(progress).toEqual(expectedProgress);
      expect(server.requests.length).toBeGreaterThan(0);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('createTestCa issues certificates that chain to the CA with the requested names', async () => {
    const ca = await createTestCa('Helper CA');
    const leaf = await ca.issue({ commonName: 'svc', names: ['svc.internal', '10.0.0.9'], usage: 'server' });
    const certificate = new X509Certificate(leaf.certificatePem);
    expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    expect(certificate.subjectAltName).toBe('DNS:svc.internal, IP Address:10.0.0.9');
    expect(certificate.checkPrivateKey(createPrivateKey(leaf.privateKeyPem))).toBe(true);
  });
});
