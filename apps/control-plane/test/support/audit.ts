/**
 * The audit trail as tests read it: through the query route (what clients get) and straight from
 * the table (to prove what is, and is not, stored).
 */
import type { ControlPlaneClient } from './control-plane.js';
import { testPrisma } from './factories.js';

/** An entry of POST /audit/v2/organizations/{orgId}/query. */
export interface AuditEntry {
  id: string;
  timestamp: string;
  organizationId: string;
  environmentId: string | null;
  platform: string;
  objectType: string;
  objectId: string;
  objectName: string | null;
  action: string;
  userId: string;
  userName: string;
  userType: 'user' | 'connected-app';
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  payload: { before: any; after: any };
}

/** Queries the organization's trail (from the epoch unless the body says otherwise); fails unless 200. */
export async function queryAudit(
  cp: ControlPlaneClient,
  token: string,
  organizationId: string,
  body: Record<string, unknown> = {},
): Promise<{ data: AuditEntry[]; total: number }> {
  const res = await cp.request('POST', `/audit/v2/organizations/${organizationId}/query`, {
    token,
    json: { startDate: 0, ...body },
  });
  if (res.status !== 200) throw new Error(`audit query failed: ${res.status} ${res.text}`);
  return res.body;
}

/** Every stored record of the organization, oldest first. */
export function auditRows(organizationId: string) {
  return testPrisma().auditRecord.findMany({ where: { organizationId }, orderBy: { id: 'asc' } });
}
