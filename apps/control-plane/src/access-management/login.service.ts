/**
 * Username/password login and the OAuth2 token endpoint.
 *
 * Wrong username and wrong password get the same answer, and a password is always hashed-compared
 * even for an unknown user, so responses do not reveal which usernames exist.
 */
import { Injectable } from '@nestjs/common';
import { AccessService, type IssuedToken } from '../auth/access.service.js';
import { DomainError } from '../common/domain-error.js';
import { verifySecret } from '../common/secrets.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { TokenBody } from './login.dto.js';

// scrypt hash of a random value: lets unknown users cost as much as known ones.
const DUMMY_HASH = 'scrypt$16384$8$1$q9Vb6c1e3cZ0mY2mXbqG8g$0b8qDq4d1y8P8b7n9r0zKc2mGk0W2o4xk5bQn7p3r1s';

@Injectable()
export class LoginService {
  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly access: AccessService,
  ) {}

  async login(username: string, password: string): Promise<IssuedToken> {
    const userId = await this.checkUser(username, password);
    return this.access.issueToken({ userId });
  }

  async token(body: TokenBody): Promise<IssuedToken> {
    const app = await this.repo.findConnectedAppByClientId(body.client_id);
    const secretOk = await verifySecret(body.client_secret, app?.clientSecretHash ?? DUMMY_HASH);
    if (!app || !secretOk) throw new DomainError('INVALID_CLIENT', 'Invalid client_id or client_secret');
    if (!app.grantTypes.includes(body.grant_type)) {
      throw new DomainError('UNSUPPORTED_GRANT_TYPE', `grant_type ${body.grant_type} is not allowed for this connected app`);
    }
    if (body.grant_type === 'client_credentials') return this.access.issueToken({ connectedAppId: app.id });
    // password grant: the app acts on behalf of the user, with the user's permissions
    return this.access.issueToken({ userId: await this.checkUser(body.username, body.password) });
  }

  private async checkUser(username: string, password: string): Promise<string> {
    const user = await this.repo.findUserByUsername(username);
    const ok = await verifySecret(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS', 'Invalid username or password');
    if (!user.enabled) throw new DomainError('USER_DISABLED', 'User is disabled');
    return user.id;
  }
}
