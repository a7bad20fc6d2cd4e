/**
 * API alerts in their two dialects (legacy-alerts.dto.ts, monitoring-alerts.dto.ts). Each alert
 * is listed and shown in the dialect it was made in only, as API Manager's per-instance alerts
 * and Anypoint Monitoring's are separate products; both are evaluated alike (alert-evaluator.ts).
 *
 * Checks that need the database answer 400 naming the field: a member recipient (user id or
 * username) must be a user of the organization, a policy must be applied to the instance, a
 * webhook secret sent back masked must have a stored secret to keep. So does a webhook URL whose
 * host is an IP address PORTICO_OUTBOUND_DENY refuses; a name is checked when delivering
 * (webhook-sender.ts), as its addresses can change. An instance of another
 * organization or environment is a 404. Every change is recorded as GET shows the alert.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AddressPolicy } from '#portico/outbound-address';
import { SECRET_MASK } from '#portico/policy-catalog';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import type { ErrorDetail } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { assertReadBack } from '../common/read-back.js';
import { SecretBox } from '../common/secret-box.js';
import { ENV, type Env } from '../config/env.js';
import { parseInput, validationError } from '../common/validation.js';
import type { Alert } from '../generated/prisma/client.js';
import {
  type AlertDialect,
  apiName,
  type AlertInput,
  type AlertViewContext,
  type StoredRecipient,
  type StoredWebhook,
  storedRecipients,
  storedWebhooks,
} from './alert-definition.js';
import { copyAlerts, type CopiedAlerts } from './alert-copy.js';
import { type AlertColumns, type AlertScope, alertNotFound, AlertsRepository, apiNotFound } from './alerts.repository.js';
import { legacyAlertView, type LegacyAlertView } from './legacy-alert.view.js';
import {
  LEGACY_READ_ONLY,
  legacyAlertBody,
  type LegacyAlertBody,
  type LegacyAlertPatch,
  legacyInput,
  type ListLegacyAlertsQuery,
} from './legacy-alerts.dto.js';
import { monitoringAlertView } from './monitoring-alert.view.js';
import {
  type CreateMonitoringAlertQuery,
  type ListMonitoringAlertsQuery,
  MONITORING_READ_ONLY,
  type MonitoringAlertBody,
  monitoringInput,
} from './monitoring-alerts.dto.js';

/** An organization and environment (the monitoring routes' path). */
export interface EnvRef {
  orgId: string;
  envId: string;
}

/** An instance (the legacy routes' path). */
export interface ApiRef extends EnvRef {
  apiId: number;
}

const issue = (path: string, message: string): ErrorDetail => ({ path, message, errorCode: 'custom.validation' });

const readOnly = (fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, null]));

@Injectable()
export class AlertsService {
  /** PORTICO_OUTBOUND_DENY, for webhook URLs naming an IP address */
  private readonly outbound: AddressPolicy;

  constructor(
    private readonly repo: AlertsRepository,
    private readonly audit: AuditTrailService,
    private readonly secrets: SecretBox,
    @Inject(ENV) env: Env,
  ) {
    this.outbound = new AddressPolicy(env.PORTICO_OUTBOUND_DENY);
  }

  // ------------------------------------------------------------- legacy dialect (…/apis/{id}/alerts)

  async createLegacy(ref: ApiRef, body: LegacyAlertBody) {
    const api = await this.requireApi(ref);
    const columns = await this.columns(ref, 'legacy', legacyInput(body), null);
    await this.assertPolicyTemplate(ref.apiId, body);
    return this.repo.transaction(async (tx) => {
      const alert = await this.repo.create(tx, columns);
      const after = await this.legacyView(alert, apiName(api));
      await this.record(tx, 'create', alert, { after });
      return after;
    });
  }

  async listLegacy(ref: ApiRef, query: ListLegacyAlertsQuery) {
    const api = await this.requireApi(ref);
    const page = { ...query, orderBy: query.sort };
    const alerts = await this.repo.list(this.scope(ref, 'legacy', ref.apiId), page);
    const ctx = await this.viewContext(ref.orgId, alerts, apiName(api));
    return alerts.map((a) => legacyAlertView(a, ctx));
  }

  async getLegacy(ref: ApiRef, id: string) {
    const api = await this.requireApi(ref);
    const alert = await this.repo.find(id, this.scope(ref, 'legacy', ref.apiId));
    if (!alert) throw alertNotFound(id);
    return this.legacyView(alert, apiName(api));
  }

  /** Each field sent replaces the stored one; the result is checked as a whole alert. */
  async patchLegacy(ref: ApiRef, id: string, patch: LegacyAlertPatch) {
    const api = await this.requireApi(ref);
    return this.repo.transaction(async (tx) => {
      const current = await this.repo.lock(tx, id, this.scope(ref, 'legacy', ref.apiId));
      if (!current) throw alertNotFound(id);
      const before = await this.legacyView(current, apiName(api));
      assertReadBack(patch, before, readOnly(LEGACY_READ_ONLY));
      const written = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && !isLegacyReadOnly(k)));
      const merged = parseInput(legacyAlertBody, { ...writableLegacy(before), ...written }, 'body');
      const columns = await this.columns(ref, 'legacy', legacyInput(merged), current);
      await this.assertPolicyTemplate(ref.apiId, merged);
      const alert = await this.repo.update(tx, current, columns);
      const after = await this.legacyView(alert, apiName(api));
      await this.record(tx, 'update', alert, { before, after });
      return after;
    });
  }

  async removeLegacy(ref: ApiRef, id: string): Promise<void> {
    const api = await this.requireApi(ref);
    await this.remove(ref, id, 'legacy', (alert) => this.legacyView(alert, apiName(api)), ref.apiId);
  }

  // ------------------------------------------------------------- monitoring dialect (…/monitoring/api/alerts/api/v2)

  async createMonitoring(ref: EnvRef, query: CreateMonitoringAlertQuery, body: MonitoringAlertBody) {
    const apiId = body.resources[0]!.apiId;
    if (query.apiId !== undefined && query.apiId !== apiId) {
      throw validationError([issue('/query/apiId', `must be the API instance of resources[0].apiId (${apiId})`)]);
    }
    await this.requireApi({ ...ref, apiId });
    await this.assertMonitoringContext(ref, body);
    const columns = await this.columns({ ...ref, apiId }, 'monitoring', monitoringInput(body), null);
    return this.repo.transaction(async (tx) => {
      const alert = await this.repo.create(tx, columns);
      const after = await this.monitoringView(alert);
      await this.record(tx, 'create', alert, { after });
      return after;
    });
  }

  async listMonitoring(ref: EnvRef, query: ListMonitoringAlertsQuery) {
    if (query.apiId !== undefined) await this.requireApi({ ...ref, apiId: query.apiId });
    const page = { ...query, orderBy: query.sort };
    const alerts = await this.repo.list(this.scope(ref, 'monitoring', query.apiId), page);
    const ctx = await this.viewContext(ref.orgId, alerts, '');
    return alerts.map((a) => monitoringAlertView(a, ctx));
  }

  async getMonitoring(ref: EnvRef, id: string) {
    const alert = await this.repo.find(id, this.scope(ref, 'monitoring'));
    if (!alert) throw alertNotFound(id);
    return this.monitoringView(alert);
  }

  /** Replaces the alert; it stays on its instance. */
  async putMonitoring(ref: EnvRef, id: string, body: MonitoringAlertBody) {
    await this.assertMonitoringContext(ref, body);
    return this.repo.transaction(async (tx) => {
      const current = await this.repo.lock(tx, id, this.scope(ref, 'monitoring'));
      if (!current) throw alertNotFound(id);
      const before = await this.monitoringView(current);
      assertReadBack(body, before, readOnly(MONITORING_READ_ONLY));
      const apiId = body.resources[0]!.apiId;
      if (apiId !== current.apiId) {
        throw validationError([
          issue('/body/resources/0/apiId', `cannot be changed (it is ${current.apiId}); create an alert on the other instance`),
        ]);
      }
      const columns = await this.columns({ ...ref, apiId }, 'monitoring', monitoringInput(body), current);
      const alert = await this.repo.update(tx, current, columns);
      const after = await this.monitoringView(alert);
      await this.record(tx, 'update', alert, { before, after });
      return after;
    });
  }

  async removeMonitoring(ref: EnvRef, id: string): Promise<void> {
    await this.remove(ref, id, 'monitoring', (alert) => this.monitoringView(alert));
  }

  // ------------------------------------------------------------- shared

  /** Users of the organization, as `GET /accounts/api/organizations/{orgId}/members` lists them. */
  listMembers(orgId: string, page: { offset: number; limit: number }) {
    return this.repo.listMembers(orgId, page);
  }

  private async remove(
    ref: EnvRef,
    id: string,
    dialect: AlertDialect,
    view: (alert: Alert) => Promise<unknown>,
    apiId?: number,
  ): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const current = await this.repo.lock(tx, id, this.scope(ref, dialect, apiId));
      if (!current) throw alertNotFound(id);
      const before = await view(current);
      await this.repo.remove(tx, current.id);
      await this.record(tx, 'delete', current, { before });
    });
  }

  private scope(ref: EnvRef, dialect: AlertDialect, apiId?: number): AlertScope {
    return { organizationId: ref.orgId, environmentId: ref.envId, dialect, apiId };
  }

  private async requireApi(ref: ApiRef) {
    const api = await this.repo.findApi({ id: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId });
    if (!api) throw apiNotFound(ref.apiId);
    return api;
  }

  /** The `organizationId`, `environmentId` and `masterOrganizationId` a monitoring body may repeat. */
  private async assertMonitoringContext(ref: EnvRef, body: MonitoringAlertBody): Promise<void> {
    const details: ErrorDetail[] = [];
    if (body.organizationId !== undefined && body.organizationId !== ref.orgId) {
      details.push(issue('/body/organizationId', `must be the organization of the path (${ref.orgId})`));
    }
    if (body.environmentId !== undefined && body.environmentId !== ref.envId) {
      details.push(issue('/body/environmentId', `must be the environment of the path (${ref.envId})`));
    }
    if (body.masterOrganizationId !== undefined) {
      const root = await this.repo.rootOrganizationId(ref.orgId);
      if (body.masterOrganizationId !== root) {
        details.push(issue('/body/masterOrganizationId', `must be the root organization of the path's (${root})`));
      }
    }
    if (details.length) throw validationError(details);
  }

  /**
   * The columns of `input` for an alert of `ref`'s instance: members resolved to user ids,
   * policies checked, webhook URLs checked against PORTICO_OUTBOUND_DENY when they name an IP
   * address, webhook secrets sealed (the mask keeps the stored secret of the same URL).
   */
  private async columns(ref: ApiRef, dialect: AlertDialect, input: AlertInput, current: Alert | null): Promise<AlertColumns> {
    const details: ErrorDetail[] = [];
    const members = await this.repo.findMembers(
      ref.orgId,
      input.recipients.flatMap((r) => (r.type === 'member' ? [r.value] : [])),
    );
    const recipients = input.recipients.flatMap((r): StoredRecipient[] => {
      if (r.type === 'email') return [{ type: 'email', value: r.value }];
      const member = members.find((m) => m.id === r.value || m.username === r.value);
      if (!member) {
        details.push(issue(r.field, `"${r.value}" is not a user of organization ${ref.orgId} (an id or username)`));
        return [];
      }
      for (const name of ['firstName', 'lastName'] as const) {
        const sent = r.names?.[name];
        if (sent !== undefined && sent !== member[name]) {
          details.push(issue(r.field.replace(/value$/, name), `must be the user's ${name} ("${member[name]}") or left out`));
        }
      }
      return [{ type: 'user', value: member.id }];
    });
    const policyIds = input.policyIds.map((p) => p.id);
    const applied = new Set((await this.repo.appliedPolicies(ref.apiId, policyIds)).map((p) => p.id));
    for (const p of input.policyIds.filter((p) => !applied.has(p.id))) {
      details.push(issue(p.field, `policy ${p.id} is not applied to API instance ${ref.apiId}`));
    }
    const stored = current ? storedWebhooks(current) : [];
    const webhooks = input.webhooks.map((w): StoredWebhook => {
      const rule = this.outbound.deniedLiteral(new URL(w.url).hostname);
      if (rule !== undefined) {
        details.push(issue(w.urlField, `is an address webhooks may not be sent to (PORTICO_OUTBOUND_DENY: ${rule})`));
      }
      if (w.secret !== SECRET_MASK) return { url: w.url, secret: w.secret === null ? null : this.secrets.seal(w.secret) };
      const kept = stored.find((s) => s.url === w.url && s.secret !== null);
      if (!kept) details.push(issue(w.field, `is the mask ${SECRET_MASK} but no secret is stored for ${w.url}; send the secret`));
      return { url: w.url, secret: kept?.secret ?? null };
    });
    if (recipients.length === 0 && webhooks.length === 0 && details.length === 0) {
      const where = dialect === 'legacy' ? '/body/recipients' : '/body/notifications';
      details.push(issue(where, 'must name at least one recipient or webhook'));
    }
    if (details.length) throw validationError(details);
    return {
      apiId: ref.apiId,
      organizationId: ref.orgId,
      environmentId: ref.envId,
      dialect,
      name: input.name,
      enabled: input.enabled,
      severity: input.severity,
      metric: input.metric,
      operator: input.operator,
      threshold: input.threshold,
      periodUnit: input.periodUnit,
      periodCount: input.periodCount,
      repeat: input.repeat,
      responseCodes: input.responseCodes,
      policyIds: [...new Set(policyIds)],
      slowerThanMs: input.slowerThanMs,
      recipients: recipients as object[],
      webhooks: webhooks as object[],
      subject: input.subject,
      message: input.message,
      deploymentType: input.deploymentType,
    };
  }

  /** A legacy body's `policyTemplate` must name the template of its policy (it is derived from it). */
  private async assertPolicyTemplate(apiId: number, body: LegacyAlertBody): Promise<void> {
    const sent = body.policyTemplate;
    if (!sent || body.policyId === undefined) return;
    const [policy] = await this.repo.appliedPolicies(apiId, [body.policyId]);
    if (policy && (String(sent.id) !== policy.templateId || sent.name !== policy.templateName)) {
      throw validationError([
        issue(
          '/body/policyTemplate',
          `must be the template of policy ${policy.id} ({id: ${policy.templateId}, name: ${policy.templateName}}) or left out`,
        ),
      ]);
    }
  }

  private async legacyView(alert: Alert, name: string) {
    return legacyAlertView(alert, await this.viewContext(alert.organizationId, [alert], name));
  }

  private async monitoringView(alert: Alert) {
    return monitoringAlertView(alert, await this.viewContext(alert.organizationId, [alert], ''));
  }

  /**
   * API promotion (api-promotion.service.ts): copies the alerts of `fromApiId` to the promoted
   * instance `to` in the caller's transaction (alert-copy.ts) and records each copy as created.
   */
  async copyForPromotion(
    tx: Tx,
    fromApiId: number,
    to: { id: number; environmentId: string; instanceLabel: string | null; assetId: string },
    policyIds: ReadonlyMap<number, number>,
  ): Promise<CopiedAlerts> {
    const result = await copyAlerts(tx, fromApiId, to.id, to.environmentId, policyIds);
    for (const alert of result.copied) {
      const ctx = await this.viewContext(alert.organizationId, [alert], apiName(to), tx);
      const after = alert.dialect === 'legacy' ? legacyAlertView(alert, ctx) : monitoringAlertView(alert, ctx);
      await this.record(tx, 'create', alert, { after });
    }
    return result;
  }

  /**
   * What views of `alerts` (all of one organization; legacy ones of one instance, `apiName`) need;
   * `db` reads policies applied in a transaction not yet committed.
   */
  private async viewContext(orgId: string, alerts: readonly Alert[], name: string, db?: Tx): Promise<AlertViewContext> {
    const userIds = alerts.flatMap((a) => storedRecipients(a).flatMap((r) => (r.type === 'user' ? [r.value] : [])));
    const legacyPolicies = alerts.filter((a) => a.dialect === 'legacy').flatMap((a) => a.policyIds);
    const apiId = alerts[0]?.apiId;
    const [members, policies, masterOrganizationId] = await Promise.all([
      this.repo.membersById([...new Set(userIds)]),
      apiId === undefined ? [] : this.repo.appliedPolicies(apiId, legacyPolicies, db),
      this.repo.rootOrganizationId(orgId),
    ]);
    return {
      apiName: name,
      masterOrganizationId,
      members: new Map(members.map((m) => [m.id, m])),
      policyTemplates: new Map(policies.map((p) => [p.id, { id: p.templateId, name: p.templateName }])),
    };
  }

  private record(tx: Tx, action: AuditAction, alert: Alert, change: { before?: unknown; after?: unknown }) {
    return this.audit.record(tx, {
      organizationId: alert.organizationId,
      environmentId: alert.environmentId,
      action,
      resource: { type: 'alert', id: alert.id, name: alert.name },
      ...change,
    });
  }
}

function isLegacyReadOnly(key: string): boolean {
  return (LEGACY_READ_ONLY as readonly string[]).includes(key);
}

/** The fields of a legacy view a PATCH starts from (the ones a client may set). */
function writableLegacy(view: LegacyAlertView): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view).filter(([key]) => !isLegacyReadOnly(key)));
}
