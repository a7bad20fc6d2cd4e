/**
 * Makes an MCP backend in one call (issue 20): the Exchange asset, the API instance, its policies
 * and its deployment (backend-plan.ts), for a library install and for a custom MCP alike.
 *
 * Every step goes through the feature's own service (ExchangePublicationService,
 * ApiInstancesService, PoliciesService, DeploymentsService), so their rules, secret handling
 * (upstream-credential values are encrypted by PoliciesService) and audit records apply as if the
 * caller had made each request. The install permission stands for the Exchange rights it implies
 * in the organization: the caller publishes (and, on failure, removes) the server's asset with
 * `create:exchange` there, whatever it holds itself.
 *
 * Contract: what can be checked is checked before the first write — the target exists in the
 * environment, the label is free, the listener (port + base path) is free on the target, the URL
 * can be an upstream. The steps themselves are separate transactions; when one fails, what the
 * call made is removed again (the instance, which takes its policies and deployment with it, then
 * an asset it published) and the step's error is answered. The deployment is made last, so
 * gateways never serve the instance without its whole policy chain.
 */
import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ApiInstancesService } from '../api-instances/api-instances.service.js';
import { createApiBody, listInstancesQuery } from '../api-instances/api-instances.dto.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import { deploymentBody } from '../deployments/deployments.dto.js';
import { parseProxyUri, type ProxyListener } from '../deployments/proxy-listener.js';
import { ExchangeAssetsService } from '../exchange/exchange-assets.service.js';
import { ExchangePublicationService } from '../exchange/exchange-publication.service.js';
import { GatewayTargetsService } from '../gateway-targets/gateway-targets.service.js';
import { PoliciesService } from '../policies/policies.service.js';
import { type BackendPlan, DEFAULT_LISTENER_PORT, policyBodies } from './backend-plan.js';
import { splitRemoteUrl } from './install-inputs.js';
import type { ComposedBackend } from './mcp-library.view.js';

/** The route's organization and environment. */
export interface EnvironmentRef {
  orgId: string;
  envId: string;
}

/** The asset attribute naming the server an asset was made for (BackendPlan.asset.marker). */
const MARKER = 'mcpServer';
/** How many numbered labels and base paths are tried before giving up. */
const MAX_SUFFIX = 100;

/** `principal` with `create:exchange` in `organizationId` (see the header). */
function withExchangeGrant(principal: Principal, organizationId: string): Principal {
  return { ...principal, grants: [...principal.grants, { scope: 'create:exchange', organizationId, environmentId: null }] };
}

function numbered(base: string, n: number, separator: string): string {
  return n === 1 ? base : `${base}${separator}${n}`;
}

function markerOf(attributes: unknown): string | undefined {
  return Array.isArray(attributes)
    ? (attributes as { key?: unknown; value?: unknown }[]).find((a) => a.key === MARKER)?.value?.toString()
    : undefined;
}

@Injectable()
export class BackendComposerService {
  private readonly logger = new Logger(BackendComposerService.name);

  constructor(
    private readonly targets: GatewayTargetsService,
    private readonly assets: ExchangeAssetsService,
    private readonly publication: ExchangePublicationService,
    private readonly instances: ApiInstancesService,
    private readonly policies: PoliciesService,
    private readonly deployments: DeploymentsService,
  ) {}

  /** Makes the backend `plan` describes in `where` (see the header). */
  async compose(principal: Principal, where: EnvironmentRef, plan: BackendPlan): Promise<ComposedBackend> {
    const actor = withExchangeGrant(principal, where.orgId);
    const target = await this.targets.getTarget(where.orgId, where.envId, plan.targetId);
    const split = splitRemoteUrl(plan.remoteUrl);
    if ('problem' in split) throw new DomainError('MCP_INSTALL_INPUT_INVALID', `The remote URL ${split.problem}`);
    const instanceLabel = await this.freeLabel(where, plan);
    const listener = await this.freeListener(where, target, plan);
    const proxyUri = `http://0.0.0.0:${listener.port}${listener.basePath}`;

    const made: { apiId?: number; asset?: { assetId: string; version: string } } = {};
    try {
      const asset = await this.findOrPublishAsset(actor, where.orgId, plan.asset);
      if (asset.created) made.asset = asset;
      const api = await this.instances.create(
        actor,
        where.orgId,
        where.envId,
        parseInput(
          createApiBody,
          {
            technology: 'flexGateway',
            spec: { groupId: where.orgId, assetId: asset.assetId, version: asset.version },
            instanceLabel,
            description: plan.description,
            tags: plan.tags,
            endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, uri: split.upstream, proxyUri },
          },
          'body',
        ),
      );
      made.apiId = api.id;
      const ref = { orgId: where.orgId, envId: where.envId, apiId: api.id };
      const policies = [];
      for (const body of policyBodies(plan)) {
        const policy = await this.policies.apply(ref, body, true);
        policies.push({ id: policy.id, assetId: policy.assetId, order: policy.order, label: policy.label });
      }
      const deployment = await this.deployments.create(
        where.orgId,
        where.envId,
        String(api.id),
        parseInput(
          deploymentBody,
          {
            type: 'HY',
            targetId: target.id,
            targetName: target.name,
            gatewayVersion: target.version,
            environmentId: where.envId,
          },
          'body',
        ),
      );
      return {
        apiId: api.id,
        instanceLabel,
        assetId: asset.assetId,
        assetVersion: asset.version,
        assetCreated: asset.created,
        deploymentId: deployment.id,
        policies,
        upstreamUri: split.upstream,
        remoteUrl: plan.remoteUrl,
        proxyUri,
        mcpPath: split.rest ? `${listener.basePath.replace(/\/$/, '')}/${split.rest}` : listener.basePath,
      };
    } catch (err) {
      await this.remove(actor, where, made);
      throw err;
    }
  }

  /** Removes what `compose` made (an install whose request was decided by someone else meanwhile). */
  async undo(principal: Principal, where: EnvironmentRef, composed: ComposedBackend): Promise<void> {
    await this.remove(withExchangeGrant(principal, where.orgId), where, {
      apiId: composed.apiId,
      ...(composed.assetCreated && { asset: { assetId: composed.assetId, version: composed.assetVersion } }),
    });
  }

  /** Best effort: each removal that fails is logged, and the others still run. */
  private async remove(
    actor: Principal,
    where: EnvironmentRef,
    made: { apiId?: number; asset?: { assetId: string; version: string } },
  ): Promise<void> {
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        this.logger.warn(
          `could not remove ${what} after a failed MCP install: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    };
    if (made.apiId !== undefined) {
      const apiId = made.apiId;
      await attempt(`API instance ${apiId}`, () => this.instances.delete(where.orgId, where.envId, String(apiId)));
    }
    if (made.asset) {
      const { assetId, version } = made.asset;
      await attempt(`asset ${where.orgId}/${assetId}/${version}`, () =>
        this.assets.deleteInOrganization(actor, where.orgId, { groupId: where.orgId, assetId, version }, 'hard-delete'),
      );
    }
  }

  /** The asset of `spec` in the organization's group: an earlier install's, or a new one. */
  private async findOrPublishAsset(
    actor: Principal,
    organizationId: string,
    spec: BackendPlan['asset'],
  ): Promise<{ assetId: string; version: string; created: boolean }> {
    const hash = createHash('sha256').update(spec.marker).digest('hex').slice(0, 8);
    const candidates = [spec.base, `${spec.base}-${hash}`];
    const reusable = async (assetId: string) => {
      const existing = await this.assets.findVisibleAsset(actor, organizationId, assetId, spec.version);
      return existing ? existing.type === 'mcp' && markerOf(existing.attributes) === spec.marker : undefined;
    };
    for (const assetId of candidates) {
      const found = await reusable(assetId);
      if (found) return { assetId, version: spec.version, created: false };
      if (found === false) continue;
      try {
        await this.publication.publish(
          actor,
          organizationId,
          {
            groupId: organizationId,
            assetId,
            version: spec.version,
            name: spec.name,
            type: 'mcp',
            description: spec.description,
            tags: ['mcp'],
            attributes: [{ key: MARKER, value: spec.marker }],
            categories: [],
            customFields: [],
            dependencies: [],
            status: 'published',
            files: [],
          },
          { where: 'body', recordRun: false },
        );
        return { assetId, version: spec.version, created: true };
      } catch (err) {
        // taken meanwhile (a concurrent install of the same server), or by a deleted version
        if (!(err instanceof DomainError && err.code === 'ASSET_PRE_CONDITIONS_FAILED')) throw err;
        if (await reusable(assetId)) return { assetId, version: spec.version, created: false };
      }
    }
    throw new DomainError(
      'ASSET_PRE_CONDITIONS_FAILED',
      `Exchange assets ${candidates.map((c) => `${organizationId}/${c}/${spec.version}`).join(' and ')} are taken by other servers`,
    );
  }

  private async labelTaken(where: EnvironmentRef, label: string): Promise<boolean> {
    const query = parseInput(listInstancesQuery, { instanceLabel: label, limit: '1' }, 'query');
    return (await this.instances.listInstances(where.orgId, where.envId, query)).total > 0;
  }

  /** The given label, free (409 otherwise), or the first free numbered label. */
  private async freeLabel(where: EnvironmentRef, plan: BackendPlan): Promise<string> {
    if (plan.instanceLabel !== undefined) {
      if (await this.labelTaken(where, plan.instanceLabel)) {
        throw new DomainError(
          'API_ALREADY_EXISTS',
          `An API instance with instanceLabel ${plan.instanceLabel} already exists in this environment`,
        );
      }
      return plan.instanceLabel;
    }
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const label = numbered(plan.labelBase, n, ' ');
      if (!(await this.labelTaken(where, label))) return label;
    }
    throw new DomainError(
      'API_ALREADY_EXISTS',
      `Instance labels ${plan.labelBase} to ${plan.labelBase} ${MAX_SUFFIX} are all taken; give instanceLabel`,
    );
  }

  /** The given listener, free on the target (409 otherwise), or port 8081 with the first free base path. */
  private async freeListener(
    where: EnvironmentRef,
    target: { id: string; name: string },
    plan: BackendPlan,
  ): Promise<ProxyListener> {
    const claimed = async (listener: ProxyListener) =>
      (await this.deployments.targetApis(where.orgId, where.envId, target.id, { port: listener.port, path: listener.basePath }))
        .instances[0];
    if (plan.proxyUri !== undefined) {
      const listener = parseProxyUri(plan.proxyUri);
      if (!listener)
        throw new DomainError('MCP_INSTALL_INPUT_INVALID', `proxyUri ${plan.proxyUri} is not http://<host>:<port>/<base path>`);
      const other = await claimed(listener);
      if (other) {
        throw new DomainError(
          'API_PROXY_CONFLICT',
          `Port ${listener.port} and base path ${listener.basePath} on target ${target.name} are already used by API instance ${other.id}`,
        );
      }
      return listener;
    }
    const base = `/${plan.asset.base}`;
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const listener = { port: DEFAULT_LISTENER_PORT, basePath: numbered(base, n, '-') };
      if (!(await claimed(listener))) return listener;
    }
    throw new DomainError(
      'API_PROXY_CONFLICT',
      `Base paths ${base} to ${base}-${MAX_SUFFIX} on port ${DEFAULT_LISTENER_PORT} of target ${target.name} are all taken; give proxyUri`,
    );
  }
}
