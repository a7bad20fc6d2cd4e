/**
 * Property-based fuzzing of the data plane over real sockets (issue 12): malformed, oversized,
 * deeply nested and wrong-typed JSON-RPC, odd HTTP heads and paths, and bytes that are not HTTP,
 * sent to MCP APIs with policies in front of real MCP servers. The upstreams are healthy and
 * quick (the `slow` tool is out of every client's reach), so:
 * - no answer is a 5xx and nothing is logged as an error;
 * - every answer is documented (test/support/documented-answers.ts): the gateway's own 4xx (or
 *   200 JSON-RPC error) in its table's shape, or the upstream's own answer relayed;
 * - bytes that are not HTTP get such an answer too (client-errors.ts) and a closed connection, or
 *   a closed connection alone; never a connection left hanging;
 * - after every input the gateway still answers a control request on another API, and after every
 *   property a ping through to an upstream.
 * Seeded and reproducible: see test/support/fuzz-run.ts (PORTICO_FUZZ_SEED, PORTICO_FUZZ_RUNS,
 * PORTICO_FUZZ_PATH). Rate-limit windows are timed, so a replayed input may meet another count.
 */
import fc from 'fast-check';
import { startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';
import { checkProperty, fuzzTimeoutMs } from '../../test/support/fuzz-run.js';
import { undocumented } from '../../test/support/documented-answers.js';
import {
  anyJsonBody,
  batchBody,
  deepBody,
  deepCallBody,
  fuzzedHeads,
  fuzzedPaths,
  type FuzzTargets,
  malformedRequest,
  mcpPost,
  messageBody,
  oversizedBody,
  type RawRequest,
  wellFormedPost,
} from '../../test/support/mcp-fuzz-inputs.js';
import { type HttpRequestSpec, rawExchange, type RawOutcome, requestBytes } from '#portico/testing';

const FILE = 'apps/gateway/src/data-plane/fuzz.integration-spec.ts';
const BODY_LIMIT = 1024 * 1024;
const USER = 'fuzz';
const PASSWORD = 'fuzz-password';

/**
 * A property's share of the spec's time (under 60 s in all on a loaded 2-core machine): runs still
 * to go when it is up are skipped (fast-check's interruptAfterTimeLimit); an idle machine runs all.
 */
const PROPERTY_TIME_MS = 6_000;

/** The control API's endpoint, as an MCP client posts to it. */
const CONTROL = {
  method: 'POST',
  target: '/ctl',
  headers: [
    ['Content-Type', 'application/json'],
    ['Accept', 'application/json, text/event-stream'],
  ],
} as const;

const SLOW_DISABLED = { type: 'mcp-tool-mapping', configuration: { toolMappings: [{ sourceToolName: 'slow', enabled: false }] } };

describe('fuzzing the data plane', () => {
  let stateful: TestMcpServer;
  let stateless: TestMcpServer;
  let gateway: TestGateway;
  let port: number;
  let targets: FuzzTargets;

  beforeAll(async () => {
    stateful = await startMcpServer({ stateful: true });
    stateless = await startMcpServer({ stateful: false, jsonResponse: true });
    [port] = (await freePorts(1)) as [number];
    // The base path is the MCP endpoint. (Upstream paths then start with /mcp: the test server
    // reads a path starting with // as a host and answers 500, see the report of issue 12.)
    const sse = stateful.url;
    const json = stateless.url;
    gateway = await startTestGateway(
      gatewayConfig([
        {
          // SSE answers and sessions; access control and a per-tool rate limit.
          id: 'a',
          port,
          basePath: '/a',
          upstream: sse,
          policies: [
            'mcp-support',
            {
              type: 'mcp-acl',
              configuration: {
                rules: [
                  { feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' },
                ],
              },
            },
            {
              type: 'rate-limiting',
              configuration: {
                rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1_000 }],
                mcpMethods: ['tools/call'],
                keySelector: '#[mcp.name]',
                clusterizable: false,
              },
            },
          ],
        },
        {
          // JSON answers; policies that rewrite and inspect messages.
          id: 'b',
          port,
          basePath: '/b',
          upstream: json,
          policies: [
            'mcp-support',
            {
              type: 'mcp-tool-mapping',
              configuration: {
                toolMappings: [
                  { sourceToolName: 'echo', mappedToolName: 'say' },
                  { sourceToolName: 'slow', enabled: false },
                ],
              },
            },
            { type: 'mcp-schema-validation', configuration: { validateToolSchema: true } },
            { type: 'mcp-pii-detector', configuration: { entities: ['Email'], action: 'Redact' } },
          ],
        },
        {
          // Credentials checked before the body is read.
          id: 'c',
          port,
          basePath: '/c',
          upstream: sse,
          policies: [
            'mcp-support',
            { type: 'http-basic-authentication', configuration: { username: USER, password: PASSWORD } },
            SLOW_DISABLED,
          ],
        },
        // Not fuzzed: the control requests.
        { id: 'ctl', port, basePath: '/ctl', upstream: json, policies: ['mcp-support'] },
      ]),
      { bodyLimitBytes: BODY_LIMIT, responseTimeoutMs: 5_000 },
    );
    targets = {
      endpoints: ['/a', '/b', '/c'],
      sessionIds: [await openSession()],
      authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    };
  });
  afterAll(async () => {
    await gateway?.close();
    await stateful?.close();
    await stateless?.close();
  });

  const post = (target: string, body: unknown, headers: [string, string][] = []) =>
    rawExchange(
      port,
      requestBytes(
        { method: 'POST', target, headers: [...CONTROL.headers, ...headers], body: Buffer.from(JSON.stringify(body)) },
        `127.0.0.1:${port}`,
      ),
    );

  /** A session of the stateful upstream, opened through the gateway. */
  async function openSession(): Promise<string> {
    const init = await post('/a', {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1.0.0' } },
    });
    const sessionId = init.kind === 'answered' ? init.answer.headers['mcp-session-id'] : undefined;
    if (!sessionId) throw new Error(`initialize through the gateway failed: ${JSON.stringify(init)}`);
    await post('/a', { jsonrpc: '2.0', method: 'notifications/initialized' }, [
      ['Mcp-Session-Id', sessionId],
      ['Mcp-Protocol-Version', '2025-06-18'],
    ]);
    return sessionId;
  }

  /** Throws unless `outcome` is `status` with exactly `body`. */
  function expectAnswer(what: string, outcome: RawOutcome, status: number, body: string): void {
    const answer = outcome.kind === 'answered' ? outcome.answer : undefined;
    if (answer?.status !== status || answer.body.toString('utf8') !== body) {
      throw new Error(`the gateway no longer answers ${what}: ${describeOutcome(outcome)}`);
    }
  }

  /**
   * The gateway still serves, after each input: a body that is not JSON on the control API is
   * answered by the gateway itself (cheap; an upstream round trip per input would halve the runs).
   */
  async function expectServing(): Promise<void> {
    const outcome = await rawExchange(port, requestBytes({ ...CONTROL, body: Buffer.from('{') }, `127.0.0.1:${port}`));
    expectAnswer(
      'the control request',
      outcome,
      400,
      '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
    );
  }

  /** The whole path still works, after each property: a ping through the gateway to an upstream is answered. */
  async function expectAlive(): Promise<void> {
    const outcome = await post('/ctl', { jsonrpc: '2.0', id: 'alive', method: 'ping' });
    expectAnswer('the control ping', outcome, 200, '{"result":{},"jsonrpc":"2.0","id":"alive"}');
  }

  /**
   * Sends `bytes` and throws why the outcome is not allowed: an undocumented answer, an error
   * logged, a connection left open; with `notHttp`, a dropped connection is allowed too. Then
   * checks the gateway still serves.
   */
  async function expectDocumented(bytes: Buffer, method: string, notHttp: boolean): Promise<void> {
    const seen = stateful.requests.length + stateless.requests.length;
    const logged = gateway.logs.length;
    // Bytes that are not HTTP may leave the server waiting for more: the client gives up soon.
    const outcome = await rawExchange(port, bytes, notHttp ? { quietMs: 250 } : {});
    const upstreamSaw = stateful.requests.length + stateless.requests.length > seen;
    const reason = judge(outcome, method, upstreamSaw, notHttp);
    const warnings = gateway.logs.slice(logged).filter((record) => Number(record.level) >= 40);
    const logs = `gateway warnings and errors: ${JSON.stringify(warnings).slice(0, 1_000)}`;
    if (reason) throw new Error(`${reason}\n${describeOutcome(outcome)}\n${logs}`);
    if (warnings.some((record) => Number(record.level) >= 50)) throw new Error(`the gateway logged errors\n${logs}`);
    await expectServing();
  }

  function judge(outcome: RawOutcome, method: string, upstreamSaw: boolean, notHttp: boolean): string | undefined {
    if (outcome.kind === 'timeout') return 'no answer, and the connection was still open after 10 s';
    if (outcome.kind === 'no-answer') return notHttp ? undefined : 'the connection closed without an answer';
    return undocumented(outcome.answer, { method, upstreamSaw });
  }

  const sendSpec = (spec: HttpRequestSpec) => expectDocumented(requestBytes(spec, `127.0.0.1:${port}`), spec.method, false);
  const sendRaw = (raw: RawRequest) => expectDocumented(raw.bytes, 'POST', true);

  /**
   * An `it` sending `examples` (inputs that once failed), then `runs` inputs of `inputs` with
   * `send`, as many as `timeLimitMs` permits.
   */
  const fuzz = <T>(
    name: string,
    inputs: () => fc.Arbitrary<T>,
    send: (input: T) => Promise<void>,
    options: { runs: number; timeLimitMs?: number; examples?: () => T[] },
  ) =>
    it(
      name,
      () =>
        checkProperty(fc.asyncProperty(inputs(), send), {
          runs: options.runs,
          timeLimitMs: options.timeLimitMs ?? PROPERTY_TIME_MS,
          examples: options.examples?.(),
          file: FILE,
          test: name,
        }),
      fuzzTimeoutMs(60_000),
    );

  it('answers the control requests before any fuzzing (control case)', async () => {
    await expectServing();
    await expectAlive();
  });
  afterEach(() => expectAlive());

  fuzz('answers any JSON value as a POST body with a documented answer', () => wellFormedPost(targets, anyJsonBody), sendSpec, {
    runs: 60,
  });

  fuzz(
    'answers JSON-RPC-shaped messages with members of wrong types with a documented answer',
    () => wellFormedPost(targets, messageBody),
    sendSpec,
    { runs: 100 },
  );

  fuzz(
    'answers batches (empty, nested, mixed, too long) with a documented answer',
    () => wellFormedPost(targets, batchBody),
    sendSpec,
    { runs: 60 },
  );

  // Twice the time: a deep body costs the gateway and the upstream a parse of up to 500 kB.
  fuzz('answers values 10 to 100 000 levels deep with a documented answer', () => wellFormedPost(targets, deepBody), sendSpec, {
    runs: 50,
    timeLimitMs: 2 * PROPERTY_TIME_MS,
    // Found with the default seed: mcp-pii-detector walked the arguments recursively (500).
    examples: () => [mcpPost(targets, '/b', deepCallBody({ depth: 100_000, shape: 'object', place: 'argument', tool: 'say' }))],
  });

  fuzz(
    'answers bodies over the limit with a documented answer',
    () => wellFormedPost(targets, oversizedBody(BODY_LIMIT)),
    sendSpec,
    { runs: 8 },
  );

  fuzz(
    'answers any method, Content-Type, Accept, MCP header and credentials with a documented answer',
    () => fuzzedHeads(targets),
    sendSpec,
    { runs: 100 },
  );

  fuzz('answers paths with dot segments and percent-escapes with a documented answer', () => fuzzedPaths(targets), sendSpec, {
    runs: 80,
  });

  fuzz('answers bytes that are not HTTP with a documented answer or a closed connection', () => malformedRequest, sendRaw, {
    runs: 100,
  });
});

/** An outcome as a failure report shows it. */
function describeOutcome(outcome: RawOutcome): string {
  if (outcome.kind !== 'answered') return JSON.stringify(outcome);
  const { status, headers, body } = outcome.answer;
  return `answer: ${status} ${JSON.stringify(headers)} ${body.toString('utf8').slice(0, 500)}`;
}
