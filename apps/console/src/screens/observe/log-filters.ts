/**
 * The filters shared by the Logs screen, the traffic dashboard and the workflow graph — seed 003's
 * time range, MCP, tool, agent, user domain and DLP outcome, plus the client id and a User-Agent
 * match for clients no agent rule recognises. They live in the URL's query (`?range=1h&tool=echo`), so a view can be
 * shared and reloaded, and become the query parameters every analytics route takes
 * (control plane analytics.dto.ts `accessLogFilters`).
 *
 * A preset range (`15m` … `30d`) is relative: it ends at an anchor instant the screen fixes when
 * the filters change and on Refresh, so the pages of one search cover one window. `custom` names
 * both ends (ISO 8601 in the URL).
 */

export const RANGES = {
  '15m': ['Last 15 minutes', 15 * 60_000],
  '1h': ['Last hour', 3_600_000],
  '24h': ['Last 24 hours', 86_400_000],
  '7d': ['Last 7 days', 7 * 86_400_000],
  '30d': ['Last 30 days', 30 * 86_400_000],
} as const;
export type PresetRange = keyof typeof RANGES;
export type RangeKey = PresetRange | 'custom';
export const DEFAULT_RANGE: PresetRange = '24h';

export const DLP_OUTCOMES = {
  any: 'Any finding',
  none: 'No finding',
  redacted: 'Redacted',
  blocked: 'Blocked',
  detected: 'Detected (logged)',
} as const;
export type DlpOutcome = keyof typeof DLP_OUTCOMES;

/** The text filters, each a query parameter of the same name. */
export const TEXT_FILTERS = ['apiId', 'tool', 'agent', 'clientId', 'userAgent', 'userDomain'] as const;
type TextFilter = (typeof TEXT_FILTERS)[number];

export type LogFilters = { range: RangeKey; from?: string; to?: string; dlp?: DlpOutcome } & Partial<Record<TextFilter, string>>;

const isRange = (value: string | null): value is RangeKey => value === 'custom' || (value !== null && value in RANGES);
const isDlp = (value: string | null): value is DlpOutcome => value !== null && value in DLP_OUTCOMES;

/** The filters a URL query holds; anything unknown or malformed is left out. */
export function filtersFrom(params: URLSearchParams): LogFilters {
  const range = params.get('range');
  const from = params.get('from');
  const to = params.get('to');
  const custom =
    range === 'custom' && from !== null && to !== null && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to));
  const filters: LogFilters = custom
    ? { range: 'custom', from: from!, to: to! }
    : { range: isRange(range) && range !== 'custom' ? range : DEFAULT_RANGE };
  for (const key of TEXT_FILTERS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  const dlp = params.get('dlp');
  if (isDlp(dlp)) filters.dlp = dlp;
  return filters;
}

/** The URL query of `filters` (empty ones left out; the default range too). */
export function filtersToParams(filters: LogFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range !== DEFAULT_RANGE) params.set('range', filters.range);
  if (filters.range === 'custom') {
    params.set('from', filters.from!);
    params.set('to', filters.to!);
  }
  for (const key of TEXT_FILTERS) if (filters[key]) params.set(key, filters[key]);
  if (filters.dlp) params.set('dlp', filters.dlp);
  return params;
}

/** The window of a preset range ending at `anchor` (ms), as the REST routes take it. */
export function presetWindow(range: PresetRange, anchor: number) {
  return { from: new Date(anchor - RANGES[range][1]).toISOString(), to: new Date(anchor).toISOString() };
}

/** The query parameters of the analytics routes for `filters`, a preset range ending at `anchor` (ms). */
export function restQuery(filters: LogFilters, anchor: number) {
  const { range, from, to, ...rest } = filters;
  const window =
    range === 'custom' ? { from: new Date(from!).toISOString(), to: new Date(to!).toISOString() } : presetWindow(range, anchor);
  return { ...window, ...rest };
}
export type RestQuery = ReturnType<typeof restQuery>;
