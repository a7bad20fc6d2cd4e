/**
 * Agents (seed 003: "configure access control for predefined and custom agents; map agent clients
 * to MCP backends", issue 20): the AI agents (MCP clients) an organization recognises, and which
 * MCP backends each may use.
 *
 * Contract:
 * - An agent is recognised by OAuth client ids (its own, and those of the client applications of
 *   the organization it is bound to), Client ID Metadata Document URLs (a CIMD client's client
 *   id) and clientInfo names (what the client says it is at `initialize`: self-asserted). It needs
 *   at least one of them. A value that recognises one agent of the organization cannot recognise
 *   another (409 AGENT_RECOGNITION_CONFLICT naming it), so the gateway never has to choose.
 * - A predefined agent starts from a shipped entry (predefined-agents.json) and keeps its key; the
 *   rules given with it are added to the entry's.
 * - A backend's mapping (`restricted` and its agents with their tools) is replaced as a whole. On
 *   a restricted backend only the mapped agents are served; a mapping's `tools`, when not empty,
 *   are the only tools that agent lists and calls there, restricted or not.
 * - Reads need View APIs Configuration (or Configure Agents) in the organization or one of its
 *   environments; writes need Configure Agents (the organization's for agents, the environment's
 *   for a backend's mapping).
 *
 * Audit: agent writes are `create` / `update` / `delete` of an `agent`; a mapping write is an
 * `update` of the backend's `agent-mapping` (resource id: the API instance id).
 */
import { Injectable } from '@nestjs/common';
import { AccessService, isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { scopeGrants, SCOPES, type Scope } from '../auth/scopes.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import { parseIntegerId } from '../common/integer-id.js';
import { isForeignKeyViolation } from '../common/prisma-errors.js';
import type { Tx } from '../common/prisma.service.js';
import { validationError } from '../common/validation.js';
import {
  type CreateAgentBody,
  hasRecognitionRule,
  NO_RULE,
  type PutAgentMappingBody,
  type UpdateAgentBody,
} from './agents.dto.js';
import { type AgentData, type AgentRecord, AgentsRepository } from './agents.repository.js';
import { agentView, type AgentView, type ApplicationRef, mappingView, predefinedView } from './agent.view.js';
import { PredefinedAgents } from './predefined-agents.js';

interface EnvironmentRef {
  organizationId: string;
  environmentId: string;
}

/** Scopes that let a principal read agents (see the header). */
const READ_SCOPES: readonly Scope[] = ['read:api_configuration', 'configure:agents'];

@Injectable()
export class AgentsService {
  constructor(
    private readonly repo: AgentsRepository,
    private readonly predefinedAgents: PredefinedAgents,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
  ) {}

  predefined() {
    const agents = this.predefinedAgents.all.map(predefinedView);
    return { total: agents.length, agents };
  }

  async list(principal: Principal, organizationId: string) {
    await this.assertCanRead(principal, organizationId);
    const agents = await this.repo.list(organizationId);
    const applications = await this.repo.applications(organizationId, [...new Set(agents.flatMap((a) => a.applicationIds))]);
    return { total: agents.length, agents: agents.map((a) => agentView(a, applications)) };
  }

  async get(principal: Principal, organizationId: string, id: string): Promise<AgentView> {
    await this.assertCanRead(principal, organizationId);
    const agent = await this.find(organizationId, id);
    return agentView(agent, await this.repo.applications(organizationId, agent.applicationIds));
  }

  async create(organizationId: string, body: CreateAgentBody): Promise<AgentView> {
    const shipped = body.predefined === undefined ? undefined : this.predefinedAgents.find(body.predefined);
    const data: AgentData = {
      name: body.name ?? shipped!.name,
      description: body.description ?? shipped?.description ?? null,
      predefinedKey: shipped?.key ?? null,
      clientIds: union([], body.clientIds),
      clientMetadataUrls: union(shipped?.clientMetadataUrls ?? [], body.clientMetadataUrls),
      clientInfoNames: union(shipped?.clientInfoNames ?? [], body.clientInfoNames),
      applicationIds: union([], body.applicationIds),
    };
    return this.repo.withOrganizationLock(organizationId, async (tx) => {
      const applications = await this.checkRules(tx, organizationId, undefined, data);
      const after = agentView(await this.repo.create(tx, organizationId, data), applications);
      await this.repo.pushOrganization(tx, organizationId);
      await this.recordAgent(tx, organizationId, 'create', after, { after });
      return after;
    });
  }

  async update(organizationId: string, id: string, body: UpdateAgentBody): Promise<AgentView> {
    await this.find(organizationId, id);
    return this.repo.withOrganizationLock(organizationId, async (tx) => {
      const current = await this.find(organizationId, id, tx);
      const data: AgentData = {
        name: body.name ?? current.name,
        description: body.description === undefined ? current.description : body.description,
        predefinedKey: current.predefinedKey,
        clientIds: body.clientIds ?? current.clientIds,
        clientMetadataUrls: body.clientMetadataUrls ?? current.clientMetadataUrls,
        clientInfoNames: body.clientInfoNames ?? current.clientInfoNames,
        applicationIds: body.applicationIds ?? current.applicationIds,
      };
      if (!hasRecognitionRule(data)) {
        throw validationError([{ path: '/body', message: NO_RULE, errorCode: 'custom.validation' }]);
      }
      const before = agentView(current, await this.repo.applications(organizationId, current.applicationIds, tx));
      const applications = await this.checkRules(tx, organizationId, id, data);
      const after = agentView(await this.repo.update(tx, id, data), applications);
      await this.repo.pushOrganization(tx, organizationId);
      await this.recordAgent(tx, organizationId, 'update', after, { before, after });
      return after;
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await this.find(organizationId, id);
    await this.repo.withOrganizationLock(organizationId, async (tx) => {
      const current = await this.find(organizationId, id, tx);
      const before = agentView(current, await this.repo.applications(organizationId, current.applicationIds, tx));
      await this.repo.delete(tx, id);
      await this.repo.pushOrganization(tx, organizationId);
      await this.recordAgent(tx, organizationId, 'delete', before, { before });
    });
  }

  async getMapping(env: EnvironmentRef, rawApiId: string) {
    return mappingView(await this.findBackend(env, rawApiId));
  }

  /** Replaces the backend's restriction and agent mapping in one transaction (one push). */
  async putMapping(env: EnvironmentRef, rawApiId: string, body: PutAgentMappingBody) {
    const { id: apiId } = await this.findBackend(env, rawApiId);
    return this.repo.withApiLock(apiId, async (tx) => {
      const before = mappingView(await this.findBackend(env, rawApiId, tx));
      const ids = body.agents.map((a) => a.agentId);
      const known = await this.repo.agentsAmong(tx, env.organizationId, ids.filter(isUuid));
      const byId = new Map(known.map((a) => [a.id.toLowerCase(), a.id]));
      const missing = ids.findIndex((id) => !byId.has(id.toLowerCase()));
      if (missing >= 0) {
        throw new DomainError(
          'AGENT_NOT_FOUND',
          `agents[${missing}].agentId: agent ${ids[missing]} not found in organization ${env.organizationId}`,
        );
      }
      const rows = body.agents.map((a) => ({ agentId: byId.get(a.agentId.toLowerCase())!, tools: a.tools }));
      try {
        await this.repo.replaceMapping(tx, apiId, body.restricted, rows);
      } catch (err) {
        // An agent deleted while this mapping was written.
        if (isForeignKeyViolation(err)) throw new DomainError('AGENT_NOT_FOUND', 'An agent of the mapping no longer exists');
        throw err;
      }
      const after = mappingView(await this.findBackend(env, rawApiId, tx));
      await this.audit.record(tx, {
        organizationId: env.organizationId,
        environmentId: env.environmentId,
        action: 'update',
        resource: { type: 'agent-mapping', id: apiId, name: after.name },
        before,
        after,
      });
      return after;
    });
  }

  /**
   * Checks `data`: its name is free, its applications are the organization's (answers them), and
   * no other agent of the organization is recognised by one of its values.
   */
  private async checkRules(tx: Tx, organizationId: string, selfId: string | undefined, data: AgentData) {
    const applications = await this.repo.applications(organizationId, data.applicationIds, tx);
    const found = new Set(applications.map((a) => a.id));
    const missing = data.applicationIds.findIndex((id) => !found.has(id));
    if (missing >= 0) {
      throw validationError([
        {
          path: `/body/applicationIds/${missing}`,
          message: `client application ${data.applicationIds[missing]} is not an application of organization ${organizationId}`,
          errorCode: 'custom.validation',
        },
      ]);
    }
    const others = (await this.repo.list(organizationId, tx)).filter((a) => a.id !== selfId);
    if (others.some((a) => a.name === data.name)) {
      throw new DomainError(
        'AGENT_ALREADY_EXISTS',
        `An agent named ${JSON.stringify(data.name)} already exists in the organization`,
      );
    }
    const otherApps = await this.repo.applications(organizationId, [...new Set(others.flatMap((a) => a.applicationIds))], tx);
    const claims = new Map<string, string>();
    for (const other of others) {
      for (const key of recognitionKeys(other, otherApps)) if (!claims.has(key)) claims.set(key, other.name);
    }
    for (const key of recognitionKeys(data, applications)) {
      const owner = claims.get(key);
      if (owner !== undefined) {
        const at = key.indexOf('\n');
        const [kind, value] = [key.slice(0, at), key.slice(at + 1)];
        throw new DomainError(
          'AGENT_RECOGNITION_CONFLICT',
          `${kind === 'client' ? 'client id' : 'clientInfo name'} ${JSON.stringify(value)} already recognises agent ${JSON.stringify(owner)}`,
        );
      }
    }
    return applications;
  }

  private recordAgent(
    tx: Tx,
    organizationId: string,
    action: 'create' | 'update' | 'delete',
    agent: AgentView,
    change: { before?: AgentView; after?: AgentView },
  ) {
    return this.audit.record(tx, {
      organizationId,
      action,
      resource: { type: 'agent', id: agent.id, name: agent.name },
      ...change,
    });
  }

  private async find(organizationId: string, id: string, tx?: Tx): Promise<AgentRecord> {
    const agent = isUuid(id) ? await this.repo.find(organizationId, id, tx) : null;
    if (!agent) throw new DomainError('AGENT_NOT_FOUND', `Agent ${id} not found`);
    return agent;
  }

  /** The environment's MCP instance `rawId`; 404 for anything else (another tenant's, an HTTP API's). */
  private async findBackend(env: EnvironmentRef, rawId: string, tx?: Tx) {
    const id = parseIntegerId(rawId);
    const backend = id === undefined ? null : await this.repo.findBackend({ ...env, id }, tx);
    if (!backend) throw new DomainError('API_NOT_FOUND', `MCP backend ${rawId} not found`);
    return backend;
  }

  /** 403 unless the principal may read the organization's agents (see the header). */
  private async assertCanRead(principal: Principal, organizationId: string): Promise<void> {
    for (const scope of READ_SCOPES) {
      if (await this.access.hasScope(principal, { scope, organizationId })) return;
    }
    const inSomeEnvironment = principal.grants.some(
      (g) => g.organizationId === organizationId && g.environmentId !== null && READ_SCOPES.some((s) => scopeGrants(g.scope, s)),
    );
    if (inSomeEnvironment) return;
    throw new DomainError(
      'FORBIDDEN',
      `You need the ${SCOPES['read:api_configuration']} permission (read:api_configuration) or ${SCOPES['configure:agents']} (configure:agents) in organization ${organizationId} or one of its environments`,
    );
  }
}

/** `base` and then the values of `extra` it lacks. */
function union<T>(base: readonly T[], extra: readonly T[] | undefined): T[] {
  return [...new Set([...base, ...(extra ?? [])])];
}

/**
 * What recognises an agent, as comparable keys: client ids (its own, its metadata URLs, its
 * applications') as `client\n<id>`, clientInfo names lower-cased as `info\n<name>`.
 */
function recognitionKeys(
  agent: Pick<AgentData, 'clientIds' | 'clientMetadataUrls' | 'clientInfoNames' | 'applicationIds'>,
  applications: readonly ApplicationRef[],
): string[] {
  const bound = new Set(agent.applicationIds);
  return [...agent.clientIds, ...agent.clientMetadataUrls, ...applications.filter((a) => bound.has(a.id)).map((a) => a.clientId)]
    .map((id) => `client\n${id}`)
    .concat(agent.clientInfoNames.map((n) => `info\n${n.toLowerCase()}`));
}
