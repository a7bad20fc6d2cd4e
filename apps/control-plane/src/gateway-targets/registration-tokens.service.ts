/**
 * Registration tokens (contract §9.1): one-shot, environment-scoped and short-lived
 * (PORTICO_REGISTRATION_TOKEN_TTL_SECONDS). Only the SHA-256 is stored; the token itself is shown
 * once, to the caller who minted it, with its expiry (`expiresAt`, beside the Anypoint answer's
 * `registrationToken`, so a person knows how long it serves). Redeeming one (usedAt, targetId) belongs to gateway registration.
 * Minting one is recorded without the token.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { randomToken, sha256 } from '../common/secrets.js';
import { ENV, type Env } from '../config/env.js';
import type { RegistrationTokenAnswer } from './gateway-targets.dto.js';
import { GatewayTargetsRepository } from './gateway-targets.repository.js';

@Injectable()
export class RegistrationTokensService {
  constructor(
    private readonly repo: GatewayTargetsRepository,
    @Inject(ENV) private readonly env: Env,
    private readonly audit: AuditTrailService,
  ) {}

  async issue(principal: Principal, organizationId: string, environmentId: string): Promise<RegistrationTokenAnswer> {
    const registrationToken = randomToken();
    const expiresAt = new Date(Date.now() + this.env.PORTICO_REGISTRATION_TOKEN_TTL_SECONDS * 1000);
    await this.repo.transaction(async (tx) => {
      const token = await this.repo.createRegistrationToken(tx, {
        tokenHash: sha256(registrationToken),
        organizationId,
        environmentId,
        createdById: principal.id,
        expiresAt,
      });
      await this.audit.record(tx, {
        organizationId,
        environmentId,
        action: 'create',
        resource: { type: 'registration-token', id: token.id },
        after: { id: token.id, environmentId, expiresAt: token.expiresAt },
      });
    });
    return { registrationToken, expiresAt: expiresAt.toISOString() };
  }
}
