/**
 * Persistence of agents and of agent → MCP mappings (prisma/migrations/…_agents).
 *
 * Pushes: a mapping row, an agent's update and a backend's restriction bump the configuration of
 * the backends concerned through the migration's triggers. Every agent of an organization is also
 * named in the configuration of each of its MCP backends (so access events name the agent on any
 * backend), so creating, changing or deleting an agent also pushes every deployed MCP backend of
 * the organization ({@link AgentsRepository.pushOrganization}).
 *
 * Locks: agent writes of one organization take turns (an advisory lock per organization), so two
 * agents cannot claim the same client id at once; mapping writes take the instance's row lock,
 * as instance writes and ACKs do.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

/** Two-key advisory lock (namespace, hash of the organization id) serializing an organization's agent writes; 7701001–7701005 are taken. */
const ORGANIZATION_AGENTS_LOCK = 7701006;

const AGENT_SELECT = {
  id: true,
  organizationId: true,
  name: true,
  description: true,
  predefinedKey: true,
  clientIds: true,
  clientMetadataUrls: true,
  clientInfoNames: true,
  applicationIds: true,
  createdAt: true,
  updatedAt: true,
  backends: {
    select: { apiId: true, tools: true, api: { select: { environmentId: true, instanceLabel: true, assetId: true } } },
    orderBy: { apiId: 'asc' as const },
  },
} satisfies Prisma.AgentSelect;

export type AgentRecord = Prisma.AgentGetPayload<{ select: typeof AGENT_SELECT }>;

/** What an agent is written with. */
export interface AgentData {
  name: string;
  description: string | null;
  predefinedKey: string | null;
  clientIds: string[];
  clientMetadataUrls: string[];
  clientInfoNames: string[];
  applicationIds: number[];
}

const BACKEND_SELECT = {
  id: true,
  instanceLabel: true,
  assetId: true,
  agentsRestricted: true,
  agents: {
    select: { agentId: true, tools: true, agent: { select: { name: true } } },
    orderBy: { agent: { name: 'asc' as const } },
  },
} satisfies Prisma.ApiInstanceSelect;

export type MappedBackendRecord = Prisma.ApiInstanceGetPayload<{ select: typeof BACKEND_SELECT }>;

@Injectable()
export class AgentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The organization's agents by name. */
  list(organizationId: string, db: Tx | PrismaService = this.prisma): Promise<AgentRecord[]> {
    return db.agent.findMany({ where: { organizationId }, select: AGENT_SELECT, orderBy: { name: 'asc' } });
  }

  find(organizationId: string, id: string, db: Tx | PrismaService = this.prisma): Promise<AgentRecord | null> {
    return db.agent.findFirst({ where: { id, organizationId }, select: AGENT_SELECT });
  }

  /** The organization's client applications among `ids`. */
  applications(organizationId: string, ids: readonly number[], db: Tx | PrismaService = this.prisma) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.clientApplication.findMany({
      where: { organizationId, id: { in: [...ids] } },
      select: { id: true, name: true, clientId: true },
      orderBy: { id: 'asc' },
    });
  }

  /** Runs `fn` in a transaction holding the organization's agent lock (see the header). */
  withOrganizationLock<T>(organizationId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ORGANIZATION_AGENTS_LOCK}::int, hashtext(${organizationId}))`;
      return fn(tx);
    });
  }

  async create(tx: Tx, organizationId: string, data: AgentData): Promise<AgentRecord> {
    try {
      return await tx.agent.create({ data: { organizationId, ...data }, select: AGENT_SELECT });
    } catch (err) {
      throw isUniqueViolation(err) ? alreadyExists(data.name) : err;
    }
  }

  async update(tx: Tx, id: string, data: AgentData): Promise<AgentRecord> {
    try {
      return await tx.agent.update({ where: { id }, data, select: AGENT_SELECT });
    } catch (err) {
      throw isUniqueViolation(err) ? alreadyExists(data.name) : err;
    }
  }

  /** Deletes the agent; its mappings go with it (and push their backends). */
  async delete(tx: Tx, id: string): Promise<void> {
    await tx.agent.delete({ where: { id } });
  }

  /**
   * Pushes the configuration of every deployed MCP backend of the organization again: each names
   * all the organization's agents.
   */
  async pushOrganization(tx: Tx, organizationId: string): Promise<void> {
    await tx.$executeRaw`
      SELECT portico_bump_api_target(a."id") FROM "ApiInstance" a
      WHERE a."organizationId" = ${organizationId}::uuid AND a."endpointType" = 'mcp'
        AND EXISTS (SELECT 1 FROM "Deployment" d WHERE d."apiId" = a."id" AND d."expectedStatus" = 'deployed')
      ORDER BY a."id"`;
  }

  /** The environment's MCP instance `id` with its agent mapping; null for anything else. */
  findBackend(
    where: { id: number; organizationId: string; environmentId: string },
    db: Tx | PrismaService = this.prisma,
  ): Promise<MappedBackendRecord | null> {
    return db.apiInstance.findFirst({ where: { ...where, endpointType: 'mcp' }, select: BACKEND_SELECT });
  }

  /** Runs `fn` in a transaction holding the instance's row lock, as instance writes and ACKs do. */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.withApiRowLock(apiId, fn);
  }

  /** The organization's agents among `ids` (ids that are not UUIDs are simply absent). */
  agentsAmong(tx: Tx, organizationId: string, ids: readonly string[]) {
    return tx.agent.findMany({ where: { organizationId, id: { in: [...ids] } }, select: { id: true, name: true } });
  }

  /** Replaces the backend's restriction and mapping (one push, through the triggers). */
  async replaceMapping(
    tx: Tx,
    apiId: number,
    restricted: boolean,
    agents: readonly { agentId: string; tools: string[] }[],
  ): Promise<void> {
    await tx.apiInstance.update({ where: { id: apiId }, data: { agentsRestricted: restricted } });
    await tx.agentBackend.deleteMany({ where: { apiId } });
    if (agents.length > 0) {
      await tx.agentBackend.createMany({ data: agents.map((a) => ({ apiId, agentId: a.agentId, tools: a.tools })) });
    }
  }
}

function alreadyExists(name: string): DomainError {
  return new DomainError('AGENT_ALREADY_EXISTS', `An agent named ${JSON.stringify(name)} already exists in the organization`);
}
