/**
 * The workflow graph (seed 003 "graph view"): with the log filters, agents → the MCP servers they
 * called → the tools called there, laid out by ELK (graph-layout.ts) and drawn as SVG; an edge's
 * width grows with its calls and its colour turns amber then red with its error rate. The same
 * edges follow as a table (the accessible form of the graph), each linking to its calls in Logs.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { WorkflowGraph, WorkflowNode } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { FilterBar } from './FilterBar';
import { formatCount, formatMillis, formatPercent } from '../../components/format';
import { edgeText, type GraphLayout, layoutGraph, type Point } from './graph-layout';
import { filtersToParams, type LogFilters } from './log-filters';
import { useWorkflowGraph } from './queries';
import { useLogFilters } from './useLogFilters';
import './observe.css';

type WorkflowEdge = WorkflowGraph['edges'][number];

const KIND = { agent: 'Agent', instance: 'MCP server', tool: 'Tool' } as const;

const edgeColor = (errorRate: number) => (errorRate === 0 ? '#1f5fbf' : errorRate < 0.1 ? '#a25a00' : '#b3261e');
const edgeWidth = (requests: number) => Math.min(12, 1.5 + 1.5 * Math.log2(1 + requests));
const pathOf = (points: Point[]) => points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');

/** The log filters showing an edge's calls: its MCP server, and its agent or its tool. */
function edgeFilters(filters: LogFilters, from: WorkflowNode, to: WorkflowNode): LogFilters {
  const apiId = String(to.apiId ?? from.apiId);
  if (to.kind === 'tool') return { ...filters, apiId, tool: to.label };
  return {
    ...filters,
    apiId,
    ...(from.agent && { agent: from.agent }),
    ...(from.clientId && { clientId: from.clientId }),
    ...(from.userAgent && { userAgent: from.userAgent }),
  };
}

export function WorkflowGraphView() {
  const { orgId, envId } = useScope();
  const state = useLogFilters();
  const graph = useWorkflowGraph(orgId, envId, state.query);
  const layout = useQuery({
    queryKey: ['workflow-layout', graph.data],
    queryFn: () => layoutGraph(graph.data!),
    enabled: graph.data !== undefined,
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
  const nodes = useMemo(() => new Map(graph.data?.nodes.map((n) => [n.id, n])), [graph.data]);
  const from = (e: WorkflowEdge) => nodes.get(e.source)!;
  const to = (e: WorkflowEdge) => nodes.get(e.target)!;
  const columns: Column<WorkflowEdge>[] = [
    { header: 'From', cell: (e) => `${KIND[from(e).kind]} ${from(e).label}` },
    { header: 'To', cell: (e) => `${KIND[to(e).kind]} ${to(e).label}` },
    { header: 'Calls', cell: (e) => formatCount(e.requests) },
    { header: 'Errors', cell: (e) => formatCount(e.errors) },
    { header: 'Error rate', cell: (e) => formatPercent(e.errorRate) },
    { header: 'Latency p50 / p99', cell: (e) => `${formatMillis(e.latencyMs?.p50)} / ${formatMillis(e.latencyMs?.p99)}` },
    {
      header: <span className="visually-hidden">Calls in Logs</span>,
      cell: (e) => (
        <Link
          to={`/organizations/${orgId}/environments/${envId}/logs?${filtersToParams(edgeFilters(state.filters, from(e), to(e)))}`}
          aria-label={`Calls from ${from(e).label} to ${to(e).label} in Logs`}
        >
          Logs
        </Link>
      ),
    },
  ];

  return (
    <section aria-labelledby="graph-title" className="observe">
      <h1 id="graph-title">Workflow graph</h1>
      <FilterBar view="graph" state={state} />
      <ErrorMessage error={graph.error ?? layout.error} />
      <p className="muted status" role="status">
        {graph.isFetching || layout.isFetching ? 'Drawing the graph…' : ''}
      </p>
      {graph.data && graph.data.edges.length === 0 && <p>No call matches these filters in this time range.</p>}
      {graph.data && graph.data.edges.length > 0 && (
        <>
          {layout.data && <GraphDrawing layout={layout.data} graph={graph.data} />}
          <h2 id="edges-title">Edges</h2>
          <DataTable
            columns={columns}
            rows={graph.data.edges}
            rowKey={(e) => `${e.source} ${e.target}`}
            labelledBy="edges-title"
          />
        </>
      )}
    </section>
  );
}

function GraphDrawing({ layout, graph }: { layout: GraphLayout; graph: WorkflowGraph }) {
  const count = (kind: WorkflowNode['kind']) => graph.nodes.filter((n) => n.kind === kind).length;
  return (
    <div className="graph-view">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-label={`Workflow graph: ${count('agent')} agents, ${count('instance')} MCP servers, ${count('tool')} tools; the edges are listed in the table below`}
      >
        <defs>
          <marker
            id="graph-arrow"
            viewBox="0 0 8 8"
            refX="8"
            refY="4"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto"
          >
            <path d="M0,0 L8,4 L0,8 z" fill="#5b6474" />
          </marker>
        </defs>
        {layout.edges.map(({ edge, points, label }) => (
          <g key={`${edge.source} ${edge.target}`}>
            <path
              className="graph-edge"
              d={pathOf(points)}
              stroke={edgeColor(edge.errorRate)}
              strokeWidth={edgeWidth(edge.requests)}
              markerEnd="url(#graph-arrow)"
            >
              <title>{edgeText(edge)}</title>
            </path>
            <text className="graph-edge-label" x={label.x} y={label.y}>
              {label.text}
            </text>
          </g>
        ))}
        {layout.nodes.map((n) => (
          <g key={n.node.id} className={`graph-node ${n.node.kind}`} transform={`translate(${n.x},${n.y})`}>
            <title>{`${KIND[n.node.kind]}: ${n.node.label}`}</title>
            <rect width={n.width} height={n.height} rx={6} />
            <text x={12} y={n.height / 2 + 4.5}>
              {n.text}
            </text>
          </g>
        ))}
      </svg>
      <p className="graph-legend muted">
        <span>Left to right: agents → MCP servers → tools.</span>
        <span>Wider edges carry more calls; amber: some errors, red: 10 % or more.</span>
      </p>
    </div>
  );
}
