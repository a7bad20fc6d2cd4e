/**
 * First-start bootstrap, idempotent and safe when several control planes start together:
 * the root organization, environments `Sandbox` (sandbox) and `Production` (production), the
 * admin user with every scope on the root organization, and the `local-gateway` target in
 * Sandbox that the bundled gateway registers as.
 *
 * When PORTICO_ADMIN_PASSWORD is unset a password is generated once, written to
 * `<data dir>/admin-password` (mode 0600) and only its location is logged. When it is set it is
 * authoritative: a start with a different value sets it as the admin's password and revokes every
 * token the admin holds (as any password change does), so rotating the variable locks out whoever
 * held the old one; a start with the same value changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ALL_SCOPES } from '../auth/scopes.js';
import { ENV, type Env } from '../config/env.js';
import type { Tx } from '../common/prisma.service.js';
import { hashSecret, randomClientId, verifySecret } from '../common/secrets.js';
import { BootstrapRepository } from './bootstrap.repository.js';

export const DEFAULT_ENVIRONMENTS = [
  { name: 'Sandbox', type: 'sandbox', isProduction: false },
  { name: 'Production', type: 'production', isProduction: true },
] as const;

export const LOCAL_GATEWAY_NAME = 'local-gateway';

@Injectable()
export class BootstrapService {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly repo: BootstrapRepository,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async run(): Promise<void> {
    await this.repo.withLock(async (tx) => {
      const org = await this.rootOrganization(tx);
      const sandboxId = await this.environments(tx, org.id);
      await this.adminUser(tx, org.id);
      await this.localGatewayTarget(tx, org.id, sandboxId);
    });
  }

  private async rootOrganization(tx: Tx) {
    const existing = await tx.organization.findFirst({ where: { parentId: null }, orderBy: { createdAt: 'asc' } });
    if (existing) return existing;
    const org = await tx.organization.create({ data: { name: this.env.PORTICO_ORG_NAME, clientId: randomClientId() } });
    this.logger.log(`created root organization ${org.name} (${org.id})`);
    return org;
  }

  private async environments(tx: Tx, organizationId: string): Promise<string> {
    let sandboxId = '';
    for (const def of DEFAULT_ENVIRONMENTS) {
      const env =
        (await tx.environment.findUnique({ where: { organizationId_name: { organizationId, name: def.name } } })) ??
        (await tx.environment.create({ data: { ...def, organizationId, clientId: randomClientId() } }));
      if (def.type === 'sandbox') sandboxId = env.id;
    }
    return sandboxId;
  }

  private async adminUser(tx: Tx, organizationId: string): Promise<void> {
    const username = this.env.PORTICO_ADMIN_USERNAME;
    const existing = await tx.user.findUnique({ where: { username } });
    if (existing) {
      const password = this.env.PORTICO_ADMIN_PASSWORD;
      if (password && !(await verifySecret(password, existing.passwordHash))) {
        await tx.accessToken.deleteMany({ where: { userId: existing.id } });
        await tx.user.update({ where: { id: existing.id }, data: { passwordHash: await hashSecret(password) } });
        this.logger.log(`PORTICO_ADMIN_PASSWORD changed: set it for admin user "${username}" and revoked its tokens`);
      }
      // The bootstrap admin holds every scope, also those a later release added.
      const held = await tx.permissionGrant.findMany({
        where: { userId: existing.id, organizationId, environmentId: null },
        select: { scope: true },
      });
      const missing = ALL_SCOPES.filter((scope) => !held.some((g) => g.scope === scope));
      if (missing.length) {
        await tx.permissionGrant.createMany({ data: missing.map((scope) => ({ scope, organizationId, userId: existing.id })) });
        this.logger.log(`granted admin user "${username}" the new scopes ${missing.join(', ')}`);
      }
      return;
    }
    const password = this.env.PORTICO_ADMIN_PASSWORD ?? (await this.generatedPassword());
    await tx.user.create({
      data: {
        organizationId,
        username,
        passwordHash: await hashSecret(password),
        firstName: 'Portico',
        lastName: 'Administrator',
        grants: { create: ALL_SCOPES.map((scope) => ({ scope, organizationId })) },
      },
    });
    this.logger.log(`created admin user "${username}"`);
  }

  private async generatedPassword(): Promise<string> {
    const password = randomBytes(18).toString('base64url');
    const file = path.join(this.env.dataDir, 'admin-password');
    await mkdir(this.env.dataDir, { recursive: true });
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    this.logger.log(`generated the admin password; it is in ${file} (readable only by you)`);
    return password;
  }

  private async localGatewayTarget(tx: Tx, organizationId: string, environmentId: string): Promise<void> {
    const key = { organizationId_environmentId_name: { organizationId, environmentId, name: LOCAL_GATEWAY_NAME } };
    if (await tx.gatewayTarget.findUnique({ where: key })) return;
    await tx.gatewayTarget.create({ data: { organizationId, environmentId, name: LOCAL_GATEWAY_NAME } });
  }
}
