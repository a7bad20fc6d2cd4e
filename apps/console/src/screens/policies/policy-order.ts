/**
 * The order rules of a policy chain as the console applies them. The REST API keeps any order
 * (dense 1..n); MCP Support's template says it must be first, so the console never moves another
 * policy above it, nor it below another. A move is one step up or down, sent as the moved
 * policy's new 1-based order (PATCH …/policies [{id, order}]; the others keep their relative order).
 */

export const MCP_SUPPORT = 'mcp-support';

interface Placed {
  id: number;
  assetId: string;
}

const pinned = (p: Placed) => p.assetId === MCP_SUPPORT;

/** Whether the policy at `index` may swap places with its neighbour one step `by` (-1 up, +1 down). */
export function canMove(chain: readonly Placed[], index: number, by: -1 | 1): boolean {
  const other = chain[index + by];
  const self = chain[index];
  if (!other || !self) return false;
  const [upper, lower] = by === -1 ? [other, self] : [self, other];
  return !(pinned(upper) && !pinned(lower));
}

/** The reorder body moving the policy at `index` one step `by`. */
export function moveBody(chain: readonly Placed[], index: number, by: -1 | 1): { id: number; order: number }[] {
  return [{ id: chain[index]!.id, order: index + by + 1 }];
}
