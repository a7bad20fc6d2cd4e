/**
 * Upstreams of a Flex instance (contract §4.7): backends that routes send traffic to, by weight.
 * An MCP server's upstream URI must end with "/", as on create. An upstream a route still uses
 * cannot be deleted (change `routing[]` first). A `tlsContext` reference resolves as on instance
 * writes (ApiInstancesService.withTlsContext); reads show the context's name and `authorized: true`.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { upstreamView } from './api-instance.view.js';
import type { CreateUpstreamBody, UpdateUpstreamBody } from './api-instances.dto.js';
import { ApiInstancesRepository } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { assertMcpUpstream } from './instance-rules.js';

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
    assertMcpUpstream(api.endpointType, body.uri, []);
    const created = await this.repo.transaction(async (tx) =>
      this.repo.createUpstream(tx, api.id, await this.instances.withTlsContext(tx, principal, api, body, ['tlsContext'])),
    );
    return upstreamView(created);
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
    const updated = await this.repo.transaction((tx) => this.instances.updateUpstream(tx, principal, api, rawId, body, []));
    return upstreamView(updated);
  }

  async delete(organizationId: string, environmentId: string, rawApiId: string, rawId: string): Promise<void> {
    const api = await this.instances.find(organizationId, environmentId, rawApiId);
    const upstream = await this.instances.findUpstream(api, rawId);
    const routes = await this.repo.deleteUnusedUpstream(upstream.id);
    if (routes.length) {
      throw new DomainError(
        'UPSTREAM_IN_USE',
        `Upstream ${upstream.id} is used by routing[${routes.join('], routing[')}] of API ${api.id}; change the routing first`,
      );
    }
  }
}
