/**
 * The data plane's Prometheus metrics, registered once on the registry the gateway exposes.
 * Label values are bounded: method labels come from a fixed list (anything else is `other`), so
 * a client cannot grow the series count.
 */
import { Counter, type Registry } from 'prom-client';

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
  }
}
