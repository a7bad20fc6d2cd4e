/**
 * MCP backends (seed 003: "view MCP backends and enable or disable them"): the MCP instances of an
 * environment. A disabled backend keeps its whole configuration; its gateways keep its listener
 * and answer every request 503 BACKEND_DISABLED, and it leaves the AI inventory. Deleting a
 * backend deletes its instance (with its deployment, policies and keys).
 */
import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiInstancesService } from '../api-instances/api-instances.service.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import { parseIntegerId } from '../common/integer-id.js';
import { BackendConnectionService } from './backend-connection.service.js';
import type { BackendConnectionBody, ListBackendsQuery, UpdateBackendBody } from './mcp-backends.dto.js';
import { McpBackendsRepository, type BackendRecord } from './mcp-backends.repository.js';
import { backendView } from './mcp-backend.view.js';

interface EnvironmentRef {
  organizationId: string;
  environmentId: string;
}

@Injectable()
export class McpBackendsService {
  constructor(
    private readonly repo: McpBackendsRepository,
    private readonly instances: ApiInstancesService,
    private readonly audit: AuditTrailService,
    private readonly connection: BackendConnectionService,
  ) {}

  async list(env: EnvironmentRef, query: ListBackendsQuery) {
    const { total, rows } = await this.repo.page({ ...env, enabled: query.enabled }, { skip: query.offset, take: query.limit });
    return { total, backends: rows.map(backendView) };
  }

  async get(env: EnvironmentRef, rawId: string) {
    return backendView(await this.find(env, rawId));
  }

  /** Switches the backend on or off; the change reaches its gateways with the next push. */
  async update(env: EnvironmentRef, rawId: string, body: UpdateBackendBody) {
    const current = await this.find(env, rawId);
    return this.repo.withApiLock(current.id, async (tx) => {
      const before = backendView((await this.repo.find({ ...env, id: current.id }, tx)) ?? current);
      if (before.enabled === body.enabled) return before;
      const after = backendView(await this.repo.setEnabled(tx, current.id, body.enabled));
      await this.audit.record(tx, {
        ...env,
        action: body.enabled ? 'enable' : 'disable',
        resource: { type: 'api-instance', id: after.apiId, name: after.name },
        before,
        after,
      });
      return after;
    });
  }

  /** Sets how the gateway authenticates to the backend (backend-connection.service.ts). */
  async setConnection(env: EnvironmentRef, rawId: string, body: BackendConnectionBody, req: FastifyRequest) {
    const backend = backendView(await this.find(env, rawId));
    await this.connection.set({ orgId: env.organizationId, envId: env.environmentId, apiId: backend.apiId }, backend, body, req);
    return this.get(env, rawId);
  }

  async delete(env: EnvironmentRef, rawId: string): Promise<void> {
    const backend = await this.find(env, rawId);
    await this.instances.delete(env.organizationId, env.environmentId, String(backend.id));
  }

  /** The MCP instance `rawId` of the environment; 404 for anything else (another tenant's, an HTTP API's). */
  private async find(env: EnvironmentRef, rawId: string): Promise<BackendRecord> {
    const id = parseIntegerId(rawId);
    const backend = id === undefined ? null : await this.repo.find({ ...env, id });
    if (!backend) throw new DomainError('API_NOT_FOUND', `MCP backend ${rawId} not found`);
    return backend;
  }
}
