import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';

describe('OpenAPI document', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  it('is served without a token and documents the login route with its body schema', async () => {
    const res = await cp.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const login = res.body.paths['/accounts/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
  });
});
