/**
 * The data plane's Prometheus metrics, registered once on the registry the gateway exposes.
 * Label values are bounded: method labels come from a fixed list (anything else is `other`), so
 * a client cannot grow the series count.
 *
 * Per-request increments go through the count* methods: they resolve a counter's labelled child
 * once per label combination and keep it (prom-client hashes the label object on every
 * `inc(labels)`, which costs more than the increment). The caches are bounded like the series.
 */
import { Counter, type Registry } from 'prom-client';

/** Labelled children of one counter, by two label values. */
class Children<A extends string, B extends string> {
  private readonly byFirst = new Map<string, Map<string, Counter.Internal>>();

  constructor(
    private readonly counter: Counter<A | B>,
    private readonly first: A,
    private readonly second: B,
  ) {}

  get(a: string, b: string): Counter.Internal {
    let bySecond = this.byFirst.get(a);
    if (!bySecond) {
      bySecond = new Map();
      this.byFirst.set(a, bySecond);
    }
    let child = bySecond.get(b);
    if (!child) {
      child = this.counter.labels({ [this.first]: a, [this.second]: b } as Record<A | B, string>);
      bySecond.set(b, child);
    }
    return child;
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Counters the pipeline and policies increment. */
export class GatewayMetrics {
  /** MCP requests and notifications clients sent, per API and method (mcp-support counts them). */
  readonly mcpCalls: Counter<'api' | 'method'>;
  /** Every policy hook outcome: verdict pass | mutate | reject | error, mode enforce | shadow. */
  readonly policyVerdicts: Counter<'policy' | 'verdict' | 'mode'>;
  /** Answers the gateway gave itself instead of the upstream, per API and error kind. */
  readonly gatewayErrors: Counter<'api' | 'kind'>;
  private readonly mcpCallChildren: Children<'api', 'method'>;
  private readonly gatewayErrorChildren: Children<'api', 'kind'>;

  constructor(registry: Registry) {
    this.mcpCalls = counter(registry, 'portico_mcp_calls_total', 'MCP calls received, by API and method', ['api', 'method']);
    this.policyVerdicts = counter(registry, 'policy_verdicts_total', 'Policy verdicts, by policy, verdict and mode', [
      'policy',
      'verdict',
      'mode',
    ]);
    this.gatewayErrors = counter(
      registry,
      'portico_gateway_errors_total',
      'Requests the gateway answered itself, by API and error kind',
      ['api', 'kind'],
    );
    this.mcpCallChildren = new Children(this.mcpCalls, 'api', 'method');
    this.gatewayErrorChildren = new Children(this.gatewayErrors, 'api', 'kind');
  }

  /** One MCP call of `method` (a bounded label: known method or `other`) on API `apiId`. */
  countMcpCall(apiId: string, method: string): void {
    this.mcpCallChildren.get(apiId, method).inc();
  }

  /** One answer the gateway gave itself. */
  countGatewayError(apiId: string, kind: string): void {
    this.gatewayErrorChildren.get(apiId, kind).inc();
  }
}
