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
import { Counter, Gauge, type Registry } from 'prom-client';

/** One labelled series of a counter: increment `value`. */
interface Series {
  value: number;
}

type LabelledSeries<L extends string> = Series & { readonly labels: Record<L, string> };

/** Nested maps, one level per label in order, down to the series. */
type SeriesTree = Map<string, SeriesTree | Series>;

/**
 * A counter whose series are plain objects, published to prom-client at collection time. A
 * series is found by walking one map per label value, so a hit allocates nothing.
 */
class FastCounter<L extends string> {
  private readonly state: { readonly tree: SeriesTree; readonly all: LabelledSeries<L>[] };

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly labelNames: readonly L[],
  ) {
    // Several data planes may share one registry (tests): they share the counter and its series.
    type Shared = Counter<L> & { portico?: FastCounter<L>['state'] };
    const existing = registry.getSingleMetric(name) as Shared | undefined;
    if (existing?.portico) {
      this.state = existing.portico;
      return;
    }
    const state = { tree: new Map(), all: [] as LabelledSeries<L>[] };
    this.state = state;
    const counter: Shared = new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const series of state.all) if (series.value > 0) this.inc(series.labels, series.value);
      },
    });
    counter.portico = state;
  }

  /**
   * The series of these label values, in labelNames order (two or three labels; made once, then
   * the same object). Fixed parameters rather than a rest array: this runs per request.
   */
  get(a: string, b: string, c?: string): Series {
    let node = this.branch(this.state.tree, a);
    const lastValue = c === undefined ? b : c;
    if (c !== undefined) node = this.branch(node, b);
    let series = node.get(lastValue) as Series | undefined;
    if (!series) {
      const values = c === undefined ? [a, b] : [a, b, c];
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])) as Record<L, string>;
      const created: LabelledSeries<L> = { labels, value: 0 };
      this.state.all.push(created);
      node.set(lastValue, created);
      series = created;
    }
    return series;
  }

  private branch(node: SeriesTree, value: string): SeriesTree {
    let next = node.get(value) as SeriesTree | undefined;
    if (!next) {
      next = new Map();
      node.set(value, next);
    }
    return next;
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
  /** Exchanges ended by one of the gateway's resource limits, per API and limit. */
  private readonly limitHits: FastCounter<'api' | 'limit'>;

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
    this.limitHits = new FastCounter(
      registry,
      'portico_gateway_limit_hits_total',
      'Exchanges ended by a resource limit of the gateway, by API and limit (README, Gateway limits)',
      ['api', 'limit'],
    );
  }

  /** One MCP call of `method` (a bounded label: known method or `other`) on API `apiId`. */
  countMcpCall(apiId: string, method: string): void {
    this.mcpCalls.get(apiId, method).value++;
  }

  /** One answer the gateway gave itself. */
  countGatewayError(apiId: string, kind: string): void {
    this.gatewayErrors.get(apiId, kind).value++;
  }

  /** One exchange ended by `limit` (pipeline.ts GatewayLimit). */
  countLimitHit(apiId: string, limit: string): void {
    this.limitHits.get(apiId, limit).value++;
  }

  /** One verdict of a policy hook (hook-runner.ts). */
  countPolicyVerdict(policy: string, verdict: string, mode: string): void {
    this.policyVerdicts.get(policy, verdict, mode).value++;
  }
}

/** One upstream pool's load, as the gauges read it. */
export interface PoolLoad {
  readonly origin: string;
  /** Open connections. */
  readonly connected: number;
  /** Requests waiting for a connection because the pool has its maximum open, all busy. */
  readonly queued: number;
}

/** Lists the pools of one UpstreamPools. */
type PoolLoads = () => Iterable<PoolLoad>;

/**
 * The upstream pools' metrics: open connections and requests waiting for one, per upstream origin
 * (gauges read from the live pools at each scrape; the workers' /metrics sums them), and
 * connections the address policy refused (a counter).
 */
export class UpstreamMetrics {
  /** Refused connections, by upstream origin and the deny rule that matched. */
  private readonly denied: FastCounter<'origin' | 'rule'>;
  private readonly sources: Set<PoolLoads>;

  constructor(registry: Registry) {
    this.denied = new FastCounter(
      registry,
      'portico_upstream_denied_total',
      'Upstream connections refused by PORTICO_GATEWAY_UPSTREAM_DENY, by upstream origin and matching rule',
      ['origin', 'rule'],
    );
    // Several data planes may share one registry (tests): they share the gauges and add their pools.
    type Shared = Gauge<'origin'> & { portico?: Set<PoolLoads> };
    const existing = registry.getSingleMetric('portico_upstream_connections') as Shared | undefined;
    if (existing?.portico) {
      this.sources = existing.portico;
      return;
    }
    const sources = new Set<PoolLoads>();
    this.sources = sources;
    const gauge = (name: string, help: string, value: (load: PoolLoad) => number): Shared =>
      new Gauge<'origin'>({
        name,
        help,
        labelNames: ['origin'],
        registers: [registry],
        collect() {
          this.reset();
          const totals = new Map<string, number>();
          for (const loads of sources)
            for (const load of loads()) totals.set(load.origin, (totals.get(load.origin) ?? 0) + value(load));
          for (const [origin, total] of totals) this.set({ origin }, total);
        },
      });
    gauge('portico_upstream_connections', 'Open upstream connections, by upstream origin', (load) => load.connected).portico =
      sources;
    gauge(
      'portico_upstream_requests_queued',
      'Requests waiting for an upstream connection because the pool is at PORTICO_GATEWAY_UPSTREAM_CONNECTIONS, by upstream origin',
      (load) => load.queued,
    );
  }

  /** Adds the pools `loads` lists to the gauges; the function returned removes them. */
  observe(loads: PoolLoads): () => void {
    this.sources.add(loads);
    return () => this.sources.delete(loads);
  }

  /** One connection the address policy refused. */
  countDenied(origin: string, rule: string): void {
    this.denied.get(origin, rule).value++;
  }
}
