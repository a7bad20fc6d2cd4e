/**
 * Persistence of API alerts: the definitions, their evaluation state, and the reads the evaluator
 * makes of the access events. Alerts are not part of what gateways are sent, so writes take no
 * instance lock; an alert is deleted with its instance (foreign key).
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isForeignKeyViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { rootOrganizationId } from '../common/root-organization.js';
import { Prisma } from '../generated/prisma/client.js';
import { averagesResponseTime, type PeriodStats } from './alert-condition.js';
import { type AlertDialect, type AlertOrder, type Member, periodMs } from './alert-definition.js';

/** The columns a create or an update writes. */
export type AlertColumns = Omit<
  Prisma.AlertUncheckedCreateInput,
  'id' | 'state' | 'evaluatedAt' | 'lastValue' | 'firedAt' | 'resolvedAt' | 'revision' | 'createdAt' | 'updatedAt'
>;

/** Where an alert is looked up: its dialect, organization and environment, and optionally its instance. */
export interface AlertScope {
  organizationId: string;
  environmentId: string;
  dialect: AlertDialect;
  apiId?: number;
}

export interface AlertPage {
  offset: number;
  limit: number;
  orderBy: AlertOrder;
  ascending: boolean;
}

/** What an evaluation reads of an alert besides its row. */
const forEvaluation = {
  api: { select: { id: true, instanceLabel: true, assetId: true, environment: { select: { name: true } } } },
} as const;
export type AlertForEvaluation = Prisma.AlertGetPayload<{ include: typeof forEvaluation }>;

const memberSelect = { id: true, username: true, firstName: true, lastName: true, email: true } as const;

/** Users of `organizationId`, or users of another holding a permission in it (a business group's). */
function membersOf(organizationId: string): Prisma.UserWhereInput {
  return { OR: [{ organizationId }, { grants: { some: { organizationId } } }] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function alertNotFound(id: string): DomainError {
  return new DomainError('ALERT_NOT_FOUND', `Alert ${id} not found`);
}

export function apiNotFound(apiId: number | string): DomainError {
  return new DomainError('API_NOT_FOUND', `API instance ${apiId} not found`);
}

@Injectable()
export class AlertsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true, instanceLabel: true, assetId: true } });
  }

  rootOrganizationId(organizationId: string): Promise<string> {
    return rootOrganizationId(this.prisma, organizationId);
  }

  /** The members among `refs` (user ids or usernames) of `organizationId`. */
  findMembers(organizationId: string, refs: readonly string[]): Promise<Member[]> {
    const ids = refs.filter((r) => UUID.test(r));
    return this.prisma.user.findMany({
      where: { AND: [membersOf(organizationId), { OR: [{ id: { in: ids } }, { username: { in: [...refs] } }] }] },
      select: memberSelect,
    });
  }

  /** Users by id, wherever they are now (views show the recipients that still exist). */
  membersById(ids: readonly string[]): Promise<Member[]> {
    return ids.length
      ? this.prisma.user.findMany({ where: { id: { in: [...ids] } }, select: memberSelect })
      : Promise.resolve([]);
  }

  async listMembers(organizationId: string, page: { offset: number; limit: number }) {
    const where = membersOf(organizationId);
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.user.findMany({
        where,
        select: { ...memberSelect, organizationId: true, enabled: true, createdAt: true, updatedAt: true },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.user.count({ where }),
    ]);
    return { rows, total };
  }

  /** The policies among `ids` applied to `apiId`, with their template's asset id and name. */
  async appliedPolicies(apiId: number, ids: readonly number[], db: Tx = this.prisma) {
    if (!ids.length) return [];
    const rows = await db.appliedPolicy.findMany({
      where: { apiId, id: { in: [...ids] } },
      select: { id: true, assetId: true, template: { select: { asset: { select: { name: true } } } } },
    });
    return rows.map((r) => ({ id: r.id, templateId: r.assetId, templateName: r.template.asset.name }));
  }

  async list(scope: AlertScope, page: AlertPage) {
    const direction = page.ascending ? 'asc' : 'desc';
    return this.prisma.alert.findMany({
      where: scope,
      orderBy: page.orderBy === 'id' ? [{ id: direction }] : [{ [page.orderBy]: direction }, { id: 'asc' }],
      skip: page.offset,
      take: page.limit,
    });
  }

  /** The alert `id` in `scope`; null when there is none (or `id` cannot be an alert id). */
  find(id: string, scope: AlertScope, db: Tx = this.prisma) {
    if (!UUID.test(id)) return Promise.resolve(null);
    return db.alert.findFirst({ where: { id, ...scope } });
  }

  /** Locks the alert `id` in `scope` for the rest of `tx` and reads it; null when there is none. */
  async lock(tx: Tx, id: string, scope: AlertScope) {
    if (!UUID.test(id)) return null;
    await tx.$queryRaw`SELECT "id" FROM "Alert" WHERE "id" = ${id}::uuid FOR UPDATE`;
    return this.find(id, scope, tx);
  }

  /**
   * Creates an alert, its first evaluation one interval away (see claimDue: a control plane with
   * a long interval does not evaluate an alert another has just taken on).
   */
  async create(tx: Tx, data: AlertColumns) {
    try {
      return await tx.alert.create({ data: { ...data, evaluatedAt: new Date() } });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw apiNotFound(data.apiId);
      throw err;
    }
  }

  /**
   * Replaces the definition of `current`. A new revision: an evaluation of the old one still
   * running records nothing. Disabling forgets the state (enabling starts anew, pending).
   */
  update(tx: Tx, current: { id: string; enabled: boolean }, data: AlertColumns) {
    const restart = current.enabled !== data.enabled;
    return tx.alert.update({
      where: { id: current.id },
      data: {
        ...data,
        revision: { increment: 1 },
        ...(restart && { state: 'pending', evaluatedAt: new Date(), lastValue: null }),
      },
    });
  }

  remove(tx: Tx, id: string) {
    return tx.alert.delete({ where: { id } });
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /**
   * Claims up to `batch` enabled alerts not evaluated for `dueAfterMs` for this control plane:
   * marks them evaluated now in one statement, so that of several control planes ticking at once
   * exactly one gets each (a row claim: FOR UPDATE SKIP LOCKED, then the new `evaluatedAt` keeps
   * the others off it until it is due again). Answers the claimed ids.
   */
  async claimDue(dueAfterMs: number, batch: number): Promise<string[]> {
    // Prisma keeps DateTime columns as UTC timestamps without time zone.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "Alert" SET "evaluatedAt" = timezone('UTC', now())
      WHERE "id" IN (
        SELECT "id" FROM "Alert"
        WHERE "enabled" AND ("evaluatedAt" IS NULL
          OR "evaluatedAt" <= timezone('UTC', now()) - ${dueAfterMs}::float8 * interval '1 millisecond')
        ORDER BY "evaluatedAt" ASC NULLS FIRST
        LIMIT ${batch}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING "id"::text AS "id"`;
    return rows.map((r) => r.id);
  }

  loadForEvaluation(ids: readonly string[]): Promise<AlertForEvaluation[]> {
    return this.prisma.alert.findMany({ where: { id: { in: [...ids] }, enabled: true }, include: forEvaluation });
  }

  /** The aggregates of each period of the alert's window ending at `to` (alert-condition.ts). */
  async periodStats(alert: AlertForEvaluation, to: Date): Promise<PeriodStats[]> {
    const length = periodMs(alert);
    const from = new Date(to.getTime() - length * alert.repeat);
    return this.prisma.$queryRaw<PeriodStats[]>`
      SELECT least(floor(extract(epoch FROM (${to}::timestamptz - "time")) * 1000 / ${length}::float8),
          ${alert.repeat - 1}::int)::int AS "period",
        (count(*) FILTER (WHERE ${countedEvents(alert)}))::int AS "matching",
        (avg("durationUs") / 1000)::float8 AS "avgMs"
      FROM "AccessEvent"
      WHERE "apiId" = ${alert.apiId}::int AND "environmentId" = ${alert.environmentId}::uuid
        AND "time" >= ${from}::timestamptz AND "time" < ${to}::timestamptz
      GROUP BY 1`;
  }

  /**
   * Records an evaluation of revision `alert.revision` that found the alert in state `from`:
   * false when the alert changed (or went) since, and nothing was written. `updatedAt` is kept: it
   * is the definition's last change (`lastModified`).
   */
  async recordEvaluation(
    alert: AlertForEvaluation,
    from: string,
    result: { state: string; lastValue: number | null; firedAt?: Date; resolvedAt?: Date },
  ): Promise<boolean> {
    const { count } = await this.prisma.alert.updateMany({
      where: { id: alert.id, revision: alert.revision, state: from, enabled: true },
      data: { ...result, updatedAt: alert.updatedAt },
    });
    return count === 1;
  }
}

/** The events an alert counts (every event of its window for request-count and averages). */
function countedEvents(alert: AlertForEvaluation): Prisma.Sql {
  switch (alert.metric) {
    case 'response-code':
      return Prisma.sql`"httpStatus" = ANY(${alert.responseCodes}::int[])`;
    case 'policy-violation':
      // jsonb containment the verdicts GIN index answers; the gateway reports policy ids as text
      return alert.policyIds.length
        ? Prisma.join(
            alert.policyIds.map(
              (id) => Prisma.sql`"verdicts" @> ${JSON.stringify([{ policyId: String(id), verdict: 'reject' }])}::jsonb`,
            ),
            ' OR ',
            '(',
            ')',
          )
        : Prisma.sql`FALSE`;
    case 'response-time':
      return averagesResponseTime(alert) ? Prisma.sql`TRUE` : Prisma.sql`"durationUs" > ${alert.slowerThanMs! * 1000}::bigint`;
    default:
      return Prisma.sql`TRUE`;
  }
}
