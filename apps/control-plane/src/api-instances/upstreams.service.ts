/**
 * Upstreams of a Flex instance (contract §4.7): backends that routes send traffic to, by weight.
 * An MCP server's upstream URI must end with "/", as on create. An upstream a route still uses
 * cannot be deleted (change `routing[]` first). A `tlsContext` reference resolves as on instance
 * writes (ApiInstancesService.withTlsContext); reads show the context's name and `authorized: true`.
 */
import { Injectable } from '@nestjs/common';
import { isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { upstreamView } from './api-instance.view.js';
import type { CreateUpstreamBody, UpdateUpstreamBody } from './api-instances.dto.js';
import { ApiInstancesRepository, type ApiInstanceRecord } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { bodyValidationError, MCP_UPSTREAM_SLASH, violatesMcpUpstream } from './instance-rules.js';

@Injectable()
export class UpstreamsService {
  constructor(
    private readonly repo: ApiInstancesRepository,
    private readonly instances: ApiInstancesService,
  ) {}

  async list(organizationId: string, environmentId: string, rawApiId: string) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    const upstreams = await this.repo.findUpstreams(api.id);
    return { total: upstreams.length, upstreams: upstreams.map(upstreamView) };
  }

  async create(principal: Principal, organizationId: string, environmentId: string, rawApiId: string, body: CreateUpstreamBody) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    assertMcpUri(api, body.uri);
    const created = await this.repo.transaction(async (tx) =>
      this.repo.createUpstream(tx, api.id, await this.instances.withTlsContext(tx, principal, api, body, ['tlsContext'])),
    );
    return upstreamView(created);
  }

  async get(organizationId: string, environmentId: string, rawApiId: string, rawId: string) {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    return upstreamView(await this.find(api, rawId));
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
    const updated = await this.repo.transaction(async (tx) => {
      const upstream = await this.find(api, rawId, tx);
      assertMcpUri(api, body.uri);
      return this.repo.updateUpstream(
        tx,
        upstream.id,
        await this.instances.withTlsContext(tx, principal, api, body, ['tlsContext']),
      );
    });
    return upstreamView(updated);
  }

  async delete(organizationId: string, environmentId: string, rawApiId: string, rawId: string): Promise<void> {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    const upstream = await this.find(api, rawId);
    const routes = await this.repo.deleteUnusedUpstream(upstream.id);
    if (routes.length) {
      throw new DomainError(
        'UPSTREAM_IN_USE',
        `Upstream ${upstream.id} is used by routing[${routes.join('], routing[')}] of API ${api.id}; change the routing first`,
      );
    }
  }

  private async find(api: ApiInstanceRecord, rawId: string, tx?: Tx) {
    const upstream = isUuid(rawId) ? await this.repo.findUpstream(api.id, rawId, tx) : null;
    if (!upstream) throw new DomainError('UPSTREAM_NOT_FOUND', `Upstream ${rawId} not found for API ${api.id}`);
    return upstream;
  }
}

function assertMcpUri(api: ApiInstanceRecord, uri: string | undefined): void {
  if (violatesMcpUpstream(api.endpointType, uri)) throw bodyValidationError([{ path: ['uri'], message: MCP_UPSTREAM_SLASH }]);
}
