import { clientAddress, clientResponseHeaders, mediaType, upstreamRequestHeaders } from './headers.js';

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop headers, Host and Expect, and sets X-Forwarded-*', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'gw.example',
        connection: 'keep-alive, X-Secret',
        'x-secret': 's',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        expect: '100-continue',
        'mcp-session-id': 's-1',
        accept: 'application/json, text/event-stream',
      },
      { clientAddress: '10.1.1.1', identityEncoding: false },
    );
    expect(out).toEqual({
      'mcp-session-id': 's-1',
      accept: 'application/json, text/event-stream',
      'x-forwarded-for': '10.1.1.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example',
    });
  });

  it('appends to X-Forwarded-For, keeps a fronting proxy’s proto and host, replaces Content-Length and asks for identity', () => {
    const out = upstreamRequestHeaders(
      {
        'x-forwarded-for': '1.1.1.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'pub',
        'content-length': '3',
        'accept-encoding': 'gzip',
      },
      { clientAddress: '2.2.2.2', contentLength: 10, identityEncoding: true },
    );
    expect(out).toMatchObject({
      'x-forwarded-for': '1.1.1.1, 2.2.2.2',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'pub',
      'content-length': '10',
      'accept-encoding': 'identity',
    });
  });
});

describe('clientResponseHeaders', () => {
  const upstream = {
    connection: 'close, x-hop',
    'x-hop': '1',
    'content-length': '5',
    'content-type': 'text/event-stream',
    'set-cookie': ['a=1', 'b=2'],
  };

  it('drops hop-by-hop headers and marks event streams unbuffered', () => {
    expect(clientResponseHeaders(upstream, { dropContentLength: false, eventStream: true })).toEqual({
      'content-length': '5',
      'content-type': 'text/event-stream',
      'set-cookie': ['a=1', 'b=2'],
      'x-accel-buffering': 'no',
    });
  });

  it('drops Content-Length when the gateway changes the body', () => {
    expect(clientResponseHeaders(upstream, { dropContentLength: true, eventStream: false })['content-length']).toBeUndefined();
  });
});

describe('small header helpers', () => {
  it.each([
    ['application/json; charset=utf-8', 'application/json'],
    ['Text/Event-Stream', 'text/event-stream'],
    [undefined, undefined],
  ])('mediaType(%s) = %s', (value, expected) => {
    expect(mediaType(value)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    [undefined, 'unknown'],
  ])('clientAddress(%s) = %s', (value, expected) => {
    expect(clientAddress(value)).toBe(expected);
  });
});
