/**
 * Persistence of the organizations' library entries and of install requests. A search matches
 * an entry's name, title or description, case-insensitively.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { ServerJson } from './server-json.js';

export interface NewInstallRequest {
  organizationId: string;
  environmentId: string;
  entryId: string;
  entryName: string;
  entryVersion: string;
  targetId: string;
  inputs: Prisma.InputJsonObject;
  sealedSecrets: string | null;
  reason: string;
  requestedBy: string;
  requestedByName: string;
}

export interface RequestDecision {
  status: 'approved' | 'rejected';
  decidedBy: string;
  decidedByName: string;
  comment: string | null;
  apiId: number | null;
}

/** `text` as a LIKE pattern matching it anywhere, its wildcards escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class McpLibraryRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /** The organization's entries matching `search`, by name then version: how many, and the page. */
  async findEntries(organizationId: string, search: string | undefined, page: { skip: number; take: number }) {
    const order = [{ name: 'asc' as const }, { version: 'asc' as const }, { id: 'asc' as const }];
    if (search === undefined) {
      const [total, rows] = await this.prisma.$transaction([
        this.prisma.mcpLibraryEntry.count({ where: { organizationId } }),
        this.prisma.mcpLibraryEntry.findMany({ where: { organizationId }, orderBy: order, ...page }),
      ]);
      return { total, rows };
    }
    const pattern = containsPattern(search);
    const matching = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "McpLibraryEntry"
      WHERE "organizationId" = ${organizationId}::uuid
        AND ("name" ILIKE ${pattern} OR "server"->>'title' ILIKE ${pattern} OR "server"->>'description' ILIKE ${pattern})`;
    if (page.take === 0 || matching.length <= page.skip) return { total: matching.length, rows: [] };
    const rows = await this.prisma.mcpLibraryEntry.findMany({
      where: { id: { in: matching.map((m) => m.id) } },
      orderBy: order,
      ...page,
    });
    return { total: matching.length, rows };
  }

  findEntry(organizationId: string, id: string) {
    return this.prisma.mcpLibraryEntry.findFirst({ where: { organizationId, id } });
  }

  /** The `name@version` of the organization's entries among `servers`. */
  async existingVersions(organizationId: string, servers: { name: string; version: string }[]): Promise<string[]> {
    const rows = await this.prisma.mcpLibraryEntry.findMany({
      where: { organizationId, OR: servers.map(({ name, version }) => ({ name, version })) },
      select: { name: true, version: true },
      orderBy: [{ name: 'asc' }, { version: 'asc' }],
    });
    return rows.map((r) => `${r.name}@${r.version}`);
  }

  async createEntry(tx: Tx, organizationId: string, server: ServerJson, createdBy: string) {
    try {
      return await tx.mcpLibraryEntry.create({
        data: {
          organizationId,
          name: server.name,
          version: server.version,
          server: server as unknown as Prisma.InputJsonObject,
          createdBy,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'MCP_LIBRARY_ENTRY_ALREADY_EXISTS',
          `The library already holds ${server.name}@${server.version}; import another version`,
        );
      }
      throw err;
    }
  }

  async deleteEntry(tx: Tx, organizationId: string, id: string): Promise<boolean> {
    const { count } = await tx.mcpLibraryEntry.deleteMany({ where: { organizationId, id } });
    return count > 0;
  }

  createRequest(tx: Tx, request: NewInstallRequest) {
    return tx.mcpInstallRequest.create({ data: request });
  }

  findRequest(where: { organizationId: string; environmentId: string; id: string }, tx: Tx | PrismaService = this.prisma) {
    return tx.mcpInstallRequest.findFirst({ where });
  }

  /** Requests of the environment, newest first; only `requestedBy`'s when given. */
  async findRequests(
    where: { organizationId: string; environmentId: string; status?: string; requestedBy?: string },
    page: { skip: number; take: number },
  ) {
    const filter: Prisma.McpInstallRequestWhereInput = {
      organizationId: where.organizationId,
      environmentId: where.environmentId,
      ...(where.status !== undefined && { status: where.status }),
      ...(where.requestedBy !== undefined && { requestedBy: where.requestedBy }),
    };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.mcpInstallRequest.count({ where: filter }),
      this.prisma.mcpInstallRequest.findMany({ where: filter, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    ]);
    return { total, rows };
  }

  /** Records `decision` if the request is still pending; null when someone decided it first. */
  async decideRequest(tx: Tx, id: string, decision: RequestDecision) {
    const { count } = await tx.mcpInstallRequest.updateMany({
      where: { id, status: 'pending' },
      data: { ...decision, decidedAt: new Date() },
    });
    return count ? tx.mcpInstallRequest.findUniqueOrThrow({ where: { id } }) : null;
  }
}

/** An install request as stored. */
export type RequestRecord = NonNullable<Awaited<ReturnType<McpLibraryRepository['findRequest']>>>;
