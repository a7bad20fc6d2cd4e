/**
 * Policy order on an API instance: always dense, 1..n. Every write computes the complete new
 * sequence of policy ids here, then stores the orders that changed (in one transaction, under
 * the API's lock), so no insert, move or delete can leave a gap or a tie.
 */

export interface PolicyPosition {
  id: number;
  order: number;
}

/** The 1-based place a policy gets among `places` places: `order` clamped to them, the last when undefined. */
export function clampOrder(order: number | undefined, places: number): number {
  return order === undefined ? places : Math.min(Math.max(order, 1), places);
}

/** `ids` with `id` moved (or inserted) at `clampOrder(order)`. */
export function placeAt(ids: readonly number[], id: number, order: number | undefined): number[] {
  const rest = ids.filter((other) => other !== id);
  const index = clampOrder(order, rest.length + 1) - 1;
  return [...rest.slice(0, index), id, ...rest.slice(index)];
}

/**
 * `ids` with each listed policy at its given 1-based order; the others keep their relative order
 * in the remaining places. Callers ensure ids and orders are distinct and orders are within 1..n.
 */
export function reorder(ids: readonly number[], moves: readonly PolicyPosition[]): number[] {
  const slots: (number | undefined)[] = new Array(ids.length).fill(undefined);
  for (const move of moves) slots[move.order - 1] = move.id;
  const moved = new Set(moves.map((m) => m.id));
  const rest = ids.filter((id) => !moved.has(id));
  return slots.map((slot) => slot ?? rest.shift()!);
}

/** The positions in `current` that differ from the dense order of `ids`. */
export function orderChanges(current: readonly PolicyPosition[], ids: readonly number[]): PolicyPosition[] {
  const before = new Map(current.map((p) => [p.id, p.order]));
  return ids.map((id, i) => ({ id, order: i + 1 })).filter((p) => before.get(p.id) !== p.order);
}
