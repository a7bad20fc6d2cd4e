/**
 * Requests node:http cannot use, over raw sockets: bytes that are not HTTP, an HTTP/1.1 request
 * without Host, headers over Node's limit, an Expect the gateway cannot meet, and a client that never finishes its headers
 * (slowloris). Each gets its status in the gateway's plain `{ code, message }` shape, never
 * reaches the upstream, and the connection closes.
 */
import net from 'node:net';
import { useMcpApiGateway } from '../../test/support/mcp-api-gateway.js';
import { rawExchange, type RawOutcome } from '#portico/testing';

describe('requests node:http cannot use', () => {
  const served = useMcpApiGateway({ headersTimeoutMs: 1_000 });

  /** The answer's status and plain error body, once the connection closed. */
  const answered = (outcome: RawOutcome) => {
    if (outcome.kind !== 'answered') throw new Error(`no answer: ${JSON.stringify(outcome)}`);
    const { status, headers, body } = outcome.answer;
    expect(headers['content-type']).toBe('application/json');
    expect(headers.connection).toBe('close');
    return { status, body: JSON.parse(body.toString('utf8')) as unknown };
  };

  it.each([
    ['bytes that are not HTTP', 'HELLO THERE\r\n\r\n', 'Invalid method encountered'],
    ['a bad header line', 'POST /api/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n', 'Invalid header'],
  ])('answers %s 400 INVALID_REQUEST naming what the parser stopped at', async (_, bytes, reason) => {
    const before = served.upstream.requests.length;
    const { status, body } = answered(await rawExchange(served.port, Buffer.from(bytes, 'latin1')));
    expect(status).toBe(400);
    expect(body).toEqual({ code: 'INVALID_REQUEST', message: expect.stringContaining('The request is not valid HTTP/1.1: ') });
    expect((body as { message: string }).message).toContain(reason);
    expect(served.upstream.requests.length).toBe(before);
  });

  it('answers an HTTP/1.1 request without Host 400 INVALID_REQUEST (RFC 9112 §3.2)', async () => {
    const before = served.upstream.requests.length;
    const bytes = 'POST /api/mcp HTTP/1.1\r\nContent-Length: 0\r\n\r\n';
    expect(answered(await rawExchange(served.port, Buffer.from(bytes, 'latin1')))).toEqual({
      status: 400,
      body: { code: 'INVALID_REQUEST', message: 'An HTTP/1.1 request needs a Host header' },
    });
    expect(served.upstream.requests.length).toBe(before);
  });

  it('answers headers over 16 KiB 431 HEADERS_TOO_LARGE', async () => {
    const bytes = `POST /api/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(answered(await rawExchange(served.port, Buffer.from(bytes, 'latin1')))).toEqual({
      status: 431,
      body: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
    });
  });

  it('answers an Expect other than 100-continue 417 EXPECTATION_FAILED', async () => {
    const before = served.upstream.requests.length;
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const bytes =
      'POST /api/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Accept: application/json, text/event-stream\r\nExpect: teapot\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    expect(answered(await rawExchange(served.port, Buffer.from(bytes, 'latin1')))).toEqual({
      status: 417,
      body: { code: 'EXPECTATION_FAILED', message: 'The gateway meets no Expect header but 100-continue' },
    });
    expect(served.upstream.requests.length).toBe(before);
  });

  it('answers a client that never finishes its headers 408 REQUEST_TIMEOUT and closes once the headers timeout passed', async () => {
    const socket = net.connect(served.port, '127.0.0.1');
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
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(
      '{"code":"REQUEST_TIMEOUT","message":"The request headers did not arrive in time"}',
    );
    // The timeout (1 s) plus at most one check interval (1 s) and some slack for a busy machine.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);
  });
});
