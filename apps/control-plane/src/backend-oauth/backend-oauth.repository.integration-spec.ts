/**
 * The refresh lease of a user's connection, against a real database: a new authorization made
 * while a refresh runs ends the lease, so the refresh can neither overwrite nor delete what the
 * user just authorized.
 */
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newApiInstance, newTenant, testPrisma } from '../../test/support/factories.js';
import { BackendOAuthRepository } from './backend-oauth.repository.js';

describe('BackendOAuthRepository refresh lease', () => {
  let cp: TestControlPlane;
  let repo: BackendOAuthRepository;
  let apiId: number;

  const tokens = (accessTokenSealed: string) => ({
    issuer: 'https://as.example.com',
    clientId: 'portico',
    accessTokenSealed,
    refreshTokenSealed: `${accessTokenSealed}-refresh`,
    expiresAt: new Date(Date.now() + 60_000),
    scope: null,
  });

  beforeAll(async () => {
    cp = await startControlPlane();
    repo = cp.app.get(BackendOAuthRepository);
    apiId = (await newApiInstance(await newTenant(cp))).id;
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  it('is taken once, and a new authorization meanwhile wins over the refresh that held it', async () => {
    const saved = await repo.saveConnection({ apiId, subject: 'ann', ...tokens('first') });
    const lease = new Date(Date.now() + 20_000);
    expect(await repo.leaseRefresh(saved.id, lease)).toMatchObject({ accessTokenSealed: 'first' });
    expect(await repo.leaseRefresh(saved.id, new Date(Date.now() + 20_000))).toBeUndefined();

    await repo.saveConnection({ apiId, subject: 'ann', ...tokens('reauthorized') });
    expect(await repo.finishRefresh(saved.id, lease, tokens('refreshed'))).toBe(false);
    await repo.deleteLeased(saved.id, lease);
    expect(await testPrisma().backendOAuthConnection.findUniqueOrThrow({ where: { id: saved.id } })).toMatchObject({
      accessTokenSealed: 'reauthorized',
      refreshingUntil: null,
    });
  });

  it('lets a refresh store its tokens, or delete the connection, while its lease holds', async () => {
    const saved = await repo.saveConnection({ apiId, subject: 'bob', ...tokens('first') });
    const lease = new Date(Date.now() + 20_000);
    await repo.leaseRefresh(saved.id, lease);
    expect(await repo.finishRefresh(saved.id, lease, tokens('refreshed'))).toBe(true);
    expect(await repo.connection(apiId, 'bob')).toMatchObject({ accessTokenSealed: 'refreshed', refreshingUntil: null });

    const next = new Date(Date.now() + 20_000);
    await repo.leaseRefresh(saved.id, next);
    await repo.deleteLeased(saved.id, next);
    expect(await repo.connection(apiId, 'bob')).toBeNull();
  });
});
