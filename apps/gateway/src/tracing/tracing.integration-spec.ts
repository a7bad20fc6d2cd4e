/**
 * A trace through the gateway: the client's traceparent is the parent of the gateway's span,
 * the upstream gets the gateway's span as its parent, and the span reaches a real OTLP/HTTP
 * receiver. Off (no OTLP endpoint), the client's traceparent passes to the upstream unchanged.
 */
import { postMcp, startHttpServer, type TestHttpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';
import { ExchangeTracer } from './exchange-tracer.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

describe('tracing', () => {
  let collector: TestHttpServer;
  let upstream: TestHttpServer;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    collector = await startHttpServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    upstream = await startHttpServer((_req, res, body) => {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'ok' }] } }));
    });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await Promise.all([collector.close(), upstream.close()]);
  });

  async function gatewayWith(tracer: ExchangeTracer | undefined): Promise<string> {
    const [port] = (await freePorts(1)) as [number];
    gateways.push(
      await startTestGateway(
        gatewayConfig([{ id: 'traced', port, basePath: '/traced', upstream: `${upstream.origin}/`, policies: ['mcp-support'] }]),
        {
          tracer,
        },
      ),
    );
    return `http://127.0.0.1:${port}/traced/mcp`;
  }

  const toolCall = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } };

  it("joins the client's span and the upstream's under the gateway's span, exported over OTLP", async () => {
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = `${collector.origin}/v1/traces`;
    let tracer: ExchangeTracer | undefined;
    try {
      tracer = ExchangeTracer.fromEnv(process.env);
    } finally {
      delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    }
    expect(tracer).toBeDefined();
    const url = await gatewayWith(tracer);
    const response = await postMcp(url, toolCall, { traceparent: TRACEPARENT, tracestate: 'vendor=1' });
    expect(response.status).toBe(200);

    const sent = upstream.requests.at(-1)!.headers;
    const [, traceId, gatewaySpan] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(sent.traceparent))!;
    expect(traceId).toBe(TRACE_ID);
    expect(gatewaySpan).not.toBe(CLIENT_SPAN);
    expect(sent.tracestate).toBe('vendor=1');

    await tracer!.shutdown();
    const exported = collector.requests.filter((r) => r.url === '/v1/traces');
    expect(exported.length).toBeGreaterThan(0);
    const spans = exported.flatMap((r) =>
      (JSON.parse(r.body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans),
      ),
    );
    const span = spans.find((s) => s.spanId === gatewaySpan)!;
    expect(span).toMatchObject({ traceId: TRACE_ID, parentSpanId: CLIENT_SPAN, name: 'tools/call echo', kind: 2 });
    const attribute = (key: string) => span.attributes.find((a) => a.key === key)?.value;
    expect(attribute('mcp.method.name')).toEqual({ stringValue: 'tools/call' });
    expect(attribute('gen_ai.tool.name')).toEqual({ stringValue: 'echo' });
    expect(attribute('portico.api.id')).toEqual({ stringValue: 'traced' });
    expect(Number(attribute('http.response.status_code')?.intValue)).toBe(200);
  });

  it("passes the client's traceparent through unchanged when tracing is off", async () => {
    const url = await gatewayWith(undefined);
    await postMcp(url, toolCall, { traceparent: TRACEPARENT });
    expect(upstream.requests.at(-1)!.headers.traceparent).toBe(TRACEPARENT);
  });
});
