/**
 * The data plane's Prometheus metrics, registered once on the registry the gateway exposes.
 * Label values are bounded: method labels come from a fixed list (anything else is `other`), so
 * a client cannot grow the series count.
 *
 * Per-request increments are a field increment on a series kept here (Series): prom-client's
 * `inc()` hashes and validates the label object on every call, even through `labels()`, which
 * costs more than the increment itself. The counts are handed to prom-client when it collects
 * (a scrape), and the series caches are bounded like the series.
 */
import { Counter, type Registry } from 'prom-client';

/** One labelled series of a counter: increment `value`. */
export interface Series {
  value: number;
}

/** A counter whose series are plain objects, published to prom-client at collection time. */
class FastCounter<L extends string> {
  private readonly series: Map<string, Series & { readonly labels: Record<L, string> }>;

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly labelNames: readonly L[],
  ) {
    // Several data planes may share one registry (tests): they share the counter and its series.
    const existing = registry.getSingleMetric(name) as (Counter<L> & { portico?: FastCounter<L>['series'] }) | undefined;
    if (existing?.portico) {
      this.series = existing.portico;
      return;
    }
    const series = new Map<string, Series & { readonly labels: Record<L, string> }>();
    this.series = series;
    const counter = new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of series.values()) if (s.value > 0) this.inc(s.labels, s.value);
      },
    });
    (counter as Counter<L> & { portico?: FastCounter<L>['series'] }).portico = series;
  }

  /** The series of these label values (made once, then the same object). */
  get(values: Record<L, string>): Series {
    const key = this.labelNames.map((name) => values[name]).join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { labels: values, value: 0 };
      this.series.set(key, series);
    }
    return series;
  }
}

/** Counters the pipeline and policies increment. */
export class GatewayMetrics {
  /** MCP requests and notifications clients sent, per API and method (mcp-support counts them). */
  private readonly mcpCalls: FastCounter<'api' | 'method'>;
  /** Every policy hook outcome: verdict pass | mutate | reject | error, mode enforce | shadow. */
  private readonly policyVerdicts: FastCounter<'policy' | 'verdict' | 'mode'>;
  /** Answers the gateway gave itself instead of the upstream, per API and error kind. */
  private readonly gatewayErrors: FastCounter<'api' | 'kind'>;

  constructor(registry: Registry) {
    this.mcpCalls = new FastCounter(registry, 'portico_mcp_calls_total', 'MCP calls received, by API and method', [
      'api',
      'method',
    ]);
    this.policyVerdicts = new FastCounter(registry, 'policy_verdicts_total', 'Policy verdicts, by policy, verdict and mode', [
      'policy',
      'verdict',
      'mode',
    ]);
    this.gatewayErrors = new FastCounter(
      registry,
      'portico_gateway_errors_total',
      'Requests the gateway answered itself, by API and error kind',
      ['api', 'kind'],
    );
  }

  /** One MCP call of `method` (a bounded label: known method or `other`) on API `apiId`. */
  countMcpCall(apiId: string, method: string): void {
    this.mcpCalls.get({ api: apiId, method }).value++;
  }

  /** One answer the gateway gave itself. */
  countGatewayError(apiId: string, kind: string): void {
    this.gatewayErrors.get({ api: apiId, kind }).value++;
  }

  /** The series of one policy's verdict (callers keep it: hook-runner.ts). */
  policyVerdictSeries(policy: string, verdict: string, mode: string): Series {
    return this.policyVerdicts.get({ policy, verdict, mode });
  }
}
