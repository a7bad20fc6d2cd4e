import { addressList } from '#portico/policy-engine';
import {
  acceptsMcpAnswer,
  applyHeaderEdits,
  clientAddress,
  peerAddress,
  clientResponseHeaders,
  hasRequestBody,
  headerValue,
  isJsonMediaType,
  looksLikeMcp,
  mediaType,
  upstreamRequestHeaders,
} from './headers.js';

/** A flat name/value list as an object (values of repeated names collected in an array). */
function asObject(list: readonly (string | string[])[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1]!;
    const seen = out[name];
    out[name] = seen === undefined ? value : ([] as string[]).concat(seen, value);
  }
  return out;
}

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
      { peerAddress: '10.1.1.1', overTls: false, identityEncoding: false },
    );
    expect(asObject(out)).toEqual({
      'mcp-session-id': 's-1',
      accept: 'application/json, text/event-stream',
      'x-forwarded-for': '10.1.1.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example',
    });
  });

  it('sets X-Forwarded-Proto https for a request that came over TLS, unless a fronting proxy set it', () => {
    const proto = (headers: Record<string, string>) =>
      asObject(upstreamRequestHeaders(headers, { peerAddress: 'c', overTls: true, identityEncoding: false }))[
        'x-forwarded-proto'
      ];
    expect(proto({})).toBe('https');
    expect(proto({ 'x-forwarded-proto': 'http' })).toBe('http');
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
      { peerAddress: '2.2.2.2', overTls: false, contentLength: 10, identityEncoding: true },
    );
    expect(out.filter((_, i) => i % 2 === 0).sort()).toEqual([
      'accept-encoding',
      'content-length',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
    ]);
    expect(asObject(out)).toEqual({
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
    expect(asObject(clientResponseHeaders(upstream, { dropContentLength: false, eventStream: true }))).toEqual({
      'content-length': '5',
      'content-type': 'text/event-stream',
      'set-cookie': ['a=1', 'b=2'],
      'x-accel-buffering': 'no',
    });
  });

  it('drops Content-Length when the gateway changes the body, and Content-Type when it sets its own', () => {
    const changed = asObject(clientResponseHeaders(upstream, { dropContentLength: true, eventStream: false }));
    expect(changed['content-length']).toBeUndefined();
    expect(changed['content-type']).toBe('text/event-stream');
    const rewritten = clientResponseHeaders(upstream, { dropContentLength: true, dropContentType: true, eventStream: false });
    expect(asObject(rewritten)).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
  });

  it('repeats a header with several values as several entries', () => {
    const list = upstreamRequestHeaders(
      { cookie: 'a', 'x-multi': ['1', '2'] },
      { peerAddress: 'c', overTls: false, identityEncoding: false },
    );
    expect(list.slice(0, 6)).toEqual(['cookie', 'a', 'x-multi', '1', 'x-multi', '2']);
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
  ])('peerAddress(%s) = %s', (value, expected) => {
    expect(peerAddress(value)).toBe(expected);
  });

  describe('clientAddress behind trusted proxies', () => {
    const proxies = addressList(['10.0.0.0/8', 'fd00::/8']);
    it.each([
      ['an untrusted peer: its own address, whatever it forwards', '203.0.113.9', '1.2.3.4', '203.0.113.9'],
      ['no trusted proxies configured', '10.0.0.1', '1.2.3.4', '10.0.0.1'],
      ['a trusted peer: the address it forwarded', '10.0.0.1', '198.51.100.7', '198.51.100.7'],
      ['a spoofed left part is skipped', '10.0.0.1', '6.6.6.6, 198.51.100.7', '198.51.100.7'],
      ['a chain of trusted proxies', '::ffff:10.0.0.1', '6.6.6.6, 198.51.100.7, 10.1.1.1', '198.51.100.7'],
      ['IPv6 hops', 'fd00::1', '2001:db8::5, fd00::2', '2001:db8::5'],
      ['a garbage hop stops the walk', '10.0.0.1', '198.51.100.7, junk', '10.0.0.1'],
      ['every hop trusted: the left-most', '10.0.0.1', '10.2.2.2, 10.3.3.3', '10.2.2.2'],
      ['no header', '10.0.0.1', undefined, '10.0.0.1'],
    ])('%s', (_case, peer, forwarded, expected) => {
      const trusted = _case === 'no trusted proxies configured' ? undefined : proxies;
      expect(clientAddress(peer, forwarded, trusted)).toBe(expected);
    });
  });

  it.each([
    ['application/json', true],
    ['application/vnd.api+json', true],
    ['text/json', false],
    ['text/event-stream', false],
    [undefined, false],
  ])('isJsonMediaType(%s) = %s', (value, expected) => {
    expect(isJsonMediaType(value)).toBe(expected);
  });

  it.each([
    [undefined, true],
    ['', true],
    ['application/json, text/event-stream', true],
    ['TEXT/EVENT-STREAM', true],
    ['*/*', true],
    ['text/*', true],
    ['image/png', false],
  ])('acceptsMcpAnswer(%s) = %s', (value, expected) => {
    expect(acceptsMcpAnswer(value)).toBe(expected);
  });

  it.each([
    [{ accept: 'text/event-stream' }, true],
    [{ 'content-type': 'application/json; charset=utf-8' }, true],
    [{ 'mcp-protocol-version': '2025-06-18' }, true],
    [{ 'mcp-session-id': 's' }, true],
    [{ accept: 'text/html', 'content-type': 'text/plain' }, false],
  ])('looksLikeMcp(%j) = %s', (headers, expected) => {
    expect(looksLikeMcp(headers)).toBe(expected);
  });

  it.each([
    [{ 'content-length': '3' }, true],
    [{ 'content-length': '0' }, false],
    [{ 'transfer-encoding': 'chunked' }, true],
    [{}, false],
  ])('hasRequestBody(%j) = %s', (headers, expected) => {
    expect(hasRequestBody(headers)).toBe(expected);
  });

  it('headerValue joins a repeated header', () => {
    expect(headerValue({ 'x-a': ['1', '2'] }, 'x-a')).toBe('1, 2');
    expect(headerValue({ 'x-a': '1' }, 'x-a')).toBe('1');
    expect(headerValue({}, 'x-a')).toBeUndefined();
  });
});

describe('applyHeaderEdits', () => {
  const headers = ['host', 'gw', 'authorization', 'Bearer t', 'x-a', '1', 'x-b', ['2', '3']];

  it('applies edits in order: removes, replaces what it sets, appends; the same edit object again alike', () => {
    const consume = Object.freeze({ remove: ['Authorization'] });
    const claims = Object.freeze({ set: Object.freeze({ 'X-A': 'claim', 'x-c': 'new' }) });
    const expected = ['host', 'gw', 'x-b', ['2', '3'], 'x-a', 'claim', 'x-c', 'new'];
    expect(applyHeaderEdits(headers, [consume, claims])).toEqual(expected);
    expect(applyHeaderEdits(headers, [consume, claims])).toEqual(expected);
    expect(applyHeaderEdits(headers, [claims, { remove: ['x-c'] }])).toEqual([
      'host',
      'gw',
      'authorization',
      'Bearer t',
      'x-b',
      ['2', '3'],
      'x-a',
      'claim',
    ]);
    expect(headers).toHaveLength(8);
  });

  it('never sets a hop-by-hop header, though it drops one an edit names', () => {
    expect(
      applyHeaderEdits(['connection', 'x-a', 'x-a', '1'], [{ set: { Connection: 'close', 'transfer-encoding': 'chunked' } }]),
    ).toEqual(['x-a', '1']);
  });
});
