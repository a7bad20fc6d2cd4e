/**
 * The access event of every exchange through a real data plane in front of a real MCP server:
 * what was called, by whom, how it ended (HTTP status, JSON-RPC error, tool error), how long it
 * took, the policies that did not pass and what a DLP guardrail found.
 */
import type { AccessEvent } from '#portico/proto-ts';
import { PolicyMode } from '#portico/proto-ts';
import { request } from 'node:http';
import { MCP_POST_HEADERS, postMcp, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const call = (id: number | string, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('access events', () => {
  let mcp: TestMcpServer;
  let gateway: TestGateway;
  let base: string;
  let port: number;
  const events: AccessEvent[] = [];
  const basic = { authorization: `Basic ${Buffer.from('ada@Example.org:pa55word').toString('base64')}` };

  /** The events of the exchanges made by `send`, once their answers ended. */
  async function eventsOf(send: () => Promise<unknown>): Promise<AccessEvent[]> {
    const before = events.length;
    await send();
    // An event is written once the answer ended: right after the client read it.
    await new Promise((resolve) => setImmediate(resolve));
    return events.slice(before);
  }

  beforeAll(async () => {
    mcp = await startMcpServer({ stateful: false, jsonResponse: true });
    [port] = (await freePorts(1)) as [number];
    const upstream = mcp.url.replace(/mcp$/, '');
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: 'logged',
          port,
          basePath: '/logged',
          upstream,
          policies: [
            'mcp-support',
            { type: 'http-basic-authentication', configuration: { username: 'ada@Example.org', password: 'pa55word' } },
            // Would deny everything: logged as shadow denials, not enforced.
            { type: 'mcp-acl', mode: PolicyMode.POLICY_MODE_SHADOW, configuration: {} },
            { type: 'mcp-pii-detector', configuration: { entities: ['Email'], action: 'Redact', scanRequests: false } },
          ],
        },
        {
          id: 'guarded',
          port,
          basePath: '/guarded',
          upstream,
          policies: [
            'mcp-support',
            {
              type: 'mcp-acl',
              configuration: {
                rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' }],
              },
            },
          ],
        },
        {
          id: 'payloads',
          port,
          basePath: '/payloads',
          upstream,
          policies: ['mcp-support', { type: 'mcp-payload-logging', configuration: { maxPayloadBytes: 256 } }],
        },
      ]),
      { accessEvents: (event) => void events.push(event) },
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await mcp.close();
  });

  it('records a tool call with its caller, outcome, sizes and timings', async () => {
    const body = call(7, 'echo', { text: 'hello' });
    const [event, ...more] = await eventsOf(() =>
      postMcp(`${base}/logged/mcp`, body, { ...basic, 'user-agent': 'agent-smith/1.0', 'mcp-session-id': 's-1' }),
    );
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      apiId: 'logged',
      httpMethod: 'POST',
      path: '/mcp',
      httpStatus: 200,
      mcpMethod: 'tools/call',
      jsonrpcId: '7',
      targetName: 'echo',
      jsonrpcErrorCode: undefined,
      toolError: false,
      bytesIn: Buffer.byteLength(JSON.stringify(body)),
      principal: 'ada@Example.org',
      userDomain: 'example.org',
      clientAddress: '127.0.0.1',
      userAgent: 'agent-smith/1.0',
      sessionId: 's-1',
      gatewayError: '',
      dlp: [],
    });
    expect(event!.id).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    expect(Math.abs(event!.timeUnixMs - Date.now())).toBeLessThan(5_000);
    expect(event!.bytesOut).toBeGreaterThan(100);
    expect(event!.upstreamLatencyUs).toBeGreaterThan(0);
    expect(event!.durationUs).toBeGreaterThanOrEqual(event!.upstreamLatencyUs!);
    // The shadow ACL's would-be denial, and nothing of the policies that passed.
    expect(event!.verdicts).toEqual([
      { policyType: 'mcp-acl', policyId: expect.any(String), verdict: 'reject', mode: 'shadow', errorKind: 'policy-denied' },
    ]);
  });

  it("records a tool's error result, and the upstream's JSON-RPC error", async () => {
    const [failed] = await eventsOf(() => postMcp(`${base}/logged/mcp`, call(1, 'fail', { message: 'no' }), basic));
    expect(failed).toMatchObject({ targetName: 'fail', httpStatus: 200, toolError: true, jsonrpcErrorCode: undefined });
    const [unknown] = await eventsOf(() =>
      postMcp(`${base}/logged/mcp`, { jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'nope' } }, basic),
    );
    expect(unknown).toMatchObject({ mcpMethod: 'prompts/get', targetName: 'nope', toolError: false });
    expect(unknown!.jsonrpcErrorCode).toBeLessThan(0);
  });

  it('records what the DLP guardrail found, by category and action only', async () => {
    const [event] = await eventsOf(() =>
      postMcp(`${base}/logged/mcp`, call(3, 'echo', { text: 'mail bob@corp.example' }), basic),
    );
    expect(event!.dlp).toEqual([
      { policyId: expect.any(String), direction: 'response', categories: ['Email'], action: 'redacted' },
    ]);
    expect(JSON.stringify(event)).not.toContain('bob@corp.example');
  });

  it("records the gateway's own refusals: the policy that denied, the error kind and the JSON-RPC code", async () => {
    const [denied] = await eventsOf(() => postMcp(`${base}/guarded/mcp`, call('x', 'fail', {}), {}));
    expect(denied).toMatchObject({
      apiId: 'guarded',
      httpStatus: 200,
      jsonrpcId: '"x"',
      targetName: 'fail',
      gatewayError: 'policy-denied',
      jsonrpcErrorCode: -32602,
      verdicts: [{ policyType: 'mcp-acl', verdict: 'reject', mode: 'enforce', errorKind: 'policy-denied' }],
    });
    expect(denied!.upstreamLatencyUs).toBeUndefined();
    const [unauthorized] = await eventsOf(() => postMcp(`${base}/logged/mcp`, call(4, 'echo', { text: 'x' }), {}));
    expect(unauthorized).toMatchObject({ httpStatus: 401, gatewayError: 'unauthorized', principal: '' });
    const [refused] = await eventsOf(() =>
      postMcp(`${base}/logged/mcp`, call(5, 'echo', { text: 'x' }), { host: 'evil.example' }),
    );
    expect(refused).toMatchObject({ apiId: 'logged', httpStatus: 403, gatewayError: 'host-not-allowed', requestId: '' });
    // A request no API takes is nobody's to log.
    expect(await eventsOf(() => postMcp(`${base}/nowhere/mcp`, call(6, 'echo', {}), {}))).toEqual([]);
  });

  it('records each request of a batch, and a notification without an id', async () => {
    const batch = [
      call(10, 'echo', { text: 'a' }),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      call(11, 'echo', { text: 'b' }),
    ];
    const logged = await eventsOf(() => postMcp(`${base}/logged/mcp`, batch, basic));
    expect(logged.map((e) => [e.mcpMethod, e.jsonrpcId])).toEqual([
      ['tools/call', '10'],
      ['notifications/initialized', ''],
      ['tools/call', '11'],
    ]);
    expect(new Set(logged.map((e) => e.id)).size).toBe(3);
    expect(new Set(logged.map((e) => e.requestId)).size).toBe(1);
  });

  it('logs payloads only where the instance opts in, redacted and cut to size', async () => {
    const [plain] = await eventsOf(() => postMcp(`${base}/logged/mcp`, call(20, 'echo', { text: 'hi' }), basic));
    expect(plain).toMatchObject({ requestPayload: '', responsePayload: '' });

    const [logged] = await eventsOf(() =>
      postMcp(`${base}/payloads/mcp`, call(21, 'echo', { text: 'write to eve@corp.example' })),
    );
    expect(JSON.parse(logged!.requestPayload)).toMatchObject({
      id: 21,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'write to [REDACTED:Email]' } },
    });
    expect(logged!.responsePayload).toContain('[REDACTED:Email]');
    expect(JSON.stringify(logged)).not.toContain('eve@corp.example');

    const [long] = await eventsOf(() => postMcp(`${base}/payloads/mcp`, call(22, 'echo', { text: 'x'.repeat(1000) })));
    expect(Buffer.byteLength(long!.requestPayload)).toBeLessThan(300);
    expect(long!.requestPayload.endsWith('…[truncated]')).toBe(true);
  });

  it('records 499 for a client that left before its answer, and the answered status otherwise', async () => {
    const before = events.length;
    const reached = mcp.requests.length;
    const body = JSON.stringify(call(30, 'slow', { ms: 3_000 }));
    await new Promise<void>((resolve) => {
      const req = request(`${base}/logged/mcp`, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...basic, 'content-length': Buffer.byteLength(body) },
      });
      req.on('error', () => resolve());
      req.end(body);
      // The client leaves once the call is at the upstream, well before its answer.
      const leave = setInterval(() => {
        if (mcp.requests.length === reached) return;
        clearInterval(leave);
        req.destroy();
      }, 10);
    });
    const deadline = Date.now() + 5_000;
    while (events.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.slice(before)).toMatchObject([{ jsonrpcId: '30', targetName: 'slow', httpStatus: 499 }]);

    const [answered] = await eventsOf(() => postMcp(`${base}/logged/mcp`, call(31, 'slow', { ms: 10 }), basic));
    expect(answered).toMatchObject({ jsonrpcId: '31', httpStatus: 200 });
  });
});
