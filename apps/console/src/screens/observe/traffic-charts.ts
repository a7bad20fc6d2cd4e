/**
 * The traffic dashboard's charts as ECharts options, built from one …/mcp-analytics answer: calls
 * and errors per timeline bucket, the latency percentiles per bucket (gaps where a bucket had no
 * call), and calls and errors per JSON-RPC method and per tool. The tooltip is drawn on the canvas
 * (`richText`): the console's content security policy allows no inline styles, which ECharts'
 * HTML tooltip writes.
 */
import type { CallCounts, McpAnalytics } from '../../api/resources';
import type { ChartOption } from './echarts';

const COLORS = { calls: '#1f5fbf', errors: '#b3261e', p50: '#1e7a3c', p90: '#a25a00', p99: '#7b2cbf' };

const base = (colors: string[]): ChartOption => ({
  color: colors,
  animation: false,
  tooltip: { trigger: 'axis', renderMode: 'richText' },
  legend: { top: 0 },
  grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
});

export function callsOverTime(a: McpAnalytics): ChartOption {
  const at = (pick: (b: McpAnalytics['timeline'][number]) => number) => a.timeline.map((b) => [b.start, pick(b)]);
  return {
    ...base([COLORS.calls, COLORS.errors]),
    xAxis: { type: 'time' },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'Calls', type: 'bar', data: at((b) => b.requests), barMaxWidth: 18 },
      { name: 'Errors', type: 'bar', data: at((b) => b.errors), barMaxWidth: 18, barGap: '-100%' },
    ],
  };
}

export function latencyOverTime(a: McpAnalytics): ChartOption {
  const at = (p: 'p50' | 'p90' | 'p99') => a.timeline.map((b) => [b.start, b.latencyMs?.[p] ?? null]);
  return {
    ...base([COLORS.p50, COLORS.p90, COLORS.p99]),
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'ms', nameLocation: 'end' },
    series: (['p50', 'p90', 'p99'] as const).map((p) => ({
      name: p,
      type: 'line' as const,
      data: at(p),
      connectNulls: false,
      showSymbol: true,
      symbolSize: 5,
    })),
  };
}

/** Calls and errors per entry, one horizontal bar each, the busiest on top. */
export function callsPer(entries: (CallCounts & { label: string })[]): ChartOption {
  const shown = [...entries].reverse();
  return {
    ...base([COLORS.calls, COLORS.errors]),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((e) => e.label), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [
      { name: 'Calls', type: 'bar', data: shown.map((e) => e.requests), barMaxWidth: 18 },
      { name: 'Errors', type: 'bar', data: shown.map((e) => e.errors), barMaxWidth: 18 },
    ],
  };
}
