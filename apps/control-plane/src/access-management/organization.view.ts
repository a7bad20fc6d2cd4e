import type { OrganizationView } from './access-management.dto.js';

/**
 * Organization as Access Management returns it (contract §2.3 `user.organization`).
 * `parentOrganizationIds` lists every ancestor, root first, direct parent last.
 */
export function organizationView(
  org: {
    id: string;
    name: string;
    parentId: string | null;
    clientId: string;
    domain: string | null;
    createdAt: Date;
    updatedAt: Date;
    children?: { id: string }[];
  },
  ancestorIds: string[],
): OrganizationView {
  return {
    id: org.id,
    name: org.name,
    domain: org.domain,
    clientId: org.clientId,
    parentId: org.parentId,
    parentOrganizationIds: ancestorIds,
    subOrganizationIds: (org.children ?? []).map((c) => c.id),
    tenantOrganizationIds: [],
    isRoot: org.parentId === null,
    isMaster: org.parentId === null,
    createdAt: org.createdAt.toISOString(),
    updatedAt: org.updatedAt.toISOString(),
    entitlements: { apis: { enabled: true }, gateways: { assigned: 0 } },
  };
}

/** The ancestors of `organizationId` in `tree`, root first. */
export function ancestorIds(tree: { id: string; parentId: string | null }[], organizationId: string): string[] {
  const parents = new Map(tree.map((o) => [o.id, o.parentId]));
  const out: string[] = [];
  for (let id = parents.get(organizationId); id && !out.includes(id); id = parents.get(id)) out.unshift(id);
  return out;
}
