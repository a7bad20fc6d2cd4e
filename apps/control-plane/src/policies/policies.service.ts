/**
 * Policies applied to an API instance (contract §6).
 *
 * Every write runs in one transaction under the API's lock: the duplicate check, the insert and
 * the renumbering cannot interleave with another write, so order stays dense 1..n.
 * `configurationData` is validated against the template's gateway form (defaults filled), its
 * sensitive values are encrypted before storage and masked in every response; a write that
 * sends the mask back keeps the stored value.
 *
 * Audit: one record per policy a write changes, the policy as GET shows it (sensitive values
 * masked): the policy the request names (create, update, delete, enable, disable), and `reorder`
 * for every other policy whose order moved with it (and for each policy a bulk reorder moves).
 */
import {
  type ConfigurationIssue,
  formatConfigurationIssue,
  implementationGap,
  mapSensitive,
  type PolicyTemplateDefinition,
  SECRET_MASK,
  validateConfiguration,
} from '#portico/policy-catalog';
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { assertReadBack } from '../common/read-back.js';
import { validationError } from '../common/validation.js';
import type { ApplyPolicyBody, ReorderPoliciesBody, SimulatePolicyBody, UpdatePolicyBody } from './policies.dto.js';
import { simulatePolicies, type SimulationResult } from './policy-simulation.js';
import { policyConfigs } from '../config-sync/snapshot.js';
import { type ApiTarget, PoliciesRepository, type PolicyFields, type PolicyRow } from './policies.repository.js';
import { clampOrder, orderChanges, placeAt, reorder } from './policy-order.js';
import { PolicyTemplatesService } from './policy-templates.service.js';
import { compactPolicyView, policyView } from './policy.view.js';
import { SecretBox } from '../common/secret-box.js';
import { GatewayTargetsService } from '../gateway-targets/gateway-targets.service.js';

/** The route's `:orgId/:envId/:apiId`; AuthGuard has checked that the environment is in the organization. */
export interface ApiRef {
  orgId: string;
  envId: string;
  apiId: number;
}

const MISSING_COORDINATES =
  "The policy to be created is missing at least one of the following properties related to the policy template: 'groupId', 'assetId', 'assetVersion'.";

function pointer(path: readonly (string | number)[]): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function invalidConfiguration(issues: ConfigurationIssue[]): DomainError {
  return new DomainError(
    'POLICY_CONFIGURATION_INVALID',
    formatConfigurationIssue(issues[0]!),
    issues.map((i) => ({
      path: `/body/configurationData${pointer(i.path)}`,
      message: i.message,
      errorCode: `${i.keyword}.validation`,
    })),
  );
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    value,
  );
}

type PolicyView = ReturnType<typeof policyView>;

@Injectable()
export class PoliciesService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly templates: PolicyTemplatesService,
    private readonly secrets: SecretBox,
    private readonly targets: GatewayTargetsService,
    private readonly audit: AuditTrailService,
  ) {}

  /**
   * The template coordinates of an applied policy: the Exchange ones, or, for a body with only a
   * Mule 3 style `policyTemplateId` naming a template by asset id (`api-mgr policy apply <api>
   * rate-limiting`), that template's latest version.
   */
  private async coordinates(body: ApplyPolicyBody): Promise<{ groupId: string; assetId: string; assetVersion: string }> {
    const { groupId, assetId, assetVersion, policyTemplateId } = body;
    if (groupId && assetId && assetVersion) return { groupId, assetId, assetVersion };
    if (!groupId && !assetId && !assetVersion && typeof policyTemplateId === 'string' && !/^\d+$/.test(policyTemplateId)) {
      const { definition } = await this.templates.latest(policyTemplateId);
      return { groupId: definition.groupId, assetId: definition.assetId, assetVersion: definition.version };
    }
    throw new DomainError('POLICY_TEMPLATE_COORDINATES_MISSING', MISSING_COORDINATES);
  }

  async apply(ref: ApiRef, body: ApplyPolicyBody, allowDuplicated: boolean) {
    const { groupId, assetId, assetVersion } = await this.coordinates(body);
    const { apiId } = ref;
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return this.repo.withApiLock(apiId, async (tx) => {
      const api = await this.requireApi(ref, apiId, tx);
      const entry = await this.templates.resolve(groupId, assetId, assetVersion);
      this.assertImplemented(entry.definition, api);
      const configurationData = this.prepareConfiguration(entry.definition, body.configurationData ?? {});
      await this.checkFederationRoutes(assetId, configurationData, apiId, tx);
      if (!body.disabled) await this.assertEnforceable(tx, apiId, assetId);
      const upstreamIds = await this.checkUpstreams(apiId, body.upstreamIds ?? [], tx);
      if (!allowDuplicated) {
        const existing = await this.repo.findPolicyOfTemplate(tx, apiId, groupId, assetId);
        if (existing) {
          throw new DomainError(
            'POLICY_ALREADY_APPLIED',
            `Policy ${groupId}/${assetId} is already applied to API instance ${apiId} (policy ${existing.id}); add ?allowDuplicated=true to apply it again`,
          );
        }
      }
      const current = await this.repo.listPolicies(apiId, tx);
      const ids = current.map((p) => p.id);
      const order = clampOrder(body.order ?? undefined, ids.length + 1);
      const created = await this.repo.createPolicy(
        tx,
        { apiId, organizationId: ref.orgId, environmentId: ref.envId },
        {
          templateId: entry.id,
          groupId,
          assetId,
          assetVersion,
          configurationData,
          pointcutData: body.pointcutData ?? null,
          order,
          disabled: body.disabled ?? false,
          mode: body.mode ?? 'enforce',
          label: body.label ?? null,
          upstreamIds,
        },
      );
      await this.renumber(tx, ref, master, [...current, created], placeAt(ids, created.id, order), created.id);
      const after = this.view(await this.requirePolicy(apiId, created.id, tx), master);
      await this.record(tx, ref, 'create', after, { after });
      return after;
    });
  }

  /**
   * What the enabled policies would decide for a hypothetical MCP call and caller, policy by
   * policy (policy-simulation.ts): the gateway's code on the configuration gateways receive.
   */
  async simulate(ref: ApiRef, body: SimulatePolicyBody): Promise<SimulationResult> {
    const api = await this.repo.findPolicyChain({ id: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${ref.apiId} not found`);
    if (api.endpointType !== 'mcp') {
      throw new DomainError(
        'POLICY_SIMULATION_UNSUPPORTED',
        `API instance ${ref.apiId} is not an MCP server; the simulation takes MCP calls`,
      );
    }
    const policies = policyConfigs(api, (sealed) => this.secrets.open(sealed));
    const publicUrl = (api.endpointUri ?? api.proxyUri ?? '').replace(/\/+$/, '');
    return simulatePolicies({ id: String(api.id), name: api.instanceLabel ?? api.assetId, publicUrl }, policies, body);
  }

  /** `fullInfo` (default): enabled policies, compact, in an envelope; otherwise every policy in full. */
  async list(ref: ApiRef, fullInfo: boolean) {
    const { apiId } = ref;
    await this.requireApi(ref, apiId);
    const rows = await this.repo.listPolicies(apiId);
    if (fullInfo) {
      return { policies: rows.filter((r) => !r.disabled).map((r) => compactPolicyView(r, this.templates.definitionOf(r))) };
    }
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return rows.map((r) => policyView(r, this.templates.definitionOf(r), master));
  }

  async get(ref: ApiRef, policyId: number) {
    const { apiId } = ref;
    await this.requireApi(ref, apiId);
    return this.view(await this.requirePolicy(apiId, policyId), await this.repo.rootOrganizationId(ref.orgId));
  }

  async update(ref: ApiRef, policyId: number, body: UpdatePolicyBody) {
    const { apiId } = ref;
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return this.repo.withApiLock(apiId, async (tx) => {
      const api = await this.requireApi(ref, apiId, tx);
      const policy = await this.requirePolicy(apiId, policyId, tx);
      const newPolicy = 'apply a new policy to use another template';
      assertReadBack(
        body,
        { ...policy, policyTemplateId: policy.templateId, apiVersionId: policy.apiId },
        {
          id: null,
          apiVersionId: null,
          policyTemplateId: newPolicy,
          groupId: newPolicy,
          assetId: newPolicy,
        },
      );
      const previous = this.templates.definitionOf(policy);
      const changes: Partial<PolicyFields> = {};
      let definition = previous;
      if (body.assetVersion !== undefined && body.assetVersion !== policy.assetVersion) {
        const entry = await this.templates.resolve(policy.groupId, policy.assetId, body.assetVersion);
        this.assertImplemented(entry.definition, api);
        definition = entry.definition;
        Object.assign(changes, { templateId: entry.id, assetVersion: body.assetVersion });
      }
      if (body.configurationData !== undefined || definition !== previous) {
        changes.configurationData = this.prepareConfiguration(definition, body.configurationData, {
          definition: previous,
          configuration: policy.configurationData as Record<string, unknown>,
        });
        await this.checkFederationRoutes(policy.assetId, changes.configurationData, apiId, tx);
      }
      if (body.upstreamIds !== undefined) changes.upstreamIds = await this.checkUpstreams(apiId, body.upstreamIds, tx);
      if (body.label !== undefined) changes.label = body.label;
      if (body.pointcutData !== undefined) changes.pointcutData = body.pointcutData;
      if (body.disabled === false && policy.disabled) await this.assertEnforceable(tx, apiId, policy.assetId);
      if (body.disabled !== undefined) changes.disabled = body.disabled;
      if (body.mode !== undefined) changes.mode = body.mode;
      await this.repo.updatePolicy(tx, policy.id, changes);
      if (body.order !== undefined) {
        const current = await this.repo.listPolicies(apiId, tx);
        const ids = current.map((p) => p.id);
        await this.renumber(tx, ref, master, current, placeAt(ids, policy.id, body.order), policy.id);
      }
      const after = this.view(await this.requirePolicy(apiId, policyId, tx), master);
      await this.record(tx, ref, 'update', after, { before: this.view(policy, master), after });
      return after;
    });
  }

  async remove(ref: ApiRef, policyId: number): Promise<void> {
    const { apiId } = ref;
    const master = await this.repo.rootOrganizationId(ref.orgId);
    await this.repo.withApiLock(apiId, async (tx) => {
      await this.requireApi(ref, apiId, tx);
      const policy = await this.requirePolicy(apiId, policyId, tx);
      await this.repo.deletePolicy(tx, policy.id);
      const rest = await this.repo.listPolicies(apiId, tx);
      const ids = rest.map((p) => p.id);
      await this.renumber(tx, ref, master, rest, ids);
      const before = this.view(policy, master);
      await this.record(tx, ref, 'delete', before, { before });
    });
  }

  /** Bulk move: listed policies take their orders, the others keep their relative order. */
  async reorder(ref: ApiRef, moves: ReorderPoliciesBody) {
    const { apiId } = ref;
    const master = await this.repo.rootOrganizationId(ref.orgId);
    const rows = await this.repo.withApiLock(apiId, async (tx) => {
      await this.requireApi(ref, apiId, tx);
      const current = await this.repo.listPolicies(apiId, tx);
      const ids = current.map((p) => p.id);
      moves.forEach((move, i) => {
        if (!ids.includes(move.id))
          throw new DomainError('POLICY_NOT_FOUND', `Policy ${move.id} not found on API instance ${apiId}`);
        if (move.order > ids.length) {
          throw validationError([
            {
              path: `/body/${i}/order`,
              message: `must be at most ${ids.length}, the number of policies on API instance ${apiId}`,
            },
          ]);
        }
      });
      await this.renumber(tx, ref, master, current, reorder(ids, moves));
      return this.repo.listPolicies(apiId, tx);
    });
    return rows.map((r) => this.view(r, master));
  }

  async setDisabled(ref: ApiRef, policyId: number, disabled: boolean) {
    const { apiId } = ref;
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return this.repo.withApiLock(apiId, async (tx) => {
      await this.requireApi(ref, apiId, tx);
      const policy = await this.requirePolicy(apiId, policyId, tx);
      const after = this.view(await this.repo.updatePolicy(tx, policy.id, { disabled }), master);
      await this.record(tx, ref, disabled ? 'disable' : 'enable', after, { before: this.view(policy, master), after });
      return after;
    });
  }

  /**
   * Stores the dense order of `ids`, writing only the policies of `current` whose order changes,
   * and records each of them as reordered, except `subject`: the policy the request is about,
   * which its caller records.
   */
  private async renumber(
    tx: Tx,
    ref: ApiRef,
    master: string,
    current: PolicyRow[],
    ids: number[],
    subject?: number,
  ): Promise<void> {
    const changes = orderChanges(current, ids);
    await this.repo.setOrders(tx, changes);
    const moved = new Set(changes.map((c) => c.id).filter((id) => id !== subject));
    if (!moved.size) return;
    const now = new Map((await this.repo.listPolicies(ref.apiId, tx)).map((p) => [p.id, p]));
    for (const row of current.filter((p) => moved.has(p.id))) {
      const after = this.view(now.get(row.id)!, master);
      await this.record(tx, ref, 'reorder', after, { before: this.view(row, master), after });
    }
  }

  private view(row: PolicyRow, master: string): PolicyView {
    return policyView(row, this.templates.definitionOf(row), master);
  }

  private record(
    tx: Tx,
    ref: ApiRef,
    action: AuditAction,
    policy: PolicyView,
    change: { before?: PolicyView; after?: PolicyView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: ref.orgId,
      environmentId: ref.envId,
      action,
      resource: { type: 'policy', id: policy.id, name: policy.label ?? policy.assetId },
      ...change,
    });
  }

  private async requireApi(ref: ApiRef, apiId: number, tx?: Tx): Promise<ApiTarget> {
    const api = await this.repo.findApi({ id: apiId, organizationId: ref.orgId, environmentId: ref.envId }, tx);
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${apiId} not found`);
    return api;
  }

  private async requirePolicy(apiId: number, policyId: number, tx?: Tx): Promise<PolicyRow> {
    const policy = await this.repo.findPolicy(apiId, policyId, tx);
    if (!policy) throw new DomainError('POLICY_NOT_FOUND', `Policy ${policyId} not found`);
    return policy;
  }

  private assertImplemented(definition: PolicyTemplateDefinition, api: ApiTarget): void {
    const gap = implementationGap(definition, api);
    if (gap) throw new DomainError('POLICY_NOT_IMPLEMENTED', gap);
  }

  /** An enabled policy of a deployed API must be one its gateways implement (409 otherwise). */
  private async assertEnforceable(tx: Tx, apiId: number, assetId: string): Promise<void> {
    const targetId = await this.repo.deployedTargetId(tx, apiId);
    if (targetId) await this.targets.assertEnforceable(tx, targetId, [assetId]);
  }

  /** A federation's routes must name upstreams of the instance (by label), or the gateway could not serve it. */
  private async checkFederationRoutes(assetId: string, configuration: Record<string, unknown>, apiId: number, tx: Tx) {
    if (assetId !== 'mcp-transcoding-router') return;
    const routes = (configuration.routes ?? []) as { upstreamName: string }[];
    if (!routes.length) return;
    const names = await this.repo.upstreamNames(apiId, tx);
    const issues = routes.flatMap((route, i) =>
      names.includes(route.upstreamName)
        ? []
        : [
            {
              path: ['routes', i, 'upstreamName'],
              keyword: 'upstream',
              message: `no upstream of API instance ${apiId} is labelled ${JSON.stringify(route.upstreamName)} (its upstreams: ${names.join(', ')})`,
            },
          ],
    );
    if (issues.length) throw invalidConfiguration(issues);
  }

  private async checkUpstreams(apiId: number, requested: string[], tx: Tx): Promise<string[]> {
    const ids = [...new Set(requested)];
    if (!ids.length) return ids;
    const existing = await this.repo.existingUpstreamIds(apiId, ids, tx);
    const missing = ids.find((id) => !existing.has(id));
    if (missing) throw new DomainError('UPSTREAM_NOT_FOUND', `Upstream ${missing} not found on API instance ${apiId}`);
    return ids;
  }

  /**
   * Validated, defaults filled, secrets sealed. `input` undefined re-validates the stored
   * configuration (template version change); a masked secret takes the stored value.
   */
  private prepareConfiguration(
    definition: PolicyTemplateDefinition,
    input: Record<string, unknown> | undefined,
    stored?: { definition: PolicyTemplateDefinition; configuration: Record<string, unknown> },
  ): Record<string, unknown> {
    const previous = stored && mapSensitive(stored.definition, stored.configuration, (sealed) => this.secrets.open(sealed));
    const unmasked = mapSensitive(definition, input ?? previous ?? {}, (value, path) => {
      if (value !== SECRET_MASK) return value;
      const kept = valueAt(previous, path);
      if (typeof kept === 'string') return kept;
      throw invalidConfiguration([
        {
          path,
          keyword: 'x-sensitive',
          message: `is the mask ${SECRET_MASK} but no value is stored to keep; send the secret itself`,
        },
      ]);
    });
    const result = validateConfiguration(definition, unmasked);
    if (!result.valid) throw invalidConfiguration(result.issues);
    return mapSensitive(definition, result.configuration, (plain) => this.secrets.seal(plain));
  }
}
