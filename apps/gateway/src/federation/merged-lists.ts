/**
 * The lists a federated endpoint shows: each member's tools, prompts, resources and resource
 * templates, filtered by the member's route, merged, and paginated with the gateway's own cursor.
 *
 * Names (documented in the catalog template): an item keeps the name its member gives it. A tool
 * or prompt name that two or more members list goes to the member whose route names it
 * explicitly; every other member's item of that name is shown as `<member>_<name>` (all of
 * them when no route or more than one names it: no member's item silently wins). A resource
 * URI (or template) two members list goes to the first member in the instance's upstream order.
 * Each shown name maps back to its member and the member's own name (`owners`).
 */
import type { FederationRoute } from '#portico/policy-engine';

export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/** The list method of each kind, and where its items are in the result. */
export const LIST_METHODS: Readonly<Record<string, ListKind>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

const KEY: Readonly<Record<ListKind, string>> = {
  tools: 'name',
  prompts: 'name',
  resources: 'uri',
  resourceTemplates: 'uriTemplate',
};
const ROUTED: Readonly<Record<ListKind, 'tools' | 'prompts' | 'resources'>> = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  resourceTemplates: 'resources',
};

export interface Owner {
  readonly member: string;
  /** the item's name (or URI) at its member */
  readonly name: string;
}

export interface MergedList {
  readonly items: readonly Record<string, unknown>[];
  /** shown name (or URI) → who serves it */
  readonly owners: ReadonlyMap<string, Owner>;
}

/** `lists` in member order; `routes` by member name. */
export function mergeLists(
  kind: ListKind,
  lists: readonly { member: string; items: readonly Record<string, unknown>[] }[],
  routes: ReadonlyMap<string, FederationRoute>,
): MergedList {
  const key = KEY[kind];
  const routed = lists.map(({ member, items }) => {
    const allowed = routes.get(member)?.[ROUTED[kind]];
    return {
      member,
      items: items.filter((item) => typeof item[key] === 'string' && (!allowed || allowed.has(item[key] as string))),
    };
  });
  // name → the members listing it, and those whose route names it explicitly
  const listing = new Map<string, { members: number; claimed: string[] }>();
  for (const { member, items } of routed) {
    const claims = routes.get(member)?.[ROUTED[kind]];
    for (const item of items) {
      const name = item[key] as string;
      const entry = listing.get(name) ?? { members: 0, claimed: [] };
      entry.members++;
      if (claims?.has(name)) entry.claimed.push(member);
      listing.set(name, entry);
    }
  }
  const renames = kind === 'tools' || kind === 'prompts';
  const items: Record<string, unknown>[] = [];
  const owners = new Map<string, Owner>();
  for (const { member, items: memberItems } of routed) {
    for (const item of memberItems) {
      const name = item[key] as string;
      const { members, claimed } = listing.get(name)!;
      const plain = members === 1 || (claimed.length === 1 && claimed[0] === member);
      const shown = renames && !plain ? `${member}_${name}` : name;
      if (owners.has(shown)) continue;
      owners.set(shown, { member, name });
      items.push(shown === name ? item : { ...item, [key]: shown });
    }
  }
  return { items, owners };
}

/** One page of `items` from `cursor` (the gateway's own; undefined: the first page). */
export function page(
  items: readonly Record<string, unknown>[],
  cursor: unknown,
  pageSize: number,
): { items: Record<string, unknown>[]; nextCursor?: string } | undefined {
  let offset = 0;
  if (cursor !== undefined) {
    if (typeof cursor !== 'string' || !/^o\d{1,9}$/.test(cursor)) return undefined;
    offset = Number(cursor.slice(1));
  }
  const end = offset + pageSize;
  return { items: items.slice(offset, end), ...(end < items.length ? { nextCursor: `o${end}` } : {}) };
}
