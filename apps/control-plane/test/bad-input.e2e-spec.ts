/**
 * Bad input on every route: each operation of the served OpenAPI document is called with
 * malformed JSON, bodies of the wrong type, an oversized body, and ids that are not ids. Every
 * answer must be a 4xx in the one error shape (never a 5xx, never a stack trace), and nothing may
 * be written.
 */
import { closeTestPrisma, testPrisma } from './support/factories.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';

const BODY_LIMIT = 4096;

/** Routes whose contract is to act on an empty body, or that end the caller's session. */
const SKIP = new Set(['POST /accounts/api/logout']);

interface Operation {
  method: string;
  path: string;
}

async function tableCounts(): Promise<Record<string, number>> {
  const prisma = testPrisma();
  return {
    organizations: await prisma.organization.count(),
    environments: await prisma.environment.count(),
    users: await prisma.user.count(),
    connectedApps: await prisma.connectedApp.count(),
    grants: await prisma.permissionGrant.count(),
    assets: await prisma.exchangeAsset.count(),
    apis: await prisma.apiInstance.count(),
    upstreams: await prisma.apiUpstream.count(),
    deployments: await prisma.deployment.count(),
    targets: await prisma.gatewayTarget.count(),
    policies: await prisma.appliedPolicy.count(),
  };
}

describe('bad input on every route', () => {
  let cp: TestControlPlane;
  let token: string;
  let operations: Operation[];
  let orgId: string;
  let envId: string;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    token = await cp.adminToken();
    const doc = (await cp.request('GET', '/openapi.json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    orgId = (await cp.request('GET', '/accounts/api/me', { token })).body.user.organization.id;
    const envs = await cp.request('GET', `/accounts/api/organizations/${orgId}/environments`, { token });
    envId = envs.body.data.find((e: { name: string }) => e.name === 'Sandbox').id;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  /** Real org/env ids reach the deeper validation; every other id is not an id. */
  const fill = (path: string, otherId: string) =>
    path
      .replace(/\{orgId\}/g, orgId)
      .replace(/\{envId\}/g, envId)
      .replace(/\{[^}]+\}/g, otherId);

  const expectClientError = (op: Operation, url: string, res: { status: number; body: any; text: string }) => {
    const where = `${op.method} ${url} -> ${res.status} ${res.text.slice(0, 200)}`;
    expect({ where, ok: res.status >= 400 && res.status < 500 }).toEqual({ where, ok: true });
    expect({ where, shape: typeof res.body?.code === 'string' && typeof res.body?.message === 'string' }).toEqual({
      where,
      shape: true,
    });
    expect(res.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
  };

  it('documents a substantial API', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('answers ids that are not ids with a 4xx naming the problem', async () => {
    const before = await tableCounts();
    for (const op of operations.filter((o) => /\{(?!orgId|envId)[^}]+\}/.test(o.path) && !SKIP.has(`${o.method} ${o.path}`))) {
      for (const bad of ['not-an-id', '-1', '1.5', '99999999999999999999']) {
        const url = fill(op.path, bad);
        const res = await cp.request(op.method, url, {
          token,
          json: op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
        });
        expectClientError(op, url, res);
      }
    }
    expect(await tableCounts()).toEqual(before);
  });

  it('answers malformed JSON, wrong body types and oversized bodies with a 4xx and writes nothing', async () => {
    const before = await tableCounts();
    const writes = operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method) && !SKIP.has(`${o.method} ${o.path}`));
    for (const op of writes) {
      const url = fill(op.path, '1');
      const bodies: { raw: string; label: string }[] = [
        { raw: '{"name": ', label: 'malformed' },
        { raw: '42', label: 'number' },
        { raw: '"text"', label: 'string' },
        { raw: 'null', label: 'null' },
        { raw: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 2) }), label: 'oversized' },
      ];
      for (const body of bodies) {
        const res = await cp.request(op.method, url, { token, raw: body.raw, contentType: 'application/json' });
        // A route that ignores its body (e.g. minting a registration token) may succeed; it must never fail with 5xx.
        if (res.status < 400) continue;
        expectClientError(op, `${url} [${body.label}]`, res);
      }
    }
    expect(await tableCounts()).toEqual(before);
  });
});
