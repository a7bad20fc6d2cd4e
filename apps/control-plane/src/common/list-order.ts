/**
 * The order of a paged list: by `column` in the asked direction, then by id in the same
 * direction, so rows with equal values keep one order from page to page.
 */
export function listOrder(column: string, ascending: boolean) {
  const direction = ascending ? ('asc' as const) : ('desc' as const);
  return column === 'id' ? [{ id: direction }] : [{ [column]: direction }, { id: direction }];
}
