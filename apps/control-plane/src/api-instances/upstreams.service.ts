/**
 * Upstreams of a Flex instance (contract §4.7): backends that routes send traffic to, by weight.
 * An MCP server's upstream URI must end with "/", as on create. An upstream a route still uses
 * cannot be deleted (change `routing[]` first). A `tlsContext` reference resolves as on instance
 * writes (ApiInstancesService.withTlsContext); reads show the context's name and `authorized: true`.
 * Each change is recorded as the upstream route shows it.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { upstreamView } from './api-instance.view.js';
import type { CreateUpstreamBody, UpdateUpstreamBody } from './api-instances.dto.js';
import { type ApiInstanceRecord, ApiInstancesRepository } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { assertMcpUpstream } from './instance-rules.js';

@Injectable()
export class UpstreamsService {
  constructor(
    private readonly repo: ApiInstancesRepository,
    private readonly instances: ApiInstancesService,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, environmentId: string, rawApiId: string) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    const upstreams = await this.repo.findUpstreams(api.id);
    return { total: upstreams.length, upstreams: upstreams.map(upstreamView) };
  }

  async create(principal: Principal, organizationId: string, environmentId: string, rawApiId: string, body: CreateUpstreamBody) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    assertMcpUpstream(api.endpointType, body.uri, []);
    return this.repo.transaction(async (tx) => {
      const columns = await this.instances.withTlsContext(tx, principal, api, body, ['tlsContext']);
      const after = upstreamView(await this.repo.createUpstream(tx, api.id, columns));
      await this.record(tx, 'create', api, after, { after });
      return after;
    });
  }

  async get(organizationId: string, environmentId: string, rawApiId: string, rawId: string) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    return upstreamView(await this.instances.findUpstream(api, rawId));
  }

  async update(
    principal: Principal,
    organizationId: string,
    environmentId: string,
    rawApiId: string,
    rawId: string,
    body: UpdateUpstreamBody,
  ) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    return this.repo.transaction(async (tx) => {
      const before = upstreamView(await this.instances.findUpstream(api, rawId, tx));
      const after = upstreamView(await this.instances.updateUpstream(tx, principal, api, rawId, body, []));
      await this.record(tx, 'update', api, after, { before, after });
      return after;
    });
  }

  async delete(organizationId: string, environmentId: string, rawApiId: string, rawId: string): Promise<void> {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    await this.repo.transaction(async (tx) => {
      const upstream = await this.instances.findUpstream(api, rawId, tx);
      const routes = await this.repo.deleteUnusedUpstream(tx, upstream.id);
      if (routes.length) {
        throw new DomainError(
          'UPSTREAM_IN_USE',
          `Upstream ${upstream.id} is used by routing[${routes.join('], routing[')}] of API ${api.id}; change the routing first`,
        );
      }
      const before = upstreamView(upstream);
      await this.record(tx, 'delete', api, before, { before });
    });
  }

  private record(
    tx: Tx,
    action: AuditAction,
    api: ApiInstanceRecord,
    upstream: UpstreamView,
    change: { before?: UpstreamView; after?: UpstreamView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: api.organizationId,
      environmentId: api.environmentId,
      action,
      resource: { type: 'upstream', id: upstream.id, name: upstream.label ?? upstream.uri },
      ...change,
    });
  }
}

type UpstreamView = ReturnType<typeof upstreamView>;
