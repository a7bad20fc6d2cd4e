import type { AuditEntry } from './audit.dto.js';
import type { AuditRecordRow } from './audit.repository.js';
import { AUDIT_RESOURCE_TYPES, type AuditAction, type AuditResourceType } from './audit-vocabulary.js';

/** A record as the query answers it (audit.dto.ts auditEntry). */
export function auditEntryView(row: AuditRecordRow): AuditEntry {
  const objectType = row.resourceType as AuditResourceType;
  return {
    id: row.id.toString(),
    timestamp: row.time.toISOString(),
    organizationId: row.organizationId,
    environmentId: row.environmentId,
    platform: AUDIT_RESOURCE_TYPES[objectType],
    objectType,
    objectId: row.resourceId,
    objectName: row.resourceName,
    action: row.action as AuditAction,
    userId: row.actorId,
    userName: row.actorName,
    userType: row.actorType as 'user' | 'connected-app',
    requestId: row.requestId,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    payload: { before: row.before, after: row.after },
  };
}
