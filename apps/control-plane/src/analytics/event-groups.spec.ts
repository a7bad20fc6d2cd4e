import { foldGroups, type GroupRow, HISTOGRAM_RATIO, percentiles } from './event-groups.js';

/** The rows an aggregate query answers for durations `us` of one group: one per latency bucket. */
function rowsOf(us: readonly number[], fields: Partial<GroupRow> = {}): GroupRow[] {
  const buckets = new Map<number, number[]>();
  for (const d of us) {
    const b = Math.floor(Math.log(Math.max(d, 1)) / Math.log(HISTOGRAM_RATIO));
    buckets.set(b, [...(buckets.get(b) ?? []), d]);
  }
  return [...buckets].map(([bucket, ds]) => ({
    requests: ds.length,
    errors: 0,
    denials: 0,
    shadowDenials: 0,
    dlpFindings: 0,
    bucket,
    minUs: Math.min(...ds),
    maxUs: Math.max(...ds),
    ...fields,
  }));
}

/** Exact nearest-rank percentile. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;

describe('event groups', () => {
  it.each([
    ['uniform 0.3–30 ms', (i: number) => 300 + ((i * 7919) % 30_000)],
    ['long-tailed', (i: number) => Math.round(1000 * Math.exp(((i * 104_729) % 1000) / 150))],
    ['one value', () => 4200],
  ])('estimates p50, p90 and p99 of %s within 2% of the exact nearest-rank value', (_, duration) => {
    const us = Array.from({ length: 5000 }, (_, i) => duration(i));
    const [group] = foldGroups(rowsOf(us), () => 'g');
    const sorted = [...us].sort((a, b) => a - b);
    [0.5, 0.9, 0.99].forEach((p, i) => {
      const exact = nearestRank(sorted, p);
      expect(Math.abs(group!.latencyUs![i]! - exact) / exact).toBeLessThanOrEqual(0.02);
    });
  });

  it('is exact for a group of one duration, and null without durations', () => {
    expect(foldGroups(rowsOf([1234]), () => 'g')[0]!.latencyUs).toEqual([1234, 1234, 1234]);
    expect(percentiles(new Map(), Infinity, -Infinity)).toBeNull();
    const [errors] = foldGroups(
      [{ requests: 3, errors: 3, denials: 0, shadowDenials: 0, dlpFindings: 0, bucket: null, minUs: null, maxUs: null }],
      () => 'e',
    );
    expect(errors).toMatchObject({ requests: 3, errors: 3, latencyUs: null });
  });

  it('sums the counts of a group across its rows and keeps groups apart, in first-seen order', () => {
    const rows = [
      ...rowsOf([100, 200], { errors: 1, denials: 1 }).map((r) => ({ ...r, key: 'b' })),
      ...rowsOf([5000], { dlpFindings: 1 }).map((r) => ({ ...r, key: 'a' })),
      ...rowsOf([100_000], { shadowDenials: 1 }).map((r) => ({ ...r, key: 'b' })),
    ];
    const groups = foldGroups(rows, (r) => r.key);
    expect(groups.map((g) => [g.key, g.requests, g.errors, g.denials, g.shadowDenials, g.dlpFindings])).toEqual([
      ['b', 3, 2, 2, 1, 0],
      ['a', 1, 0, 0, 0, 1],
    ]);
    expect(Math.abs(groups[0]!.latencyUs![2]! - 100_000)).toBeLessThanOrEqual(2000);
  });
});
