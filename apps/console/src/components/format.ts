/** How the console writes times, counts, durations and ratios (the browser's locale). */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const count = new Intl.NumberFormat();

/** A time of the REST API (ISO 8601) in the browser's locale; — for none. */
export const formatTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatCount = (n: number) => count.format(n);
/** Milliseconds to 0.1 ms (whole ones from 100 ms); — for none. */
export const formatMillis = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : `${ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
export const formatMicros = (us: number) => formatMillis(us / 1000);
/** `1 call`, `2 calls` */
export const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
export const formatPercent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
