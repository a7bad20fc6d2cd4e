import { ADMIN_USERNAME, startControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, testPrisma } from '../../test/support/factories.js';

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
});
