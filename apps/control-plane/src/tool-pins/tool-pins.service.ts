/**
 * Tool-definition pinning (issue 8, mcp-tool-pinning): the definitions an instance's gateways
 * pass, and the changes they saw.
 *
 * Gateways report a definition (over the sync stream) when it is not the pinned one. The first
 * report of a tool without a pin pins it (trust on first use) unless the reporting policy has
 * `approveNewTools`; any other report is recorded once per definition as a pending change with
 * an RFC 6902 diff from the pinned definition, for an operator to approve (the pin moves to it
 * and is pushed to the gateways) or reject (the tool stays hidden while the upstream serves it).
 * A report is accepted only for an API deployed to the reporting gateway's target and a pinning
 * policy of that API, and only when the definition hashes to the reported hash.
 *
 * Audit: an operator's decisions are recorded: approving or rejecting a change (the change as
 * listed), the pin an approval moves (`create` or `update`), and unpinning (`delete`). A pin is
 * named `<apiId>/<toolName>`. What gateways report is not: no one made that change.
 */
import { pinnedToolDefinition } from '#portico/mcp-jsonrpc';
import { Injectable } from '@nestjs/common';
import jsonPatch from 'fast-json-patch';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import { parseIntegerId } from '../common/integer-id.js';
import type { Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { ApiRef } from '../policies/policies.service.js';
import { ToolPinsRepository } from './tool-pins.repository.js';

/** A tool definition a gateway replica reported (sync.proto ToolDefinitionReport with its PolicyReport). */
export interface ToolDefinitionReported {
  targetId: string;
  replicaId: string;
  apiId: string;
  policyId: string;
  name: string;
  sha256: string;
  definitionJson: string;
}

const POLICY = 'mcp-tool-pinning';
const MAX_DEFINITION_BYTES = 256 * 1024;
const MAX_NAME_LENGTH = 256;
/** Pending changes kept per instance; reports beyond are dropped (and logged) until some are decided. */
const MAX_PENDING = 1000;

type PinRow = Awaited<ReturnType<ToolPinsRepository['listPins']>>[number];
type ChangeRow = Awaited<ReturnType<ToolPinsRepository['listChanges']>>[number];

function pinView(pin: PinRow) {
  return {
    toolName: pin.toolName,
    sha256: pin.sha256,
    definition: pin.definition,
    source: pin.source,
    approvedBy: pin.approvedBy,
    createdAt: pin.createdAt.toISOString(),
    updatedAt: pin.updatedAt.toISOString(),
  };
}

type PinView = ReturnType<typeof pinView>;

function changeView(change: ChangeRow) {
  return {
    id: change.id,
    toolName: change.toolName,
    status: change.status,
    sha256: change.sha256,
    definition: change.definition,
    previousSha256: change.previousSha256,
    previousDefinition: change.previousDefinition,
    diff: change.diff,
    reportedBy: { gatewayId: change.reportedByTarget, replicaId: change.reportedByReplica },
    detectedAt: change.detectedAt.toISOString(),
    decidedAt: change.decidedAt?.toISOString() ?? null,
    decidedBy: change.decidedBy,
  };
}

@Injectable()
export class ToolPinsService {
  constructor(
    private readonly repo: ToolPinsRepository,
    private readonly audit: AuditTrailService,
  ) {}

  async listPins(ref: ApiRef) {
    await this.requireApi(ref);
    const pins = await this.repo.listPins(ref.apiId);
    return { total: pins.length, pins: pins.map(pinView) };
  }

  async listChanges(ref: ApiRef, status: string | undefined) {
    await this.requireApi(ref);
    const changes = await this.repo.listChanges(ref.apiId, status);
    return { total: changes.length, changes: changes.map(changeView) };
  }

  /** Pins the change's definition (pushed to the gateways) and marks the change approved. */
  approve(ref: ApiRef, changeId: number, principal: Principal) {
    return this.decide(ref, changeId, principal, 'approved');
  }

  /** Marks the change rejected; the pin stays, so gateways keep the tool hidden while it differs. */
  reject(ref: ApiRef, changeId: number, principal: Principal) {
    return this.decide(ref, changeId, principal, 'rejected');
  }

  /** Forgets a pin: the next definition a gateway sees is treated as a first sight. */
  async unpin(ref: ApiRef, toolName: string): Promise<void> {
    await this.requireApi(ref);
    await this.repo.withApiLock(ref.apiId, async (tx) => {
      const pin = await this.repo.findPin(tx, ref.apiId, toolName);
      if (!pin || !(await this.repo.deletePin(tx, ref.apiId, toolName))) {
        throw new DomainError(
          'TOOL_PIN_NOT_FOUND',
          `Tool ${JSON.stringify(toolName)} is not pinned on API instance ${ref.apiId}`,
        );
      }
      await this.recordPin(tx, ref, 'delete', toolName, { before: pinView(pin) });
    });
  }

  /** Records a gateway's report; resolves to why it was dropped, or undefined when it was taken. */
  async recordReport(report: ToolDefinitionReported): Promise<string | undefined> {
    const apiId = parseIntegerId(report.apiId);
    const policyId = parseIntegerId(report.policyId);
    if (apiId === undefined || policyId === undefined) return 'api_id and policy_id must be numeric ids';
    if (report.name.length === 0 || report.name.length > MAX_NAME_LENGTH)
      return `name must be 1 to ${MAX_NAME_LENGTH} characters`;
    if (Buffer.byteLength(report.definitionJson) > MAX_DEFINITION_BYTES) return 'definition_json is larger than 256 KiB';
    let parsed: unknown;
    try {
      parsed = JSON.parse(report.definitionJson);
    } catch {
      return 'definition_json is not JSON';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'definition_json must be an object';
    const { definition, sha256 } = pinnedToolDefinition(parsed as Record<string, unknown>);
    if (definition.name !== report.name) return 'definition_json names another tool';
    if (sha256 !== report.sha256) return 'sha256 does not match definition_json';
    const policy = await this.repo.findReportingPolicy(report.targetId, apiId, policyId);
    if (policy?.assetId !== POLICY)
      return `policy ${report.policyId} is not a ${POLICY} policy of an API deployed to this gateway`;
    const approveNewTools = (policy.configurationData as { approveNewTools?: unknown }).approveNewTools === true;
    const json = definition as Prisma.InputJsonObject;
    return this.repo.withApiLock(apiId, async (tx) => {
      const pin = await this.repo.findPin(tx, apiId, report.name);
      if (pin?.sha256 === sha256) return undefined;
      if (!pin && !approveNewTools) {
        await this.repo.pin(tx, apiId, report.name, { sha256, definition: json, source: 'first-use', approvedBy: null });
        return undefined;
      }
      if (await this.repo.hasChange(tx, apiId, report.name, sha256)) return undefined;
      if ((await this.repo.countPendingChanges(tx, apiId)) >= MAX_PENDING)
        return `API instance ${apiId} already has ${MAX_PENDING} pending tool changes`;
      const previous = (pin?.definition ?? null) as Prisma.InputJsonObject | null;
      await this.repo.createChange(tx, {
        apiId,
        toolName: report.name,
        sha256,
        definition: json,
        previousSha256: pin?.sha256 ?? null,
        previousDefinition: previous,
        diff: jsonPatch.compare(previous ?? {}, definition) as unknown as Prisma.InputJsonArray,
        reportedByTarget: report.targetId,
        reportedByReplica: report.replicaId,
      });
      return undefined;
    });
  }

  private async decide(ref: ApiRef, changeId: number, principal: Principal, status: 'approved' | 'rejected') {
    await this.requireApi(ref);
    return this.repo.withApiLock(ref.apiId, async (tx) => {
      const change = await this.repo.findChange(tx, ref.apiId, changeId);
      if (!change) throw new DomainError('TOOL_CHANGE_NOT_FOUND', `Tool change ${changeId} not found`);
      if (change.status !== 'pending') {
        throw new DomainError(
          'TOOL_CHANGE_ALREADY_DECIDED',
          `Tool change ${changeId} (${change.toolName}) is already ${change.status}`,
        );
      }
      const decided = changeView(await this.repo.decideChange(tx, change.id, status, principal.name));
      await this.audit.record(tx, {
        organizationId: ref.orgId,
        environmentId: ref.envId,
        action: status === 'approved' ? 'approve' : 'reject',
        resource: { type: 'tool-change', id: change.id, name: change.toolName },
        before: changeView(change),
        after: decided,
      });
      if (status === 'approved') await this.movePin(tx, ref, change, principal);
      return decided;
    });
  }

  /** Pins the approved change's definition: a create or an update of the pin. */
  private async movePin(tx: Tx, ref: ApiRef, change: ChangeRow, principal: Principal): Promise<void> {
    const pinned = await this.repo.findPin(tx, ref.apiId, change.toolName);
    const pin = await this.repo.pin(tx, ref.apiId, change.toolName, {
      sha256: change.sha256,
      definition: change.definition as Prisma.InputJsonObject,
      source: 'approved',
      approvedBy: principal.name,
    });
    await this.recordPin(tx, ref, pinned ? 'update' : 'create', change.toolName, {
      ...(pinned && { before: pinView(pinned) }),
      after: pinView(pin),
    });
  }

  private recordPin(
    tx: Tx,
    ref: ApiRef,
    action: AuditAction,
    toolName: string,
    change: { before?: PinView; after?: PinView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: ref.orgId,
      environmentId: ref.envId,
      action,
      resource: { type: 'tool-pin', id: `${ref.apiId}/${toolName}`, name: toolName },
      ...change,
    });
  }

  private async requireApi(ref: ApiRef): Promise<void> {
    const api = await this.repo.findApi({ id: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${ref.apiId} not found`);
  }
}
