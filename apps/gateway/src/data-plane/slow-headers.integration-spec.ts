/** A client that never finishes its request headers (slowloris) is answered 408 and cut off after the headers timeout. */
import net from 'node:net';
import { startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('slow request headers', () => {
  let upstream: TestMcpServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'api', port, basePath: '/api', upstream: upstream.url.replace(/mcp$/, ''), policies: ['mcp-support'] },
      ]),
      { headersTimeoutMs: 1_000 },
    );
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers 408 and closes the connection once the headers timeout passed', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.write('POST /api/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One more header line every 300 ms, never the blank line that ends them.
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 300);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(drip);
    const elapsed = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The timeout (1 s) plus at most one check interval (1 s) and some slack for a busy machine.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);
  });
});
