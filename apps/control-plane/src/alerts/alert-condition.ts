/**
 * Whether an alert's condition holds, from the access events of its window: `repeat` periods
 * ending at the evaluation, the latest first. It holds when the metric of every one of them
 * compares true with the threshold ("for N consecutive periods"). A period without requests
 * counts 0; its average response time is unknown, so an average alert does not hold over it.
 */
import { type AlertMetric, type AlertOperator, compare } from './alert-definition.js';

/** The aggregates of the events of one period (0: the latest). A period without events has none. */
export interface PeriodStats {
  period: number;
  /** the events the alert counts (all of them for request-count) */
  matching: number;
  /** average response time in ms; null without events */
  avgMs: number | null;
}

export interface ConditionAlert {
  metric: AlertMetric;
  operator: AlertOperator;
  threshold: number;
  repeat: number;
  /** set: count the slower requests; null: average (response-time only) */
  slowerThanMs: number | null;
}

/** Whether the alert compares the average response time (else it counts requests). */
export function averagesResponseTime(alert: { metric: string; slowerThanMs: number | null }): boolean {
  return alert.metric === 'response-time' && alert.slowerThanMs === null;
}

/** The metric of each period, the latest first; null where an average has no request. */
export function periodValues(alert: ConditionAlert, stats: readonly PeriodStats[]): (number | null)[] {
  const byPeriod = new Map(stats.map((s) => [s.period, s]));
  return Array.from({ length: alert.repeat }, (_, i) => {
    const s = byPeriod.get(i);
    return averagesResponseTime(alert) ? (s?.avgMs ?? null) : (s?.matching ?? 0);
  });
}

export function conditionHolds(alert: ConditionAlert, values: readonly (number | null)[]): boolean {
  return values.length > 0 && values.every((v) => v !== null && compare(v, alert.operator, alert.threshold));
}
