/** GET /metrics: the Prometheus text format, and a refused scrape in the one error body (not a 500). */
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';

describe('GET /metrics', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp.close();
  });

  it('answers the Prometheus text format', async () => {
    const res = await cp.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toMatch(/^# HELP /m);
  });

  it('refuses a query parameter with 400 naming it, in the one error body', async () => {
    const res = await cp.request('GET', '/metrics?match=up');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({
      status: 400,
      name: 'BadRequestError',
      code: 'VALIDATION_FAILED',
      message: 'query.match: is not a query parameter of this route (it takes none)',
    });
  });
});
