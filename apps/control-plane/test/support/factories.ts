/**
 * Test factories over the real database. Each call makes fresh rows (unique names), so tests
 * never depend on one another or on seed order.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { ALL_SCOPES, type Scope } from '../../src/auth/scopes.js';
import { hashSecret, randomClientId } from '../../src/common/secrets.js';
import { type Prisma, PrismaClient } from '../../src/generated/prisma/client.js';
import { type ControlPlaneClient, testDatabaseUrl } from './control-plane.js';

let client: PrismaClient | undefined;

/** A Prisma client on the test database, for arranging rows and checking nothing half-written. */
export function testPrisma(): PrismaClient {
  client ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl(), max: 2 }) });
  return client;
}

export async function closeTestPrisma(): Promise<void> {
  await client?.$disconnect();
  client = undefined;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TestTenant {
  organizationId: string;
  sandboxId: string;
  productionId: string;
  username: string;
  password: string;
  token: string;
}

/**
 * A separate root organization with Sandbox/Production and a user holding `scopes` (default:
 * all) on it, logged in through the real login endpoint.
 */
export async function newTenant(cp: ControlPlaneClient, scopes: Scope[] = ALL_SCOPES): Promise<TestTenant> {
  const prisma = testPrisma();
  const org = await prisma.organization.create({ data: { name: uniqueName('org'), clientId: randomClientId() } });
  const sandbox = await prisma.environment.create({
    data: { organizationId: org.id, name: 'Sandbox', type: 'sandbox', isProduction: false, clientId: randomClientId() },
  });
  const production = await prisma.environment.create({
    data: {
      organizationId: org.id,
      name: 'Production',
      type: 'production',
      isProduction: true,
      clientId: randomClientId(),
      // Lists order by creation, then id: created in the same millisecond, the order would be random.
      createdAt: new Date(sandbox.createdAt.getTime() + 1),
    },
  });
  const username = uniqueName('user');
  const password = 'tenant-password-1';
  await prisma.user.create({
    data: {
      organizationId: org.id,
      username,
      passwordHash: await hashSecret(password),
      grants: { create: scopes.map((scope) => ({ scope, organizationId: org.id })) },
    },
  });
  return {
    organizationId: org.id,
    sandboxId: sandbox.id,
    productionId: production.id,
    username,
    password,
    token: await cp.login(username, password),
  };
}

/** A user in `organizationId` holding exactly `scopes` (optionally only in one environment). */
export async function newUser(
  cp: ControlPlaneClient,
  organizationId: string,
  scopes: Scope[],
  environmentId: string | null = null,
): Promise<{ id: string; username: string; token: string }> {
  const username = uniqueName('user');
  const password = 'user-password-1';
  const user = await testPrisma().user.create({
    data: {
      organizationId,
      username,
      passwordHash: await hashSecret(password),
      grants: { create: scopes.map((scope) => ({ scope, organizationId, environmentId })) },
    },
  });
  return { id: user.id, username, token: await cp.login(username, password) };
}

/** A published MCP asset in Exchange owned by `organizationId`; returns its spec coordinates. */
export async function newMcpAsset(
  organizationId: string,
  version = '1.0.0',
  assetId = uniqueName('mcp'),
): Promise<{ groupId: string; assetId: string; version: string }> {
  await testPrisma().exchangeAsset.create({
    data: { organizationId, groupId: organizationId, assetId, version, name: `${assetId} server`, type: 'mcp' },
  });
  return { groupId: organizationId, assetId, version };
}

/**
 * An MCP API instance of the tenant's sandbox, inserted directly (for the specs of features other
 * than the API instance routes); `fields` override the defaults.
 */
export function newApiInstance(tenant: TestTenant, fields: Partial<Prisma.ApiInstanceUncheckedCreateInput> = {}) {
  return testPrisma().apiInstance.create({
    data: {
      organizationId: tenant.organizationId,
      environmentId: tenant.sandboxId,
      groupId: tenant.organizationId,
      assetId: uniqueName('asset'),
      assetVersion: '1.0.0',
      productVersion: 'v1',
      instanceLabel: uniqueName('api'),
      technology: 'flexGateway',
      endpointType: 'mcp',
      ...fields,
    },
  });
}
