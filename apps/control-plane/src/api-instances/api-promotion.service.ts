/**
 * API promotion (anypoint-cli's `api promote`: POST .../apis with `promote{}` and no `spec`): the
 * instance `originApiId` of another environment of the organization is copied into the route's
 * environment, in one transaction.
 *
 * What is copied: the asset, technology, endpoint and listener settings, the routing with its
 * upstreams, and (unless their `allEntities` is false) the applied policies in their order and
 * mode, with policies bound to upstreams bound to the copies, the SLA tiers and the alerts (a
 * policy-violation alert only with the policies it watches).
 * What is not: the deployment (the copy is deployed to a gateway target of its own environment,
 * as in API Manager), contracts, API keys and learned tool pins (they belong to consumers and
 * traffic of the origin's environment), and TLS context references: a TLS context is a secret
 * of its environment. Upstreams lose theirs (the gateway then verifies with its default CAs),
 * and an origin that serves https (a listener TLS context) is refused with 409, since the copy
 * could not listen.
 */
import { Injectable } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import { PolicyTemplatesService } from '../policies/policy-templates.service.js';
import { policyView } from '../policies/policy.view.js';
import { tierView } from '../sla-tiers/sla-tier.view.js';
import { instanceView } from './api-instance.view.js';
import type { PromoteApiBody, RouteRules } from './api-instances.dto.js';
import { ApiInstancesRepository } from './api-instances.repository.js';

@Injectable()
export class ApiPromotionService {
  constructor(
    private readonly repo: ApiInstancesRepository,
    private readonly audit: AuditTrailService,
    private readonly alerts: AlertsService,
    private readonly access: AccessService,
    private readonly templates: PolicyTemplatesService,
  ) {}

  async promote(principal: Principal, organizationId: string, environmentId: string, body: PromoteApiBody) {
    const { originApiId } = body.promote;
    const copies = (part: 'policies' | 'tiers' | 'alerts') => body.promote[part]?.allEntities !== false;
    const master = await this.repo.rootOrganizationId(organizationId);
    return this.repo.transaction(async (tx) => {
      const origin = await this.repo.findInOrganization(organizationId, originApiId, tx);
      if (!origin) throw new DomainError('API_NOT_FOUND', `API instance ${originApiId} not found`);
      if (origin.environmentId === environmentId) {
        throw new DomainError(
          'API_PROMOTION_SAME_ENVIRONMENT',
          `promote.originApiId: API instance ${originApiId} is already in this environment; promote it from another one`,
        );
      }
      // the copy shows the origin's configuration: whoever promotes must be allowed to read it
      await this.access.assertScope(principal, {
        scope: 'read:api_configuration',
        organizationId,
        environmentId: origin.environmentId,
      });
      if (origin.inboundTlsId) {
        throw new DomainError(
          'API_PROMOTION_NEEDS_TLS_CONTEXT',
          `API instance ${originApiId} serves ${origin.proxyUri} with a TLS context of its environment (endpoint.tlsContexts.inbound), which is not promoted: create the TLS context in this environment, then create the instance with it`,
        );
      }
      const api = await this.repo.create(tx, {
        organizationId,
        environmentId,
        groupId: origin.groupId,
        assetId: origin.assetId,
        assetVersion: origin.assetVersion,
        productVersion: origin.productVersion,
        technology: origin.technology,
        instanceLabel: body.instanceLabel ?? origin.instanceLabel,
        description: origin.description,
        tags: origin.tags,
        approvalMethod: origin.approvalMethod,
        providerId: body.providerId ?? origin.providerId,
        endpointUri: origin.endpointUri,
        endpointType: origin.endpointType,
        deploymentType: origin.deploymentType,
        upstreamUri: origin.upstreamUri,
        proxyUri: origin.proxyUri,
        proxyPort: origin.proxyPort,
        proxyBasePath: origin.proxyBasePath,
        isCloudHub: origin.isCloudHub,
        muleVersion4OrAbove: origin.muleVersion4OrAbove,
        referencesUserDomain: origin.referencesUserDomain,
        responseTimeout: origin.responseTimeout,
        proxyTemplate: origin.proxyTemplate as object | null,
        validation: origin.validation,
        proxyRegistrationUri: origin.proxyRegistrationUri,
      });
      const upstreamIds = await this.copyRouting(tx, origin.id, api.id);
      const created = instanceView((await this.repo.findApi(organizationId, environmentId, api.id, tx))!, master);
      await this.audit.record(tx, {
        organizationId,
        environmentId,
        action: 'create',
        resource: { type: 'api-instance', id: api.id, name: created.instanceLabel ?? created.assetId },
        after: created,
      });
      const target = { apiId: api.id, organizationId, environmentId };
      const policyIds = copies('policies') ? await this.copyPolicies(tx, origin.id, target, upstreamIds, master) : new Map();
      if (copies('tiers')) await this.copyTiers(tx, origin.id, target, master);
      // a policy-violation alert follows its policies: without their copies it is not copied
      if (copies('alerts')) await this.alerts.copyForPromotion(tx, origin.id, api, policyIds);
      return created;
    });
  }

  /** Copies every upstream and route of `fromApiId`; answers the copy of each upstream id. */
  private async copyRouting(tx: Tx, fromApiId: number, toApiId: number): Promise<Map<string, string>> {
    const upstreamIds = new Map<string, string>();
    for (const upstream of await this.repo.findUpstreams(fromApiId, tx)) {
      const copy = await this.repo.createUpstream(tx, toApiId, { uri: upstream.uri, label: upstream.label });
      upstreamIds.set(upstream.id, copy.id);
    }
    const routes = await tx.apiRoute.findMany({
      where: { apiId: fromApiId },
      orderBy: { position: 'asc' },
      include: { upstreams: { orderBy: { upstreamId: 'asc' } } },
    });
    await this.repo.replaceRoutes(
      tx,
      toApiId,
      routes.map((route) => ({
        label: route.label,
        rules: route.rules as RouteRules | null,
        upstreams: route.upstreams.map((u) => ({ id: upstreamIds.get(u.upstreamId)!, weight: u.weight })),
      })),
    );
    return upstreamIds;
  }

  /** Copies the applied policies of `fromApiId` in their order; answers the copy of each policy id. */
  private async copyPolicies(
    tx: Tx,
    fromApiId: number,
    target: Target,
    upstreamIds: Map<string, string>,
    master: string,
  ): Promise<Map<number, number>> {
    const policyIds = new Map<number, number>();
    const policies = await tx.appliedPolicy.findMany({ where: { apiId: fromApiId }, orderBy: { order: 'asc' } });
    for (const policy of policies) {
      const copy = await tx.appliedPolicy.create({
        data: {
          ...target,
          templateId: policy.templateId,
          groupId: policy.groupId,
          assetId: policy.assetId,
          assetVersion: policy.assetVersion,
          // sensitive values stay sealed: the secret key is the control plane's, not the environment's
          configurationData: policy.configurationData as Prisma.InputJsonValue,
          pointcutData: (policy.pointcutData ?? undefined) as Prisma.InputJsonValue | undefined,
          order: policy.order,
          disabled: policy.disabled,
          mode: policy.mode,
          label: policy.label,
          upstreamIds: policy.upstreamIds.map((id) => upstreamIds.get(id)!),
        },
      });
      policyIds.set(policy.id, copy.id);
      const view = policyView(copy, this.templates.definitionOf(copy), master);
      await this.audit.record(tx, {
        organizationId: target.organizationId,
        environmentId: target.environmentId,
        action: 'create',
        resource: { type: 'policy', id: copy.id, name: copy.label ?? copy.assetId },
        after: view,
      });
    }
    return policyIds;
  }

  private async copyTiers(tx: Tx, fromApiId: number, target: Target, master: string) {
    const tiers = await tx.slaTier.findMany({ where: { apiId: fromApiId }, orderBy: { id: 'asc' } });
    for (const tier of tiers) {
      const copy = await tx.slaTier.create({
        data: {
          ...target,
          name: tier.name,
          description: tier.description,
          status: tier.status,
          autoApprove: tier.autoApprove,
          limits: tier.limits as Prisma.InputJsonValue,
        },
      });
      await this.audit.record(tx, {
        organizationId: target.organizationId,
        environmentId: target.environmentId,
        action: 'create',
        resource: { type: 'sla-tier', id: copy.id, name: copy.name },
        after: tierView({ ...copy, _count: { contracts: 0 } }, master),
      });
    }
  }
}

interface Target {
  apiId: number;
  organizationId: string;
  environmentId: string;
}
