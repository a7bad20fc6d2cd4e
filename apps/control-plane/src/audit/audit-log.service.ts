/**
 * Reading the audit trail of one organization (the route's; AuthGuard has checked it is visible
 * and that the caller holds Audit Log Viewer there). Another organization's records are never
 * part of an answer: every query is filtered by the path's organization.
 */
import { Injectable } from '@nestjs/common';
import { validationError } from '../common/validation.js';
import { auditEntryView } from './audit-entry.view.js';
import type { AuditQueryBody } from './audit.dto.js';
import { AuditRepository } from './audit.repository.js';
import { AUDIT_RESOURCE_TYPE_NAMES, AUDIT_RESOURCE_TYPES } from './audit-vocabulary.js';

@Injectable()
export class AuditLogService {
  constructor(private readonly repo: AuditRepository) {}

  async query(organizationId: string, q: AuditQueryBody) {
    if (q.organizationId !== undefined && q.organizationId !== organizationId) {
      throw validationError([
        { path: '/body/organizationId', message: `must be the organization of the path (${organizationId})` },
      ]);
    }
    const resourceTypes = q.platforms.length
      ? AUDIT_RESOURCE_TYPE_NAMES.filter(
          (type) => q.platforms.includes(AUDIT_RESOURCE_TYPES[type]) && (!q.objectTypes.length || q.objectTypes.includes(type)),
        )
      : q.objectTypes;
    // Only changes that committed are recorded; and platforms and objectTypes may exclude each other.
    if (q.failed === true || (q.platforms.length && !resourceTypes.length)) return { data: [], total: 0 };
    const { total, rows } = await this.repo.query(
      organizationId,
      {
        from: q.startDate,
        to: q.endDate,
        actorIds: q.userIds,
        clientIds: q.clientIds,
        actions: q.actions,
        resourceTypes,
        resourceIds: q.objectIds,
        environmentIds: q.environmentIds,
      },
      { offset: q.offset, limit: q.limit, ascending: q.ascending },
    );
    return { data: rows.map(auditEntryView), total };
  }
}
