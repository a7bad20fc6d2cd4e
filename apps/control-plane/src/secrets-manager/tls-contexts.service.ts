/**
 * TLS contexts of a secret group: what a gateway uses toward an upstream that references one
 * (seed 000 "Outbound TLS"): trusted CAs, a client certificate with its key, SNI, skip-verify.
 *
 * Contract:
 * - Every PEM is parsed when it arrives (tls-material.ts); `certificate` and `privateKey` come
 *   together and must belong to each other. Errors are 400 VALIDATION_FAILED naming the field, and
 *   nothing is written.
 * - The private key is sealed at rest with SecretBox and only opened for the gateway snapshot
 *   (config-sync/snapshot.ts). Responses show `********`; a PATCH that omits `privateKey` or sends
 *   `********` keeps the stored key (and must then still match `certificate`).
 * - A change to the TLS material reaches every gateway serving an API whose upstream or listener
 *   references the context (database triggers of the tls_contexts and listeners migrations); the
 *   API instances are untouched.
 * - A context an upstream or a listener references cannot be deleted (409 naming the API
 *   instances), and a listener's context cannot lose its certificate (409 the same way).
 * - Every change is recorded as GET shows the context (the private key reads `********`).
 */
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SECRET_MASK } from '#portico/policy-catalog';
import { isUuid } from '../auth/access.service.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError, type ErrorDetail } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { SecretBox } from '../common/secret-box.js';
import { validationError } from '../common/validation.js';
import { SecretGroupsService } from './secret-groups.service.js';
import type { CreateTlsContextBody, UpdateTlsContextBody } from './secrets-manager.dto.js';
import { type SecretGroupRecord, SecretsManagerRepository, type TlsContextColumns } from './secrets-manager.repository.js';
import { tlsContextView } from './secrets-manager.view.js';
import { encodeCertificates, encodePrivateKey, parseCertificates, parsePrivateKey } from './tls-material.js';

/** The TLS material of a context as a request leaves it (after merging a PATCH over the stored one). */
interface MaterialInput {
  trustedCertificates: string | null;
  certificate: string | null;
  /** PEM, or SECRET_MASK for the stored key */
  privateKey: string | null;
}

/** An upstream's `{ secretGroupId, tlsContextId }`. */
export interface TlsContextReference {
  secretGroupId: string;
  tlsContextId: string;
}

@Injectable()
export class TlsContextsService {
  constructor(
    private readonly repo: SecretsManagerRepository,
    private readonly groups: SecretGroupsService,
    private readonly secrets: SecretBox,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, environmentId: string, rawGroupId: string) {
    const group = await this.groups.find(organizationId, environmentId, rawGroupId);
    return (await this.repo.findContexts(group.id)).map(tlsContextView);
  }

  async create(organizationId: string, environmentId: string, rawGroupId: string, body: CreateTlsContextBody) {
    const group = await this.groups.find(organizationId, environmentId, rawGroupId);
    const material = this.prepareMaterial(
      {
        trustedCertificates: body.trustedCertificates ?? null,
        certificate: body.certificate ?? null,
        privateKey: body.privateKey ?? null,
      },
      null,
    );
    return this.repo.transaction(async (tx) => {
      const after = tlsContextView(
        await this.repo.createContext(tx, {
          secretGroupId: group.id,
          name: body.name,
          target: body.target,
          serverName: body.serverName ?? null,
          skipVerify: body.skipVerify,
          ...material,
        }),
      );
      await this.record(tx, group, 'create', after, { after });
      return after;
    });
  }

  async get(organizationId: string, environmentId: string, rawGroupId: string, rawId: string) {
    const group = await this.groups.find(organizationId, environmentId, rawGroupId);
    const context = isUuid(rawId) ? await this.repo.findContext(group.id, rawId) : null;
    if (!context) throw tlsContextNotFound(rawId, group.id);
    return tlsContextView(context);
  }

  async update(organizationId: string, environmentId: string, rawGroupId: string, rawId: string, body: UpdateTlsContextBody) {
    const group = await this.groups.find(organizationId, environmentId, rawGroupId);
    return this.repo.transaction(async (tx) => {
      const current = isUuid(rawId) ? await this.repo.lockContext(tx, group.id, rawId) : null;
      if (!current) throw tlsContextNotFound(rawId, group.id);
      const storedKey = current.privateKeySealed;
      const material = this.prepareMaterial(
        {
          trustedCertificates: keep(body.trustedCertificates, current.trustedCertificates),
          certificate: keep(body.certificate, current.certificate),
          privateKey: keep(body.privateKey, storedKey === null ? null : SECRET_MASK),
        },
        storedKey,
      );
      if (material.certificate === null && current.certificate !== null) {
        const listeners = await this.repo.listenersOf(tx, current.id);
        if (listeners.length) {
          throw new DomainError(
            'TLS_CONTEXT_IN_USE',
            `TLS context ${rawId} is the listener certificate of API instance${listeners.length === 1 ? '' : 's'} ${listeners.join(', ')}; a listener needs certificate and privateKey`,
          );
        }
      }
      const updated = await this.repo.updateContext(tx, current.id, {
        name: body.name,
        target: body.target,
        serverName: body.serverName,
        skipVerify: body.skipVerify,
        ...material,
      });
      const after = tlsContextView(updated);
      await this.record(tx, group, 'update', after, { before: tlsContextView(current), after });
      return after;
    });
  }

  async delete(organizationId: string, environmentId: string, rawGroupId: string, rawId: string): Promise<void> {
    const group = await this.groups.find(organizationId, environmentId, rawGroupId);
    await this.repo.transaction(async (tx) => {
      const deleted = isUuid(rawId) ? await this.repo.deleteUnusedContext(tx, group.id, rawId) : null;
      if (deleted === null) throw tlsContextNotFound(rawId, group.id);
      const { context, users } = deleted;
      if (users.length) {
        throw new DomainError(
          'TLS_CONTEXT_IN_USE',
          `TLS context ${rawId} is used by API instance${users.length === 1 ? '' : 's'} ${users.join(', ')} (upstreams or listeners); remove those references first`,
        );
      }
      const before = tlsContextView(context);
      await this.record(tx, group, 'delete', before, { before });
    });
  }

  /**
   * Resolves a `tlsContext` reference (an upstream's, or a listener's `endpoint.tlsContexts.inbound`)
   * in `environmentId`, the environment of the API instance: the context's id and whether it has
   * a certificate (with its key), locked against deletion until `tx` commits; or why it cannot be
   * used, worded to follow the field name in a validation error.
   */
  async resolveReference(
    tx: Tx,
    environmentId: string,
    ref: TlsContextReference,
  ): Promise<{ id: string; hasCertificate: boolean } | { problem: string }> {
    const found =
      isUuid(ref.secretGroupId) && isUuid(ref.tlsContextId)
        ? await this.repo.lockForReference(tx, environmentId, ref.secretGroupId, ref.tlsContextId)
        : { groupExists: isUuid(ref.secretGroupId), context: null };
    if (found.context !== null) return found.context;
    return {
      problem: found.groupExists
        ? `TLS context ${ref.tlsContextId} not found in secret group ${ref.secretGroupId}`
        : `TLS context ${ref.tlsContextId} not found: secret group ${ref.secretGroupId} does not exist in this environment`,
    };
  }

  private record(
    tx: Tx,
    group: SecretGroupRecord,
    action: AuditAction,
    context: TlsContextView,
    change: { before?: TlsContextView; after?: TlsContextView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: group.organizationId,
      environmentId: group.environmentId,
      action,
      resource: { type: 'tls-context', id: context.id, name: context.name },
      ...change,
    });
  }

  /** Checks the material and gives the columns to store, or throws VALIDATION_FAILED listing every problem. */
  private prepareMaterial(
    input: MaterialInput,
    storedKey: string | null,
  ): Required<Pick<TlsContextColumns, 'trustedCertificates' | 'certificate' | 'privateKeySealed'>> {
    const issues: ErrorDetail[] = [];
    const issue = (field: keyof MaterialInput, message: string) =>
      issues.push({ path: `/body/${field}`, message, errorCode: 'custom.validation' });

    let trusted: X509Certificate[] | null = null;
    if (input.trustedCertificates !== null) {
      const parsed = parseCertificates(input.trustedCertificates);
      if (parsed.ok) trusted = parsed.value;
      else issue('trustedCertificates', parsed.problem);
    }
    let chain: X509Certificate[] | null = null;
    if (input.certificate !== null) {
      const parsed = parseCertificates(input.certificate);
      if (parsed.ok) chain = parsed.value;
      else issue('certificate', parsed.problem);
    }
    let key: KeyObject | null = null;
    let sealed: string | null = null;
    const keptKey = input.privateKey === SECRET_MASK;
    if (keptKey) {
      if (storedKey === null) {
        issue('privateKey', `is the mask ${SECRET_MASK} but no key is stored to keep; send the key itself`);
      } else {
        key = createPrivateKey(this.secrets.open(storedKey));
        sealed = storedKey;
      }
    } else if (input.privateKey !== null) {
      const parsed = parsePrivateKey(input.privateKey);
      if (parsed.ok) key = parsed.value;
      else issue('privateKey', parsed.problem);
    }

    if (input.certificate !== null && input.privateKey === null) {
      issue('privateKey', 'is required with certificate: a client certificate is presented with its private key');
    }
    if (input.privateKey !== null && input.certificate === null) {
      issue('certificate', 'is required with privateKey; to remove the client certificate, set both to null');
    }
    const leaf = chain?.[0];
    if (leaf && key && !leaf.checkPrivateKey(key)) {
      if (keptKey) issue('certificate', 'does not belong to the stored privateKey; send its own privateKey with it');
      else issue('privateKey', 'does not belong to certificate (the first certificate of the chain)');
    }
    if (issues.length) throw validationError(issues);

    if (key && !keptKey) sealed = this.secrets.seal(encodePrivateKey(key));
    return {
      trustedCertificates: trusted && encodeCertificates(trusted),
      certificate: chain && encodeCertificates(chain),
      privateKeySealed: sealed,
    };
  }
}

type TlsContextView = ReturnType<typeof tlsContextView>;

function keep<T>(value: T | undefined, current: T): T {
  return value === undefined ? current : value;
}

function tlsContextNotFound(id: string, secretGroupId: string): DomainError {
  return new DomainError('TLS_CONTEXT_NOT_FOUND', `TLS context ${id} not found in secret group ${secretGroupId}`);
}
