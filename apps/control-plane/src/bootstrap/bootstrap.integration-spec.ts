import { ADMIN_USERNAME, type ControlPlaneClient, startControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, testPrisma, uniqueName } from '../../test/support/factories.js';

describe('bootstrap', () => {
  afterAll(() => closeTestPrisma());

  it('gives the bootstrap admin every scope again at start, also scopes a later release added', async () => {
    const first = await startControlPlane();
    await first.close();
    const admin = await testPrisma().user.findUniqueOrThrow({ where: { username: ADMIN_USERNAME } });
    // As if `manage:apis` had not existed when the admin was created.
    await testPrisma().permissionGrant.deleteMany({ where: { userId: admin.id, scope: 'manage:apis' } });
    const next = await startControlPlane();
    await next.close();
    const grants = await testPrisma().permissionGrant.findMany({ where: { userId: admin.id, scope: 'manage:apis' } });
    expect(grants).toEqual([expect.objectContaining({ organizationId: admin.organizationId, environmentId: null })]);
  });

  it('sets a changed PORTICO_ADMIN_PASSWORD at start and revokes the tokens issued with the old one', async () => {
    // An admin of its own, so other specs logging in as the shared admin are not disturbed.
    const username = uniqueName('admin');
    const start = (password: string) => startControlPlane({ PORTICO_ADMIN_USERNAME: username, PORTICO_ADMIN_PASSWORD: password });
    const me = async (cp: ControlPlaneClient, token: string) => (await cp.request('GET', '/accounts/api/me', { token })).status;

    const first = await start('first-admin-password');
    const oldToken = await first.login(username, 'first-admin-password');
    expect(await me(first, oldToken)).toBe(200);
    await first.close();

    const second = await start('second-admin-password');
    try {
      expect(await me(second, oldToken)).toBe(401);
      const oldLogin = await second.request('POST', '/accounts/login', {
        json: { username, password: 'first-admin-password' },
      });
      expect(oldLogin.status).toBe(401);
      expect(oldLogin.body.code).toBe('INVALID_CREDENTIALS');
      const newToken = await second.login(username, 'second-admin-password');
      expect(await me(second, newToken)).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('keeps the admin password and its tokens when PORTICO_ADMIN_PASSWORD is unchanged at start', async () => {
    const username = uniqueName('admin');
    const start = () => startControlPlane({ PORTICO_ADMIN_USERNAME: username, PORTICO_ADMIN_PASSWORD: 'same-admin-password' });

    const first = await start();
    const token = await first.login(username, 'same-admin-password');
    const { passwordHash } = await testPrisma().user.findUniqueOrThrow({ where: { username } });
    await first.close();

    const again = await start();
    try {
      expect((await again.request('GET', '/accounts/api/me', { token })).status).toBe(200);
      expect((await testPrisma().user.findUniqueOrThrow({ where: { username } })).passwordHash).toBe(passwordHash);
    } finally {
      await again.close();
    }
  });
});
