import { Injectable } from '@nestjs/common';
import { listOrder } from '../common/list-order.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { AuditActor } from './audit-vocabulary.js';

/** A record as AuditTrailService writes it; `before` / `after` are JSON already masked. */
export interface NewAuditRecord {
  organizationId: string;
  environmentId: string | null;
  actor: AuditActor;
  action: string;
  resourceType: string;
  resourceId: string;
  resourceName: string | null;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  before: Prisma.InputJsonValue | null;
  after: Prisma.InputJsonValue | null;
}

/**
 * What a query keeps, every filter ANDed; an absent or empty list does not filter (Anypoint
 * clients send `[]` for "any"). Times are inclusive.
 */
export interface AuditFilter {
  from: Date;
  to?: Date;
  /** actor ids of any type: user ids and connected-app client ids */
  actorIds: string[];
  /** connected-app client ids only */
  clientIds: string[];
  actions: string[];
  resourceTypes: string[];
  resourceIds: string[];
  environmentIds: string[];
}

export interface AuditPage {
  offset: number;
  limit: number;
  ascending: boolean;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(tx: Tx, record: NewAuditRecord): Promise<void> {
    const { actor, before, after, ...columns } = record;
    await tx.auditRecord.create({
      data: {
        ...columns,
        actorType: actor.type,
        actorId: actor.id,
        actorName: actor.name,
        before: before ?? Prisma.DbNull,
        after: after ?? Prisma.DbNull,
      },
    });
  }

  /** The connected app's name (client_name); null when it is gone (it deleted itself). */
  async connectedAppName(tx: Tx, id: string): Promise<string | null> {
    return (await tx.connectedApp.findUnique({ where: { id }, select: { name: true } }))?.name ?? null;
  }

  /** The user or connected app whose (internal) id is `id`, as records name it; null when neither exists. */
  async actorById(tx: Tx, id: string): Promise<AuditActor | null> {
    const user = await tx.user.findUnique({ where: { id }, select: { username: true } });
    if (user) return { type: 'user', id, name: user.username };
    const app = await tx.connectedApp.findUnique({ where: { id }, select: { clientId: true, name: true } });
    return app ? { type: 'connected-app', id: app.clientId, name: app.name } : null;
  }

  /** Records of the organization that match `filter`, ordered by time then id. */
  async query(organizationId: string, filter: AuditFilter, page: AuditPage) {
    const where = recordWhere(organizationId, filter);
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.auditRecord.count({ where }),
      this.prisma.auditRecord.findMany({
        where,
        orderBy: listOrder('time', page.ascending),
        skip: page.offset,
        take: page.limit,
      }),
    ]);
    return { total, rows };
  }
}

export type AuditRecordRow = Awaited<ReturnType<AuditRepository['query']>>['rows'][number];

function recordWhere(organizationId: string, f: AuditFilter): Prisma.AuditRecordWhereInput {
  const and: Prisma.AuditRecordWhereInput[] = [{ organizationId, time: { gte: f.from, ...(f.to && { lte: f.to }) } }];
  if (f.actorIds.length) and.push({ actorId: { in: f.actorIds } });
  if (f.clientIds.length) and.push({ actorType: 'connected-app', actorId: { in: f.clientIds } });
  if (f.actions.length) and.push({ action: { in: f.actions } });
  if (f.resourceTypes.length) and.push({ resourceType: { in: f.resourceTypes } });
  if (f.resourceIds.length) and.push({ resourceId: { in: f.resourceIds } });
  if (f.environmentIds.length) and.push({ environmentId: { in: f.environmentIds } });
  return { AND: and };
}
