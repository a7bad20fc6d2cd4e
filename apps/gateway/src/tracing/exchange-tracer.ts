/**
 * OpenTelemetry traces of the exchanges, off unless the standard OTLP exporter variables name an
 * endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; the exporter
 * reads its other `OTEL_EXPORTER_OTLP_*` settings itself, `OTEL_SERVICE_NAME` names the service).
 *
 * On: every exchange of an API is one SERVER span, the child of the client's W3C `traceparent`
 * when it sent one; the upstream request carries the gateway span's `traceparent` (and the
 * client's `tracestate`), so the upstream's spans join the same trace under the gateway's. Spans
 * are exported over OTLP/HTTP in batches (a full batch queue drops spans, never blocks traffic).
 * Off: nothing of this runs; a client's `traceparent` reaches the upstream as any header does.
 */
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { AccessEvent } from '#portico/proto-ts';
import type { IncomingHttpHeaders } from 'node:http';
import { PORTICO_GATEWAY_VERSION } from '#portico/gateway-release';
import { applyHeaderEdits } from '../data-plane/headers.js';

const HEADER_GETTER = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
};

export class ExchangeTracer {
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly tracer;

  private constructor(private readonly provider: TracerProvider) {
    this.tracer = provider.getTracer('portico-gateway', PORTICO_GATEWAY_VERSION);
  }

  /** The tracer `env` asks for, or undefined when no OTLP endpoint is configured. */
  static fromEnv(env: NodeJS.ProcessEnv): ExchangeTracer | undefined {
    if (!env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return undefined;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': env['OTEL_SERVICE_NAME'] || 'portico-gateway',
        'service.version': PORTICO_GATEWAY_VERSION,
      }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
    });
    return new ExchangeTracer(provider);
  }

  /** The span of a client request, the child of the client's `traceparent` when it sent one. */
  start(method: string, headers: IncomingHttpHeaders): Span {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, HEADER_GETTER);
    return this.tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
  }

  /** `headers` (a flat upstream header list) with `span`'s traceparent instead of the client's. */
  inject(span: Span, headers: string[]): string[] {
    const carrier: Record<string, string> = {};
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
      set: (target: Record<string, string>, key: string, value: string) => void (target[key] = value),
    });
    // The client's traceparent (and tracestate, when the span carries one) give way to the span's.
    return applyHeaderEdits(headers, [{ set: carrier }]);
  }

  /** Ends `span` with what the exchange's access events (its first call's) say of it. */
  end(span: Span, event: AccessEvent | undefined, status: number): void {
    const attributes: Attributes = { 'http.response.status_code': status };
    if (event) {
      attributes['portico.api.id'] = event.apiId;
      attributes['http.request.method'] = event.httpMethod;
      if (event.mcpMethod) attributes['mcp.method.name'] = event.mcpMethod;
      if (event.targetName)
        attributes[event.mcpMethod === 'resources/read' ? 'mcp.resource.uri' : 'gen_ai.tool.name'] = event.targetName;
      if (event.jsonrpcId) attributes['jsonrpc.request.id'] = event.jsonrpcId;
      if (event.sessionId) attributes['mcp.session.id'] = event.sessionId;
      if (event.jsonrpcErrorCode !== undefined) attributes['rpc.response.status_code'] = String(event.jsonrpcErrorCode);
      if (event.gatewayError) attributes['error.type'] = event.gatewayError;
      if (event.mcpMethod) span.updateName(event.targetName ? `${event.mcpMethod} ${event.targetName}` : event.mcpMethod);
    }
    span.setAttributes(attributes);
    if (status >= 500 || event?.jsonrpcErrorCode !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** Exports what is pending, then stops. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
