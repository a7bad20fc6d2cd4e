/**
 * Username/password login and the OAuth2 token endpoint.
 *
 * Wrong username and wrong password get the same answer, and a password is always hashed-compared
 * even for an unknown user, so responses do not reveal which usernames exist.
 *
 * Every password and client-secret check goes through the login throttle (429 once the account,
 * the address or the pair has failed too often; throttling/login-throttle.ts) and the hashing gate
 * (503 while too many checks are under way; throttling/hashing-gate.ts). A lockout is logged and,
 * for an account that exists, audited in its organization. Logs never hold a secret, nor an
 * account name that names nobody: that is often a password typed into the username field.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditedChange } from '../audit/audit-trail.service.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { AccessService, type IssuedToken } from '../auth/access.service.js';
import { DomainError } from '../common/domain-error.js';
import { verifySecret } from '../common/secrets.js';
import { ENV, type Env } from '../config/env.js';
import { HashingGate } from '../throttling/hashing-gate.js';
import {
  KNOWN_ADDRESS_MS,
  type LoginAccount,
  LoginThrottle,
  loginThrottleSettings,
  type Lockout,
} from '../throttling/login-throttle.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { TokenBody } from './login.dto.js';

// scrypt hash of a random value: lets unknown users cost as much as known ones.
const DUMMY_HASH = 'scrypt$16384$8$1$q9Vb6c1e3cZ0mY2mXbqG8g$0b8qDq4d1y8P8b7n9r0zKc2mGk0W2o4xk5bQn7p3r1s';

/** A stored secret and what the audit trail names its holder. */
interface StoredSecret {
  hash: string | null;
  organizationId: string;
  resource: AuditedChange['resource'];
}

@Injectable()
export class LoginService {
  private readonly logger = new Logger('Login');
  private readonly throttle: LoginThrottle;
  private readonly hashing: HashingGate;

  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
    @Inject(ENV) env: Env,
  ) {
    this.throttle = new LoginThrottle(loginThrottleSettings(env));
    this.hashing = new HashingGate(env.PORTICO_LOGIN_HASH_CONCURRENCY, env.PORTICO_LOGIN_HASH_QUEUE);
  }

  /** `clientIp`: request.ip, the address failures are counted under. */
  async login(username: string, password: string, clientIp: string): Promise<IssuedToken> {
    const userId = await this.checkUser(username, password, clientIp);
    return this.access.issueToken({ userId });
  }

  async token(body: TokenBody, clientIp: string): Promise<IssuedToken> {
    const app = await this.verified({ kind: 'client', name: body.client_id }, body.client_secret, clientIp, {
      find: () => this.repo.findConnectedAppByClientId(body.client_id),
      stored: (a) => ({
        hash: a.clientSecretHash,
        organizationId: a.organizationId,
        resource: { type: 'connected-application', id: a.clientId, name: a.name },
      }),
    });
    if (!app) throw new DomainError('INVALID_CLIENT', 'Invalid client_id or client_secret');
    if (!app.grantTypes.includes(body.grant_type)) {
      throw new DomainError('UNSUPPORTED_GRANT_TYPE', `grant_type ${body.grant_type} is not allowed for this connected app`);
    }
    if (body.grant_type === 'client_credentials') return this.access.issueToken({ connectedAppId: app.id });
    // password grant: the app acts on behalf of the user, with the user's permissions
    return this.access.issueToken({ userId: await this.checkUser(body.username, body.password, clientIp) });
  }

  private async checkUser(username: string, password: string, clientIp: string): Promise<string> {
    const user = await this.verified({ kind: 'user', name: username }, password, clientIp, {
      find: () => this.repo.findUserByUsername(username),
      stored: (u) => ({
        hash: u.passwordHash,
        organizationId: u.organizationId,
        resource: { type: 'user', id: u.id, name: u.username },
      }),
    });
    if (!user) throw new DomainError('INVALID_CREDENTIALS', 'Invalid username or password');
    if (!user.enabled) throw new DomainError('USER_DISABLED', 'User is disabled');
    return user.id;
  }

  /**
   * The holder `find` answers when `secret` is theirs, else null (unknown holder or wrong secret),
   * under the throttle and the hashing gate (see the header).
   */
  private async verified<H>(
    account: LoginAccount,
    secret: string,
    clientIp: string,
    holder: { find: () => Promise<H | null>; stored: (found: H) => StoredSecret },
  ): Promise<H | null> {
    const attempt = this.throttle.begin(account, clientIp);
    let found: H | null;
    let stored: StoredSecret | null;
    let ok: boolean;
    try {
      found = await holder.find();
      stored = found && holder.stored(found);
      ok = await this.hashing.run(() => verifySecret(secret, stored?.hash ?? DUMMY_HASH));
    } catch (err) {
      this.throttle.abandoned(attempt);
      throw err;
    }
    if (found && ok) {
      this.throttle.succeeded(attempt);
      return found;
    }
    for (const lockout of this.throttle.failed(attempt)) await this.recordLockout(lockout, stored);
    return null;
  }

  private async recordLockout(lockout: Lockout, holder: StoredSecret | null): Promise<void> {
    this.logger.warn(lockoutLine(lockout, holder !== null));
    if (!holder) return;
    await this.repo.transaction((tx) =>
      this.audit.record(tx, {
        organizationId: holder.organizationId,
        action: 'lock',
        resource: holder.resource,
        after: {
          scope: lockout.scope,
          address: lockout.address,
          failedAttempts: lockout.failures,
          lockedForSeconds: lockout.seconds,
          lockedUntil: lockout.until.toISOString(),
        },
        // made by whoever sent the failed attempts, whom nothing identifies
        onBehalfOf: null,
      }),
    );
  }
}

/** What a lockout's log line says; `exists`: whether the account names someone (see the header). */
function lockoutLine({ scope, account, address, failures, seconds }: Lockout, exists: boolean): string {
  const kind = account.kind === 'user' ? 'user' : 'connected app';
  const who = exists ? `${kind} ${JSON.stringify(account.name)}` : `an unknown ${kind}`;
  switch (scope) {
    case 'account-address':
      return `login lockout: ${who} locked for ${seconds} s from ${address} after ${failures} failed attempts from there`;
    case 'account':
      return (
        `login lockout: ${who} locked for ${seconds} s after ${failures} failed attempts from any address ` +
        `(addresses it logged in from in the last ${KNOWN_ADDRESS_MS / 86_400_000} days are exempt)`
      );
    case 'address':
      return `login lockout: ${address} locked for ${seconds} s after ${failures} failed attempts on any account`;
  }
}
