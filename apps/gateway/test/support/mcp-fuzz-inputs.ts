/**
 * fast-check arbitraries of what a client may send a gateway MCP API: JSON bodies (any JSON,
 * JSON-RPC-shaped messages with wrong types, batches, deep nesting, bodies past the limit), HTTP
 * heads (methods, Content-Type, Accept, MCP headers, credentials, paths) and raw bytes that are
 * not well-formed HTTP at all. Every generated request prints as a short label in fast-check's
 * reports (the bodies can be megabytes).
 */
import fc from 'fast-check';
import { jsonArbitraries, labelled, nestedJson, type RawJson, toJson } from '#portico/testing';
import type { HttpRequestSpec } from '#portico/testing';

/** A JSON body and what the report calls it. */
export interface FuzzBody {
  text: string;
  label: string;
}

const PROTOCOL_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;

const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'sampling/createMessage',
  'roots/list',
  'rpc.discover',
  'TOOLS/CALL',
  'tools/call ',
  'tools/call\u0000',
  '__proto__',
];

/** echo is the upstream's; say is echo renamed by mcp-tool-mapping; slow is never callable (it would hold the upstream). */
const TOOL_NAMES = ['echo', 'say', 'fail', 'slow', 'nope', ''];

const ODD_STRINGS = [
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u2028\u2029',
  '\u202e',
  '🙂',
  'é',
  '__proto__',
  'constructor',
  '%00',
  '../../etc/passwd',
  '=?base64?ZWNobw==?=',
  'mail me at someone@example.com',
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n)) },
);

/** Scalars, with numbers past what JavaScript holds exactly and forms JSON.stringify never writes; any JSON value, small. */
const { anyJson } = jsonArbitraries({
  text,
  oddNumbers: [
    '1e400',
    '-1e400',
    '123456789012345678901234567890',
    '9007199254740993',
    '-0',
    '1.5',
    '1E-400',
    '-9223372036854775809',
  ],
  size: 4,
  stringUnit: 'binary',
});

/** Mostly the value a field should hold, sometimes anything. */
const mostly = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anyJson });

const params = mostly(
  fc.record(
    {
      name: mostly(fc.constantFrom(...TOOL_NAMES)),
      arguments: mostly(fc.record({ text: mostly(text) }, { requiredKeys: [] })),
      uri: mostly(fc.constantFrom('file:///etc/passwd', 'test://static/resource/1', '')),
      _meta: mostly(fc.record({ progressToken: fc.oneof(fc.integer(), fc.string()) })),
      protocolVersion: mostly(fc.constantFrom(...PROTOCOL_VERSIONS)),
      capabilities: anyJson,
      clientInfo: mostly(fc.constant({ name: 'fuzz', version: '1.0.0' })),
      cursor: anyJson,
      level: anyJson,
      ref: anyJson,
    },
    { requiredKeys: [] },
  ),
);

const jsonrpc = mostly(fc.constant('2.0'));
const id = mostly(fc.oneof(fc.integer(), fc.string()));
const method = mostly(fc.constantFrom(...METHODS));

/** One JSON-RPC-shaped message: a request, notification or response, its members of right or wrong types, or any mix of members. */
const jsonRpcMessage: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ jsonrpc, id, method, params }, { requiredKeys: ['jsonrpc', 'id', 'method'] }) },
  { weight: 2, arbitrary: fc.record({ jsonrpc, method, params }, { requiredKeys: ['jsonrpc', 'method'] }) },
  { weight: 1, arbitrary: fc.record({ jsonrpc, id, result: anyJson }) },
  {
    weight: 1,
    arbitrary: fc.record({
      jsonrpc,
      id,
      error: mostly(fc.record({ code: fc.integer(), message: text, data: anyJson }, { requiredKeys: [] })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ jsonrpc, id, method, params, result: anyJson, error: anyJson }, { requiredKeys: [] }),
  },
);

const asBody = (value: unknown): FuzzBody => {
  const bodyText = toJson(value);
  return {
    text: bodyText,
    label: `${bodyText.length} bytes: ${bodyText.length > 300 ? `${bodyText.slice(0, 300)}…` : bodyText}`,
  };
};

/** Any JSON value as the body. */
export const anyJsonBody: fc.Arbitrary<FuzzBody> = anyJson.map(asBody);

/** One JSON-RPC-shaped message as the body. */
export const messageBody: fc.Arbitrary<FuzzBody> = jsonRpcMessage.map(asBody);

/** Batches: empty, of messages, mixed with other values, nested, and past the 100 messages a batch may hold. */
export const batchBody: fc.Arbitrary<FuzzBody> = fc
  .oneof(
    fc.constant([]),
    fc.array(jsonRpcMessage, { minLength: 1, maxLength: 6 }),
    fc.array(fc.oneof(jsonRpcMessage, anyJson, fc.array(jsonRpcMessage, { maxLength: 3 })), { minLength: 1, maxLength: 6 }),
    fc
      .integer({ min: 100, max: 130 })
      .map((n) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }))),
  )
  .map(asBody);

/** Where a deep value goes in a tools/call (or is the whole body). */
const DEEP_PLACES = ['body', 'params', 'arguments', 'argument', 'id', 'meta', 'batch'] as const;

function deepMessage(deep: RawJson, place: (typeof DEEP_PLACES)[number], tool: string): unknown {
  const call = (p: unknown, callId: unknown = 1) => ({ jsonrpc: '2.0', id: callId, method: 'tools/call', params: p });
  switch (place) {
    case 'body':
      return deep;
    case 'params':
      return call(deep);
    case 'arguments':
      return call({ name: tool, arguments: deep });
    case 'argument':
      // An e-mail address too, so the DLP policy redacts: the message is re-serialised.
      return call({ name: tool, arguments: { text: 'mail someone@example.com', deep } });
    case 'id':
      return call({ name: tool, arguments: { text: 'x' } }, deep);
    case 'meta':
      return call({ name: tool, arguments: { text: 'x' }, _meta: deep });
    case 'batch':
      return [{ jsonrpc: '2.0', id: 1, method: 'ping' }, call({ name: tool, arguments: { text: 'x', deep } }, 2)];
  }
}

/** How deep a value is, of what, where in a tools/call, calling which tool. */
export interface DeepValue {
  depth: number;
  shape: 'array' | 'object';
  place: (typeof DEEP_PLACES)[number];
  tool: string;
}

/** The body `deep` describes. */
export function deepCallBody({ depth, shape, place, tool }: DeepValue): FuzzBody {
  const bodyText = toJson(deepMessage(nestedJson(depth, shape), place, tool));
  return { text: bodyText, label: `${shape}s ${depth} deep at ${place} (${tool}), ${bodyText.length} bytes` };
}

/** Values 10 to 100 000 levels deep, in each place of a message. */
export const deepBody: fc.Arbitrary<FuzzBody> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 10, max: 1_000 }), fc.integer({ min: 1_000, max: 100_000 }), fc.constant(100_000)),
    shape: fc.constantFrom('array' as const, 'object' as const),
    place: fc.constantFrom(...DEEP_PLACES),
    // say reaches the policies of /b (echo is hidden there: mcp-tool-mapping renamed it).
    tool: fc.oneof({ weight: 2, arbitrary: fc.constant('say') }, { weight: 1, arbitrary: fc.constant('echo') }),
  })
  .map(deepCallBody);

/** Bodies past `limit` bytes by 1 byte to 256 KiB: a JSON-RPC call with a long argument, a long batch, or no JSON at all. */
export function oversizedBody(limit: number): fc.Arbitrary<FuzzBody> {
  return fc
    .record({ over: fc.integer({ min: 1, max: 256 * 1024 }), shape: fc.constantFrom('call', 'batch', 'garbage') })
    .map(({ over, shape }) => {
      const size = limit + over;
      let bodyText: string;
      if (shape === 'garbage') bodyText = 'x'.repeat(size);
      else if (shape === 'batch') {
        const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"},';
        bodyText = `[${ping.repeat(Math.ceil(size / ping.length)).slice(0, -1)}]`;
      } else {
        const head = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"';
        bodyText = `${head}${'x'.repeat(size - head.length - 4)}"}}}`;
      }
      return { text: bodyText, label: `${shape} of ${bodyText.length} bytes (limit ${limit})` };
    });
}

/** What the spec's gateway serves, as the request arbitraries need it. */
export interface FuzzTargets {
  /** MCP endpoints of the fuzzed APIs, e.g. `/a`. */
  endpoints: readonly string[];
  /** Session ids the upstream issued (a request sometimes carries one of them). */
  sessionIds: readonly string[];
  /** The Authorization value the API that asks for credentials accepts. */
  authorization: string;
}

/** A header value Node's HTTP parser takes (no control characters); may hold any other Unicode (sent as UTF-8). */
const headerText = fc.string({ unit: 'binary', maxLength: 60 }).map((value) =>
  [...value]
    .filter((c) => c === '\t' || (c >= ' ' && c !== '\u007f'))
    .join('')
    .trim(),
);

const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/);

/** Headers that frame the message: the raw-bytes property fuzzes them, the others leave them alone. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'te', 'trailer']);

type Header = readonly [string, string];

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.api+json',
    'application/json-seq',
    'text/json',
    'text/plain',
    'text/event-stream',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    '*/*',
    '',
    ';',
  ),
  headerText,
);

const accept = fc.oneof(
  fc.constantFrom('application/json', 'text/event-stream', '*/*', 'text/html', 'application/xml', 'application/*;q=0', ''),
  headerText,
);

const authorization = fc.oneof(
  fc.constantFrom('Basic', 'Basic ', 'Basic Og==', 'Basic !!!', 'Bearer', 'Bearer x', 'Digest x', `Basic ${'A'.repeat(3_000)}`),
  fc.string().map((value) => `Basic ${Buffer.from(value).toString('base64')}`),
  headerText,
);

/** MCP headers, credentials and anything else, each present or not, right or wrong. */
function mcpHeaders(targets: FuzzTargets, body: FuzzBody): fc.Arbitrary<Header[]> {
  const named = (name: string, value: fc.Arbitrary<string>) =>
    fc.option(
      value.map((v): Header => [name, v]),
      { nil: undefined },
    );
  // Mirrors of the body's method and name; every header stays well under Node's 16 KiB for a head.
  const bodyMethod = (/"method":"([^"]*)"/.exec(body.text)?.[1] ?? 'tools/call').slice(0, 500);
  const bodyName = (/"name":"([^"]*)"/.exec(body.text)?.[1] ?? 'echo').slice(0, 500);
  const base64 = (value: string) => `=?base64?${Buffer.from(value).toString('base64')}?=`;
  return fc
    .tuple(
      named('Content-Type', fc.oneof(fc.constant('application/json'), contentType)),
      named('Accept', fc.oneof(fc.constant('application/json, text/event-stream'), accept)),
      named('Mcp-Protocol-Version', fc.oneof(fc.constantFrom(...PROTOCOL_VERSIONS), headerText)),
      named('Mcp-Session-Id', fc.oneof(fc.constantFrom(...targets.sessionIds), headerText, fc.constant('x'.repeat(4_000)))),
      named('Mcp-Method', fc.oneof(fc.constant(bodyMethod), fc.constant(base64(bodyMethod)), headerText)),
      named(
        'Mcp-Name',
        fc.oneof(fc.constant(bodyName), fc.constant(base64(bodyName)), fc.constant('=?base64?***?='), headerText),
      ),
      named('Authorization', fc.oneof(fc.constant(targets.authorization), authorization)),
      named('Origin', fc.oneof(fc.constantFrom('http://127.0.0.1', 'http://evil.example', 'null'), headerText)),
      named('X-Request-Id', headerText),
      named('X-Forwarded-For', fc.oneof(fc.ipV4(), fc.ipV6(), headerText)),
      named('Last-Event-ID', headerText),
      fc.array(
        fc.tuple(headerName, headerText).filter(([name]) => !FRAMING.has(name.toLowerCase())),
        { maxLength: 4 },
      ),
    )
    .map((parts) => {
      const optional = parts.slice(0, -1) as (Header | undefined)[];
      return [...optional.filter((header): header is Header => header !== undefined), ...(parts.at(-1) as Header[])];
    });
}

const HTTP_METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH'];

/** A POST of `body` to `target` with the MCP headers and credentials right, in `session` when given. */
export function mcpPost(
  targets: FuzzTargets,
  target: string,
  body: FuzzBody,
  options: { version?: string; session?: string } = {},
): HttpRequestSpec {
  const { version, session } = options;
  return request(
    'POST',
    target,
    [
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json, text/event-stream'],
      ['Authorization', targets.authorization],
      ...(version ? [['Mcp-Protocol-Version', version] as const] : []),
      ...(session ? [['Mcp-Session-Id', session] as const] : []),
    ],
    body,
  );
}

/** mcpPost of `bodies` to a fuzzed endpoint, mostly in the upstream's session. */
export function wellFormedPost(targets: FuzzTargets, bodies: fc.Arbitrary<FuzzBody>): fc.Arbitrary<HttpRequestSpec> {
  return fc
    .tuple(
      fc.constantFrom(...targets.endpoints),
      bodies,
      // No header: 2025-03-26, so batches are allowed.
      fc.option(fc.constantFrom('2025-03-26', '2025-06-18', '2025-11-25'), { nil: undefined }),
      fc.option(fc.constantFrom(...targets.sessionIds), { nil: undefined }),
    )
    .map(([target, body, version, session]) => mcpPost(targets, target, body, { version, session }));
}

/** Any method, with any Content-Type, Accept, MCP headers, credentials and more, to a fuzzed endpoint. */
export function fuzzedHeads(targets: FuzzTargets): fc.Arbitrary<HttpRequestSpec> {
  return fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom(...HTTP_METHODS) }),
      fc.constantFrom(...targets.endpoints),
      fc.oneof(messageBody, fc.constant<FuzzBody | undefined>(undefined)),
    )
    .chain(([method, target, body]) =>
      mcpHeaders(targets, body ?? { text: '', label: '' }).map((headers) => request(method, target, headers, body)),
    );
}

const pathSegment = fc.oneof(
  fc.constantFrom(
    '.',
    '..',
    '%2e',
    '%2E%2e',
    '.%2e',
    '%2f',
    '%2F..',
    '%5c..',
    '%00',
    '%zz',
    '%',
    '%e2%82',
    '%c0%ae',
    'mcp',
    'MCP',
    'mcp;x=1',
    '',
    '~',
    '@',
  ),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,12}$/),
  fc.string({ maxLength: 6 }).map(encodeURIComponent),
);

const PATH_PREFIXES = [
  '/a',
  '/b',
  '/c',
  '/a/',
  '/b/mcp',
  '/',
  '//a',
  '/A',
  '/nowhere',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/a',
  '/.well-known/oauth-protected-resource/b/x',
  'http://127.0.0.1/a',
  '*',
];

/** Paths: dot segments (plain and percent-encoded), bad percent-escapes, odd prefixes and queries, with any method. */
export function fuzzedPaths(targets: FuzzTargets): fc.Arbitrary<HttpRequestSpec> {
  return fc
    .record({
      method: fc.constantFrom(...HTTP_METHODS),
      prefix: fc.constantFrom(...PATH_PREFIXES),
      segments: fc.array(pathSegment, { maxLength: 4 }),
      query: fc.option(fc.stringMatching(/^[A-Za-z0-9=&%._~+/?-]{0,30}$/), { nil: undefined }),
      body: fc.option(messageBody, { nil: undefined }),
    })
    .map(({ method, prefix, segments, query, body }) => {
      const target = `${prefix}${segments.map((segment) => `/${segment}`).join('')}${query === undefined ? '' : `?${query}`}`;
      const headers: Header[] = [
        ['Content-Type', 'application/json'],
        ['Accept', 'application/json, text/event-stream'],
        ['Authorization', targets.authorization],
      ];
      return request(method, target, headers, body);
    });
}

function request(method: string, target: string, headers: Header[], body: FuzzBody | undefined): HttpRequestSpec {
  const head = `${method} ${target} ${headers.map(([name, value]) => `${name}: ${value.slice(0, 80)}`).join(' | ')}`;
  return labelled(
    { method, target, headers, ...(body !== undefined && { body: Buffer.from(body.text, 'utf8') }) },
    `${head} || ${body?.label ?? 'no body'}`,
  );
}

/** Raw request bytes and what the report calls them. */
export interface RawRequest {
  bytes: Buffer;
  label: string;
}

const requestLine = fc.oneof(
  { weight: 3, arbitrary: fc.constant('POST /a HTTP/1.1') },
  {
    weight: 2,
    arbitrary: fc
      .record({
        method: fc.oneof(
          fc.constantFrom('GET', 'POST', 'get', 'FOO', 'CONNECT', 'PRI', '', 'G ET', 'POST\u0000'),
          fc.string({ unit: 'binary-ascii', maxLength: 8 }),
        ),
        target: fc.oneof(
          fc.constantFrom('/a', '/b', '*', '', '/a#x', '/a/m cp', '/a/\u0000', '/a/\u00ff', 'a', '127.0.0.1:80'),
          fc.string({ unit: 'binary-ascii', maxLength: 16 }),
        ),
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.10', 'HTTP/1.1 x', ''),
      })
      .map(({ method, target, version }) => `${method} ${target} ${version}`),
  },
);

const headerLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      'Mcp-Protocol-Version: 2025-06-18',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'Host: 127.0.0.1',
      'Host:',
      'X-Folded: a\r\n b',
      'No-Colon',
      'Space-Before-Colon : x',
      ': no-name',
      'X-Nul: a\u0000b',
      'X-Bare-Cr: a\rb',
      'Expect: 100-continue',
      'Expect: something-else',
      'Upgrade: websocket',
      'Upgrade: h2c',
      'Connection: Upgrade, HTTP2-Settings',
      'Connection: keep-alive',
      `X-Huge: ${'h'.repeat(20_000)}`,
      'Content-Type: application/json\u00ff',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
);

/** How the body is framed; some framings lie about it. */
const FRAMINGS = [
  'length',
  'none',
  'length-short',
  'length-long',
  'length-twice',
  'length-negative',
  'length-text',
  'chunked',
  'chunked-bad-size',
  'chunked-unterminated',
  'chunked-and-length',
  'gzip-chunked',
  'identity',
] as const;

function framed(framing: (typeof FRAMINGS)[number], body: Buffer): { headers: string[]; body: Buffer } {
  const chunk = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
  const chunked = Buffer.concat([chunk(body), Buffer.from('0\r\n\r\n')]);
  switch (framing) {
    case 'length':
      return { headers: [`Content-Length: ${body.length}`], body };
    case 'none':
      return { headers: [], body };
    case 'length-short':
      // The client ends the connection before the body it announced is complete.
      return { headers: [`Content-Length: ${body.length + 100}`], body };
    case 'length-long':
      return { headers: [`Content-Length: ${Math.max(0, body.length - 10)}`], body };
    case 'length-twice':
      return { headers: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`], body };
    case 'length-negative':
      return { headers: ['Content-Length: -1'], body };
    case 'length-text':
      return { headers: ['Content-Length: 1e3'], body };
    case 'chunked':
      return { headers: ['Transfer-Encoding: chunked'], body: chunked };
    case 'chunked-bad-size':
      return { headers: ['Transfer-Encoding: chunked'], body: Buffer.concat([Buffer.from('zz\r\n'), body]) };
    case 'chunked-unterminated':
      return { headers: ['Transfer-Encoding: chunked'], body: chunk(body) };
    case 'chunked-and-length':
      return { headers: ['Transfer-Encoding: chunked', `Content-Length: ${body.length}`], body: chunked };
    case 'gzip-chunked':
      return { headers: ['Transfer-Encoding: gzip, chunked'], body: chunked };
    case 'identity':
      return { headers: ['Transfer-Encoding: identity'], body };
  }
}

/** Bytes that are not (quite) HTTP/1.1: broken request lines and header lines, lying framing, bare line ends, random bytes. */
export const malformedRequest: fc.Arbitrary<RawRequest> = fc
  .oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({
          line: requestLine,
          headers: fc.array(headerLine, { maxLength: 6 }),
          framing: fc.constantFrom(...FRAMINGS),
          body: fc.oneof(fc.constant('{"jsonrpc":"2.0","id":1,"method":"ping"}'), fc.string({ unit: 'binary', maxLength: 64 })),
          eol: fc.oneof(
            { weight: 4, arbitrary: fc.constant('\r\n') },
            { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\n\r') },
          ),
        })
        .map(({ line, headers, framing, body, eol }) => {
          const message = framed(framing, Buffer.from(body, 'utf8'));
          const head = [line, ...headers, ...message.headers].join(eol);
          const bytes = Buffer.concat([Buffer.from(`${head}${eol}${eol}`, 'latin1'), message.body]);
          const shown = JSON.stringify(bytes.toString('latin1').slice(0, 400));
          return { bytes, label: `${framing}, ${bytes.length} bytes: ${shown}` };
        }),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 256 }).map((array) => {
        const bytes = Buffer.from(array);
        return { bytes, label: `random bytes: ${bytes.toString('hex')}` };
      }),
    },
  )
  .map((raw) => labelled(raw, raw.label));
