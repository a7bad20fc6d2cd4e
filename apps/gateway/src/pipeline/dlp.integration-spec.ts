/**
 * The DLP guardrail (mcp-pii-detector) on real traffic: tool arguments blocked or redacted
 * before the server sees them; results redacted or withheld in JSON answers and in event streams,
 * including a result whose card number the upstream writes in two TCP chunks; what was found is
 * logged by category, never by value.
 */
import { PolicyMode } from '#portico/proto-ts';
import { postMcp, startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const CARD = '4111 1111 1111 1111';
const echo = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});
const dlp = (action: string) => ({ type: 'mcp-pii-detector', configuration: { entities: ['Email', 'Credit Card'], action } });

/** The JSON-RPC messages of an answer, JSON or event stream. */
function messages(
  body: string,
): { id?: number; result?: { content: { text: string }[] }; error?: { code: number; message: string } }[] {
  if (body.startsWith('{') || body.startsWith('[')) return [JSON.parse(body)].flat();
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)));
}

describe('DLP guardrail', () => {
  let mcp: TestMcpServer;
  let streaming: TestHttpServer;
  let gateway: TestGateway;
  let base: string;

  beforeAll(async () => {
    mcp = await startMcpServer({ stateful: false, jsonResponse: true });
    // Answers every call with an event stream whose result is written in two chunks, split inside the card number.
    streaming = await startHttpServer(async (_req, res, body) => {
      const { id } = JSON.parse(body) as { id: number };
      const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `card ${CARD} ok` }] } })}\n\n`;
      const cut = event.indexOf('1111 1111') + 5;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event.slice(0, cut));
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.end(event.slice(cut));
    });
    const [port] = (await freePorts(1)) as [number];
    const up = mcp.url.replace(/mcp$/, '');
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'block', port, basePath: '/block', upstream: up, policies: ['mcp-support', dlp('Block')] },
        { id: 'redact', port, basePath: '/redact', upstream: up, policies: ['mcp-support', dlp('Redact')] },
        {
          id: 'shadow',
          port,
          basePath: '/shadow',
          upstream: up,
          policies: ['mcp-support', { ...dlp('Block'), mode: PolicyMode.POLICY_MODE_SHADOW }],
        },
        {
          id: 'sse-redact',
          port,
          basePath: '/sse-redact',
          upstream: `${streaming.origin}/`,
          policies: ['mcp-support', dlp('Redact')],
        },
        {
          id: 'sse-block',
          port,
          basePath: '/sse-block',
          upstream: `${streaming.origin}/`,
          policies: ['mcp-support', dlp('Block')],
        },
      ]),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await mcp.close();
    await streaming.close();
  });

  it('blocks a tool call carrying sensitive data before the server sees it', async () => {
    const before = mcp.requests.length;
    const answer = await postMcp(`${base}/block/mcp`, echo(1, 'write to jane.doe@example.com'));
    expect(answer.status).toBe(200);
    expect(messages(answer.body)).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32602,
          message: 'The request contains sensitive data (Email) and was not sent',
          data: { reason: 'POLICY_DENIED', policy: 'mcp-pii-detector' },
        },
      },
    ]);
    expect(mcp.requests.length).toBe(before);
    expect((await postMcp(`${base}/block/mcp`, echo(2, 'nothing to see'))).status).toBe(200);
  });

  it('in shadow mode logs what it would block and lets the call through', async () => {
    const answer = await postMcp(`${base}/shadow/mcp`, echo(6, 'write to sam@example.com'));
    expect(messages(answer.body)[0]!.result!.content[0]!.text).toBe('write to sam@example.com');
    expect(gateway.logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ policy: 'mcp-pii-detector', verdict: 'reject', msg: 'shadow policy verdict not enforced' }),
      ]),
    );
  });

  it('redacts arguments on the way in, so the server never sees the value', async () => {
    const answer = await postMcp(`${base}/redact/mcp`, echo(3, `pay with ${CARD} for jane@example.com`));
    expect(messages(answer.body)[0]!.result!.content[0]!.text).toBe('pay with [REDACTED:Credit Card] for [REDACTED:Email]');
  });

  it('redacts a result streamed in two chunks, and withholds it when blocking', async () => {
    const redacted = await postMcp(`${base}/sse-redact/mcp`, echo(4, 'x'));
    expect(redacted.headers['content-type']).toContain('text/event-stream');
    expect(messages(redacted.body)).toEqual([
      { jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'card [REDACTED:Credit Card] ok' }] } },
    ]);
    expect(redacted.body).not.toContain('1111');

    const blocked = await postMcp(`${base}/sse-block/mcp`, echo(5, 'x'));
    expect(messages(blocked.body)).toEqual([
      {
        jsonrpc: '2.0',
        id: 5,
        error: {
          code: -32603,
          message: 'The answer contains sensitive data (Credit Card) and was withheld',
          data: { reason: 'POLICY_DENIED', policy: 'mcp-pii-detector' },
        },
      },
    ]);
    expect(blocked.body).not.toContain('1111');
  });

  it('logs what it found by category and action, never the value', () => {
    const found = gateway.logs.filter((line) => line.policy === 'mcp-pii-detector');
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          direction: 'request',
          categories: ['Email'],
          action: 'blocked',
          msg: 'sensitive data blocked',
        }),
        expect.objectContaining({ direction: 'response', categories: ['Credit Card'], action: 'redacted' }),
      ]),
    );
    expect(JSON.stringify(gateway.logs)).not.toMatch(/1111 1111|jane/);
  });
});
