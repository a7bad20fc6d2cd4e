/**
 * Groups of access events as the aggregate queries return them, folded into counts and latency
 * percentiles.
 *
 * Contract: an aggregate query answers one row per group and latency bucket (a group of events
 * spans several rows); counts are exact sums. Latency percentiles come from a log-scale histogram
 * (bucket k holds durations in [RATIO^k, RATIO^(k+1)) µs), the rank's position inside its
 * bucket interpolated geometrically and clamped to the group's minimum and maximum: nearest-rank
 * percentiles within 2% of the exact value. Exact percentiles would need a sort per group, which
 * made the analytics of a million events take seconds; the histogram is counted in one pass.
 */

/** Width of a latency bucket: each is 4% wider than the one before. */
export const HISTOGRAM_RATIO = 1.04;

/** Percentiles the analytics report, in order. */
const PERCENTILES = [0.5, 0.9, 0.99] as const;

/** One row of an aggregate query: counts of the group's events in one latency bucket. */
export interface GroupRow {
  requests: number;
  errors: number;
  denials: number;
  shadowDenials: number;
  dlpFindings: number;
  /** the latency bucket, null for queries without latency */
  bucket: number | null;
  minUs: bigint | number | null;
  maxUs: bigint | number | null;
}

/** Counts of a group of events; p50, p90 and p99 latency in µs (null without events or latency). */
export interface EventCounts {
  requests: number;
  errors: number;
  denials: number;
  shadowDenials: number;
  dlpFindings: number;
  latencyUs: [number, number, number] | null;
}

interface Accumulator<R> {
  first: R;
  counts: Omit<EventCounts, 'latencyUs'>;
  histogram: Map<number, number>;
  min: number;
  max: number;
}

/** Folds the rows of each group (rows with the same `key`) into one, in first-seen order. */
export function foldGroups<R extends GroupRow>(rows: readonly R[], key: (row: R) => string): (R & EventCounts)[] {
  const groups = new Map<string, Accumulator<R>>();
  for (const row of rows) {
    const k = key(row);
    let g = groups.get(k);
    if (!g) {
      g = {
        first: row,
        counts: { requests: 0, errors: 0, denials: 0, shadowDenials: 0, dlpFindings: 0 },
        histogram: new Map(),
        min: Infinity,
        max: -Infinity,
      };
      groups.set(k, g);
    }
    g.counts.requests += row.requests;
    g.counts.errors += row.errors;
    g.counts.denials += row.denials;
    g.counts.shadowDenials += row.shadowDenials;
    g.counts.dlpFindings += row.dlpFindings;
    if (row.bucket !== null) {
      g.histogram.set(row.bucket, (g.histogram.get(row.bucket) ?? 0) + row.requests);
      g.min = Math.min(g.min, Number(row.minUs));
      g.max = Math.max(g.max, Number(row.maxUs));
    }
  }
  return [...groups.values()].map((g) => ({ ...g.first, ...g.counts, latencyUs: percentiles(g.histogram, g.min, g.max) }));
}

/** Nearest-rank percentiles of a histogram (see the module comment); null when it is empty. */
export function percentiles(histogram: ReadonlyMap<number, number>, min: number, max: number): [number, number, number] | null {
  const buckets = [...histogram.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (!total) return null;
  const at = (p: number): number => {
    const rank = Math.max(1, Math.ceil(p * total));
    let before = 0;
    for (const [bucket, n] of buckets) {
      if (before + n >= rank) {
        const position = (rank - before - 0.5) / n;
        return Math.min(max, Math.max(min, HISTOGRAM_RATIO ** (bucket + position)));
      }
      before += n;
    }
    return max;
  };
  return PERCENTILES.map(at) as [number, number, number];
}
