/**
 * The traffic dashboard: with the log filters, the totals of the matching calls (calls, errors,
 * denials, DLP findings, latency percentiles) and ECharts charts of calls and errors over time,
 * latency percentiles over time, and calls per method and per tool, each with its numbers as a
 * table for keyboard and screen-reader users; then the most frequent errors. ECharts comes with
 * this screen's chunk (echarts.ts).
 */
import { type ReactNode, useId, useMemo } from 'react';
import type { CallCounts, McpAnalytics } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { Chart } from './Chart';
import type { ChartOption } from './echarts';
import { FilterBar } from './FilterBar';
import { formatCount, formatMillis as ms, formatPercent, formatTime } from '../../components/format';
import { useMcpAnalytics } from './queries';
import { callsOverTime, callsPer, latencyOverTime } from './traffic-charts';
import { useLogFilters } from './useLogFilters';
import './observe.css';

export function Traffic() {
  const { orgId, envId } = useScope();
  const state = useLogFilters();
  const analytics = useMcpAnalytics(orgId, envId, state.query);
  const a = analytics.data;
  const rows = useMemo(
    () =>
      a && {
        methods: a.methods.map((m) => ({ ...m, label: m.method ?? 'not MCP' })),
        tools: a.tools.map((t) => ({ ...t, label: t.name })),
        buckets: a.timeline.filter((b) => b.requests > 0).map((b) => ({ ...b, label: formatTime(b.start) })),
      },
    [a],
  );
  const charts = useMemo(
    () =>
      a &&
      rows && {
        calls: callsOverTime(a),
        latency: latencyOverTime(a),
        methods: callsPer(rows.methods),
        tools: callsPer(rows.tools),
      },
    [a, rows],
  );

  return (
    <section aria-labelledby="traffic-title" className="observe">
      <h1 id="traffic-title">Traffic</h1>
      <FilterBar view="traffic" state={state} />
      <ErrorMessage error={analytics.error} />
      <p className="muted status" role="status">
        {analytics.isFetching ? 'Counting calls…' : ''}
      </p>
      {a && rows && charts && (
        <>
          <dl className="stats" aria-label="Totals">
            <Stat label="Calls" value={formatCount(a.totals.requests)} />
            <Stat label="Errors" value={formatCount(a.totals.errors)} />
            <Stat label="Error rate" value={formatPercent(a.totals.errorRate)} />
            <Stat label="Denials" value={formatCount(a.totals.denials)} />
            <Stat label="DLP findings" value={formatCount(a.totals.dlpFindings)} />
            <Stat label="Latency p50" value={ms(a.totals.latencyMs?.p50)} />
            <Stat label="Latency p90" value={ms(a.totals.latencyMs?.p90)} />
            <Stat label="Latency p99" value={ms(a.totals.latencyMs?.p99)} />
          </dl>
          <div className="charts">
            <ChartPanel
              title="Calls and errors over time"
              summary={`${a.totals.requests} calls and ${a.totals.errors} errors in buckets of ${a.interval}`}
              option={charts.calls}
            >
              <CountsTable rows={rows.buckets} first={`Bucket (${a.interval})`} />
            </ChartPanel>
            <ChartPanel
              title="Latency percentiles over time"
              summary={`p50 ${ms(a.totals.latencyMs?.p50)}, p90 ${ms(a.totals.latencyMs?.p90)}, p99 ${ms(a.totals.latencyMs?.p99)} over the range`}
              option={charts.latency}
            >
              <CountsTable rows={rows.buckets} first={`Bucket (${a.interval})`} />
            </ChartPanel>
            <ChartPanel
              title="Methods"
              summary={`Calls per JSON-RPC method: ${rows.methods.map((m) => `${m.label} ${m.requests}`).join(', ') || 'none'}`}
              option={charts.methods}
            >
              <CountsTable rows={rows.methods} first="Method" />
            </ChartPanel>
            <ChartPanel
              title="Tools used"
              summary={`Calls per tool: ${rows.tools.map((t) => `${t.label} ${t.requests}`).join(', ') || 'none'}`}
              option={charts.tools}
            >
              <CountsTable rows={rows.tools} first="Tool" />
            </ChartPanel>
          </div>
          <h2>Most frequent errors</h2>
          <DataTable
            columns={ERROR_COLUMNS}
            rows={a.errors}
            rowKey={(e) => `${e.httpStatus} ${e.jsonRpcErrorCode}`}
            empty={<p className="muted">No error in this range.</p>}
            label="Most frequent errors"
          />
        </>
      )}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function ChartPanel(props: { title: string; summary: string; option: ChartOption; children: ReactNode }) {
  const id = useId();
  return (
    <section className="chart-panel" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      <Chart option={props.option} label={`${props.title}: ${props.summary}`} />
      <details>
        <summary>Show the numbers</summary>
        {props.children}
      </details>
    </section>
  );
}

const ERROR_COLUMNS: Column<McpAnalytics['errors'][number]>[] = [
  { header: 'HTTP status', cell: (e) => e.httpStatus },
  {
    header: 'JSON-RPC or tool error',
    cell: (e) => e.jsonRpcErrorCode ?? (e.httpStatus < 400 ? 'tool error (isError result)' : '—'),
  },
  { header: 'Calls', cell: (e) => formatCount(e.count) },
];

type CountsRow = CallCounts & { label: string };

/** Calls, errors and latency of each row; `first` heads the rows' own column. */
function CountsTable({ rows, first }: { rows: CountsRow[]; first: string }) {
  const columns: Column<CountsRow>[] = [
    { header: first, rowHeader: true, cell: (r) => r.label },
    { header: 'Calls', cell: (r) => formatCount(r.requests) },
    { header: 'Errors', cell: (r) => formatCount(r.errors) },
    { header: 'Error rate', cell: (r) => formatPercent(r.errorRate) },
    { header: 'p50', cell: (r) => ms(r.latencyMs?.p50) },
    { header: 'p90', cell: (r) => ms(r.latencyMs?.p90) },
    { header: 'p99', cell: (r) => ms(r.latencyMs?.p99) },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.label} empty={<p className="muted">No call.</p>} />;
}
