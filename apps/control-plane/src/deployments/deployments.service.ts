/**
 * Deployments of API instances to gateway targets (contract §5).
 *
 * Contract: an API instance has at most one deployment. Deploying again answers 409 unless the
 * body says `overwrite: true`, which rewrites that deployment (same id) — possibly to another
 * target. On one target no two deployed instances may listen on the same port + base path. Every
 * check runs in the caller's transaction with the target row locked, so a rejected deployment
 * writes nothing and concurrent deployments cannot both claim a listener.
 *
 * Audit: deploying (POST, an instance's inline `deployment{}`, an overwrite) is recorded as
 * `deploy`, PATCH/PUT as `update`, DELETE as `undeploy`, the deployment as GET shows it.
 */
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { assertReadBack } from '../common/read-back.js';
import { isKnownGatewayVersion, KNOWN_GATEWAY_VERSIONS } from '#portico/gateway-release';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { type DeployableTarget, GatewayTargetsService } from '../gateway-targets/gateway-targets.service.js';
import { statusOnWrite, type ExpectedStatus } from './deployment-status.js';
import { deploymentView } from './deployment.view.js';
import type { DeploymentBody, DeploymentPatchBody, TargetApisQuery } from './deployments.dto.js';
import { type DeployableApi, DeploymentsRepository } from './deployments.repository.js';
import { parseIntegerId } from '../common/integer-id.js';

interface DeploymentSpec {
  targetId: string;
  gatewayVersion: string;
  environmentName: string | null;
  applicationName: string | null;
  expectedStatus: ExpectedStatus;
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly targets: GatewayTargetsService,
    private readonly audit: AuditTrailService,
  ) {}

  /** Deploys `api` in `tx` (POST .../deployments and the xapi instance's inline `deployment{}`). */
  async deploy(tx: Tx, api: DeployableApi, body: DeploymentBody) {
    const spec = resolveSpec(body, api.environmentId);
    const target = await this.targets.lockForDeployment(tx, api.organizationId, api.environmentId, spec.targetId);
    const existing = await this.repo.findByApi(api.id, tx);
    if (existing && body.overwrite !== true) {
      throw new DomainError(
        'DEPLOYMENT_ALREADY_EXISTS',
        `API ${api.id} is already deployed to target ${existing.targetName} (${existing.targetId}); send overwrite: true to redeploy or move it`,
      );
    }
    const deployment = await this.save(tx, api, target, spec, existing?.id);
    const after = deploymentView(deployment);
    await this.record(tx, 'deploy', api, after, { ...(existing && { before: deploymentView(existing) }), after });
    return deployment;
  }

  /** After `api`'s proxyUri changed in `tx`: its listener must still be free on the target it is deployed to. */
  async recheckListener(tx: Tx, api: DeployableApi): Promise<void> {
    const deployment = await this.repo.findByApi(api.id, tx);
    if (!deployment || deployment.expectedStatus !== 'deployed') return;
    const target = await this.targets.lockForDeployment(tx, api.organizationId, api.environmentId, deployment.targetId);
    await this.assertListenerFree(tx, api, target);
  }

  async create(organizationId: string, environmentId: string, rawApiId: string, body: DeploymentBody) {
    const deployment = await this.repo.transaction(async (tx) =>
      this.deploy(tx, await this.findApi(organizationId, environmentId, rawApiId, tx), body),
    );
    return deploymentView(deployment);
  }

  async list(organizationId: string, environmentId: string, rawApiId: string) {
    const api = await this.findApi(organizationId, environmentId, rawApiId);
    const deployment = await this.repo.findByApi(api.id);
    return deployment ? [deploymentView(deployment)] : [];
  }

  async get(organizationId: string, environmentId: string, rawApiId: string, rawId: string) {
    const api = await this.findApi(organizationId, environmentId, rawApiId);
    return deploymentView(await this.findDeployment(api, rawId));
  }

  /** Contract §5.2: `apiVersionStatus` is the API instance's status. */
  async status(organizationId: string, environmentId: string, rawApiId: string, rawId: string) {
    const api = await this.findApi(organizationId, environmentId, rawApiId);
    const deployment = await this.findDeployment(api, rawId);
    return {
      status: deployment.status,
      lastActiveDate: deployment.lastActiveDate?.toISOString() ?? null,
      apiVersionStatus: api.status,
      // why the gateway does not serve the API (its policy chain, its listener, its push)
      ...(deployment.status === 'failed' && { errorMessage: deployment.errorMessage }),
    };
  }

  /** PUT replaces the deployment with `body`; PATCH merges `body` over it. */
  async update(
    organizationId: string,
    environmentId: string,
    rawApiId: string,
    rawId: string,
    body: DeploymentPatchBody,
    replace: boolean,
  ) {
    return this.repo.transaction(async (tx) => {
      const api = await this.findApi(organizationId, environmentId, rawApiId, tx);
      const current = await this.findDeployment(api, rawId, tx);
      assertReadBack(body, deploymentView(current), READ_ONLY_FIELDS);
      const merged = replace
        ? body
        : {
            type: 'HY' as const,
            environmentId: current.environmentId,
            environmentName: current.environmentName,
            gatewayVersion: current.gatewayVersion,
            targetId: current.targetId,
            applicationName: current.applicationName,
            expectedStatus: current.expectedStatus as ExpectedStatus,
            ...withoutUndefined(body),
          };
      const spec = resolveSpec(merged, api.environmentId);
      const target = await this.targets.lockForDeployment(tx, api.organizationId, api.environmentId, spec.targetId);
      const after = deploymentView(await this.save(tx, api, target, spec, current.id));
      await this.record(tx, 'update', api, after, { before: deploymentView(current), after });
      return after;
    });
  }

  /** Removes the deployment: the API stops being served by its target. */
  async undeploy(organizationId: string, environmentId: string, rawApiId: string, rawId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const api = await this.findApi(organizationId, environmentId, rawApiId, tx);
      const deployment = await this.findDeployment(api, rawId, tx);
      await this.repo.delete(tx, deployment.id);
      const before = deploymentView(deployment);
      await this.record(tx, 'undeploy', api, before, { before });
    });
  }

  /** Contract §8.3: which instances listen on a target (empty `instances` = port + path free). */
  async targetApis(organizationId: string, environmentId: string, rawTargetId: string, query: TargetApisQuery) {
    const target = await this.targets.findLive(organizationId, environmentId, rawTargetId);
    const claims = await this.repo.proxyClaims(target.id, { port: query.port, basePath: query.path });
    return {
      instances: claims.map((c) => ({ id: c.id, port: String(c.proxyPort), path: c.proxyBasePath })),
      targetAllowsPortSharing: true,
    };
  }

  private async save(tx: Tx, api: DeployableApi, target: DeployableTarget, spec: DeploymentSpec, existingId: number | undefined) {
    if (api.technology !== 'flexGateway') {
      throw new DomainError(
        'DEPLOYMENT_INVALID',
        `API ${api.id} has technology ${api.technology}; only flexGateway instances can be deployed to a gateway target`,
      );
    }
    if (spec.expectedStatus === 'deployed') {
      await this.assertListenerFree(tx, api, target);
      await this.targets.assertEnforceable(tx, target.id, await this.repo.enabledPolicyTypes(tx, api.id));
    }
    const data = {
      environmentName: spec.environmentName,
      targetId: target.id,
      targetName: target.name,
      gatewayVersion: spec.gatewayVersion,
      expectedStatus: spec.expectedStatus,
      status: statusOnWrite(spec.expectedStatus),
      applicationName: spec.applicationName,
    };
    return existingId === undefined
      ? this.repo.create(tx, { ...data, apiId: api.id, organizationId: api.organizationId, environmentId: api.environmentId })
      : this.repo.update(tx, existingId, data);
  }

  private record(
    tx: Tx,
    action: AuditAction,
    api: DeployableApi,
    deployment: DeploymentView,
    change: { before?: DeploymentView; after?: DeploymentView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: api.organizationId,
      environmentId: api.environmentId,
      action,
      resource: { type: 'deployment', id: deployment.id, name: deployment.targetName },
      ...change,
    });
  }

  private async assertListenerFree(tx: Tx, api: DeployableApi, target: DeployableTarget): Promise<void> {
    if (api.proxyPort === null || api.proxyBasePath === null) {
      throw new DomainError(
        'DEPLOYMENT_INVALID',
        `API ${api.id} has no endpoint.proxyUri; set http(s)://<host>:<port>/<base path> before deploying it`,
      );
    }
    const [other] = await this.repo.proxyClaims(
      target.id,
      { port: api.proxyPort, basePath: api.proxyBasePath, exceptApiId: api.id },
      tx,
    );
    if (other) {
      throw new DomainError(
        'API_PROXY_CONFLICT',
        `Port ${api.proxyPort} and base path ${api.proxyBasePath} on target ${target.name} are already used by API instance ${other.id}`,
      );
    }
  }

  private async findApi(organizationId: string, environmentId: string, rawId: string, tx?: Tx): Promise<DeployableApi> {
    const id = parseIntegerId(rawId);
    const api = id === undefined ? null : await this.repo.findApi(organizationId, environmentId, id, tx);
    if (!api) throw new DomainError('API_NOT_FOUND', `API ${rawId} not found`);
    return api;
  }

  private async findDeployment(api: DeployableApi, rawId: string, tx?: Tx) {
    const id = parseIntegerId(rawId);
    const deployment = await this.repo.findByApi(api.id, tx);
    if (!deployment || deployment.id !== id)
      throw new DomainError('DEPLOYMENT_NOT_FOUND', `Deployment ${rawId} not found for API ${api.id}`);
    return deployment;
  }
}

type DeploymentView = ReturnType<typeof deploymentView>;

/** The HY rules, with Anypoint's exact messages (contract §5.1). */
/** What GET answers that a PATCH/PUT may send back unchanged (see deploymentPatchBody). */
const READ_ONLY_FIELDS = { id: null, apiId: null, applicationId: null, deploymentId: null, updatedDate: null, audit: null };

function resolveSpec(body: DeploymentPatchBody, environmentId: string): DeploymentSpec {
  if (!body.environmentId) throw invalid('Field environmentId is required for deployment type HY');
  if (!body.gatewayVersion) throw invalid('Field gatewayVersion is required for deployment type HY');
  if (!isKnownGatewayVersion(body.gatewayVersion)) {
    throw new DomainError('RUNTIME_VERSION_UNKNOWN', 'Policy implementations cannot be set because runtime version is unknown', [
      { path: '/body/gatewayVersion', message: `${body.gatewayVersion} is not one of ${KNOWN_GATEWAY_VERSIONS.join(', ')}` },
    ]);
  }
  if (body.environmentId !== environmentId) {
    throw invalid(`Field environmentId (${body.environmentId}) must be the environment of the request path (${environmentId})`);
  }
  const targetId = body.targetId ?? body.target?.targetId;
  if (!targetId) throw invalid('Field targetId is required for deployment type HY');
  return {
    targetId,
    gatewayVersion: body.gatewayVersion,
    environmentName: body.environmentName ?? null,
    applicationName: body.applicationName ?? null,
    expectedStatus: body.expectedStatus ?? 'deployed',
  };
}

function invalid(message: string): DomainError {
  return new DomainError('DEPLOYMENT_INVALID', message);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
