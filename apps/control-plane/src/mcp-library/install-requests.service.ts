/**
 * Install requests (issue 20, seed 003 "Request MCP installs when install permission is not
 * available"): someone who can see an environment (View APIs Configuration) asks for a library
 * entry to be installed there; someone with Approve MCP Install Requests approves it, which
 * installs it as the approver, or rejects it with a comment.
 *
 * Contract:
 * - Filing validates the inputs as an install does, except that required secrets may be left
 *   for the approver. Secret inputs are sealed (SecretBox) into `sealedSecrets` and never
 *   answered; the answer names them.
 * - Approvers see every request of the environment; anyone else sees only their own (another's
 *   is a 404, like a missing one).
 * - Approving installs with the request's inputs, the sealed secrets and what the approver adds
 *   (theirs win). A failed install leaves the request pending and answers the install's error.
 *   Deciding a decided request is a 409; when a rejection or another approval lands while an
 *   approval installs, the later install is removed again and answered 409. Any error after the
 *   install (recording the decision, its audit record) removes the install too: an approval
 *   either installs and records, or leaves neither.
 *
 * Audit: filing is a `create` of an `mcp-install-request`; deciding an `approve` or `reject`
 * (the install records its own changes).
 */
import { Injectable } from '@nestjs/common';
import { AccessService, isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { SecretBox } from '../common/secret-box.js';
import { GatewayTargetsService } from '../gateway-targets/gateway-targets.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import { BackendComposerService, type EnvironmentRef } from './backend-composer.service.js';
import { type InstallInputs, mergeInputs, resolveInstall, splitSecretInputs } from './install-inputs.js';
import type { ApproveRequestBody, FileRequestBody, ListRequestsQuery, RejectRequestBody } from './mcp-library.dto.js';
import { McpLibraryRepository, type RequestDecision } from './mcp-library.repository.js';
import { McpLibraryService } from './mcp-library.service.js';
import { assertResolved, McpInstallsService } from './mcp-installs.service.js';
import {
  type RequestRecord,
  requestView,
  type RequestView,
  storedActorId,
  type StoredRequestInputs,
} from './mcp-library.view.js';

type SecretInputs = Required<Pick<InstallInputs, 'variables' | 'headers'>>;

function names(inputs: SecretInputs): string[] {
  return [
    ...Object.keys(inputs.variables).map((n) => `variables.${n}`),
    ...Object.keys(inputs.headers).map((n) => `headers.${n}`),
  ];
}

function notFound(id: string): DomainError {
  return new DomainError('MCP_INSTALL_REQUEST_NOT_FOUND', `Install request ${id} not found`);
}

@Injectable()
export class InstallRequestsService {
  constructor(
    private readonly repo: McpLibraryRepository,
    private readonly library: McpLibraryService,
    private readonly installs: McpInstallsService,
    private readonly composer: BackendComposerService,
    private readonly targets: GatewayTargetsService,
    private readonly access: AccessService,
    private readonly secrets: SecretBox,
    private readonly audit: AuditTrailService,
  ) {}

  async file(principal: Principal, where: EnvironmentRef, body: FileRequestBody): Promise<RequestView> {
    const entry = await this.library.find(where.orgId, body.entryId);
    await this.targets.getTarget(where.orgId, where.envId, body.targetId);
    const { index, missingSecrets } = assertResolved(resolveInstall(entry.server, body, { allowMissingSecrets: true }));
    const { plain, secret } = splitSecretInputs(entry.server, index, body);
    const sealed = names(secret);
    const inputs: StoredRequestInputs = {
      ...(body.instanceLabel !== undefined && { instanceLabel: body.instanceLabel }),
      ...(body.proxyUri !== undefined && { proxyUri: body.proxyUri }),
      remote: index,
      variables: plain.variables,
      headers: plain.headers,
      sealed,
      missingSecrets,
    };
    const view = await this.repo.transaction(async (tx) => {
      const created = requestView(
        await this.repo.createRequest(tx, {
          organizationId: where.orgId,
          environmentId: where.envId,
          entryId: entry.id,
          entryName: entry.server.name,
          entryVersion: entry.server.version,
          targetId: body.targetId,
          inputs: inputs as Prisma.InputJsonObject,
          sealedSecrets: sealed.length ? this.secrets.seal(JSON.stringify(secret)) : null,
          reason: body.reason,
          requestedBy: storedActorId(principal),
          requestedByName: principal.name,
        }),
      );
      await this.record(tx, where, 'create', created, { after: created });
      return created;
    });
    return view;
  }

  /** Approvers: every request of the environment; others: their own. Newest first. */
  async list(principal: Principal, where: EnvironmentRef, query: ListRequestsQuery) {
    const approver = await this.assertMayRead(principal, where);
    const { total, rows } = await this.repo.findRequests(
      {
        organizationId: where.orgId,
        environmentId: where.envId,
        status: query.status,
        ...(!approver && { requestedBy: storedActorId(principal) }),
      },
      { skip: query.offset, take: query.limit },
    );
    return { total, data: rows.map(requestView) };
  }

  async get(principal: Principal, where: EnvironmentRef, id: string): Promise<RequestView> {
    const approver = await this.assertMayRead(principal, where);
    const request = await this.find(where, id);
    if (!approver && request.requestedBy !== storedActorId(principal)) throw notFound(id);
    return requestView(request);
  }

  /** Installs the request's entry as `principal` (see the header); answers the request and the install. */
  async approve(principal: Principal, where: EnvironmentRef, id: string, body: ApproveRequestBody) {
    const request = this.assertPending(await this.find(where, id));
    const stored = (request.inputs ?? {}) as StoredRequestInputs;
    const sealed = request.sealedSecrets ? (JSON.parse(this.secrets.open(request.sealedSecrets)) as SecretInputs) : undefined;
    const inputs = mergeInputs(
      mergeInputs({ remote: stored.remote, variables: stored.variables, headers: stored.headers }, sealed ?? {}),
      { variables: body.variables, headers: body.headers },
    );
    const composed = await this.installs.install(principal, where, {
      ...inputs,
      entryId: request.entryId,
      targetId: request.targetId,
      instanceLabel: stored.instanceLabel,
      proxyUri: stored.proxyUri,
    });
    try {
      const decided = await this.decide(principal, where, request, {
        status: 'approved',
        decidedBy: storedActorId(principal),
        decidedByName: principal.name,
        comment: body.comment ?? null,
        apiId: composed.apiId,
      });
      if (!decided) throw this.alreadyDecided(await this.find(where, id));
      return { ...decided, install: composed };
    } catch (err) {
      // the request stays pending (or another's decision stands): the install must not outlive it
      await this.composer.undo(principal, where, composed);
      throw err;
    }
  }

  async reject(principal: Principal, where: EnvironmentRef, id: string, body: RejectRequestBody): Promise<RequestView> {
    const request = this.assertPending(await this.find(where, id));
    const decided = await this.decide(principal, where, request, {
      status: 'rejected',
      decidedBy: storedActorId(principal),
      decidedByName: principal.name,
      comment: body.comment,
      apiId: null,
    });
    if (!decided) throw this.alreadyDecided(await this.find(where, id));
    return decided;
  }

  /** Records the decision if the request is still pending; null when it is not. */
  private decide(principal: Principal, where: EnvironmentRef, request: RequestRecord, decision: RequestDecision) {
    return this.repo.transaction(async (tx) => {
      const row = await this.repo.decideRequest(tx, request.id, decision);
      if (!row) return null;
      const after = requestView(row);
      await this.record(tx, where, decision.status === 'approved' ? 'approve' : 'reject', after, {
        before: requestView(request),
        after,
      });
      return after;
    });
  }

  private assertPending(request: RequestRecord): RequestRecord {
    if (request.status !== 'pending') throw this.alreadyDecided(request);
    return request;
  }

  private alreadyDecided(request: RequestRecord): DomainError {
    return new DomainError(
      'MCP_INSTALL_REQUEST_ALREADY_DECIDED',
      `Install request ${request.id} is already ${request.status}${request.decidedByName ? ` by ${request.decidedByName}` : ''}`,
    );
  }

  private async find(where: EnvironmentRef, id: string): Promise<RequestRecord> {
    const request = isUuid(id)
      ? await this.repo.findRequest({ organizationId: where.orgId, environmentId: where.envId, id })
      : null;
    if (!request) throw notFound(id);
    return request;
  }

  /** Whether `principal` approves here; 403 unless it approves or views the environment's APIs. */
  private async assertMayRead(principal: Principal, where: EnvironmentRef): Promise<boolean> {
    const check = { organizationId: where.orgId, environmentId: where.envId };
    if (await this.access.hasScope(principal, { ...check, scope: 'approve:mcp_install_requests' })) return true;
    await this.access.assertScope(principal, { ...check, scope: 'read:api_configuration' });
    return false;
  }

  private record(
    tx: Tx,
    where: EnvironmentRef,
    action: 'create' | 'approve' | 'reject',
    request: RequestView,
    change: { before?: RequestView; after?: RequestView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: where.orgId,
      environmentId: where.envId,
      action,
      resource: { type: 'mcp-install-request', id: request.id, name: `${request.entry.name}@${request.entry.version}` },
      ...change,
    });
  }
}
