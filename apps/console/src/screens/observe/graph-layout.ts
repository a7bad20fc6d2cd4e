/**
 * The workflow graph laid out by ELK's layered algorithm, left to right (agents, then MCP servers,
 * then tools), with orthogonal edges and each edge's label (calls, errors) placed by ELK. Uses
 * elkjs's bundled build, which lays out on the page's own thread (no web worker to serve or allow
 * in the content security policy); imported by the graph's lazy chunk only.
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { WorkflowGraph, WorkflowNode } from '../../api/resources';
import { plural } from '../../components/format';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends Point {
  node: WorkflowNode;
  /** the label as drawn (long ones cut) */
  text: string;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: WorkflowGraph['edges'][number];
  points: Point[];
  label: Point & { text: string };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const MAX_LABEL = 36;
const CHAR_WIDTH = 7.4;
const NODE_HEIGHT = 34;
const LABEL_HEIGHT = 14;

const elk = new ELK();

const cut = (label: string) => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);
const textWidth = (text: string, charWidth: number) => Math.ceil(text.length * charWidth);

/** `3 calls · 1 error` */
export function edgeText(edge: { requests: number; errors: number }): string {
  const calls = plural(edge.requests, 'call');
  return edge.errors ? `${calls} · ${plural(edge.errors, 'error')}` : calls;
}

export async function layoutGraph(graph: WorkflowGraph): Promise<GraphLayout> {
  const texts = new Map(graph.nodes.map((n) => [n.id, cut(n.label)]));
  const root: ElkNode = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '16',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: textWidth(texts.get(n.id)!, CHAR_WIDTH) + 24, height: NODE_HEIGHT })),
    edges: graph.edges.map((e, i) => ({
      id: `e${i}`,
      sources: [e.source],
      targets: [e.target],
      labels: [{ text: edgeText(e), width: textWidth(edgeText(e), 6.2), height: LABEL_HEIGHT }],
    })),
  });
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return {
    width: root.width ?? 0,
    height: root.height ?? 0,
    nodes: (root.children ?? []).map((c) => ({
      node: byId.get(c.id)!,
      text: texts.get(c.id)!,
      x: c.x ?? 0,
      y: c.y ?? 0,
      width: c.width ?? 0,
      height: c.height ?? 0,
    })),
    edges: (root.edges ?? []).map((e) => {
      const section = e.sections?.[0];
      const label = e.labels?.[0];
      return {
        edge: graph.edges[Number(e.id.slice(1))]!,
        points: section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [],
        label: { x: label?.x ?? 0, y: (label?.y ?? 0) + LABEL_HEIGHT - 3, text: label?.text ?? '' },
      };
    }),
  };
}
