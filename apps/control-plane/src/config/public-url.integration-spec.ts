/**
 * Links in answers never come from the request's Host (config/public-url.ts): requests carry a
 * hostile Host, X-Forwarded-Host, X-Forwarded-Proto and Forwarded, sent raw (fetch replaces Host),
 * to the routes that build links and to every GET route of the OpenAPI document.
 */
import { rawRequest, type RawResponse } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from '../../test/support/factories.js';

const HOSTILE_HEADERS = {
  host: 'evil.example:6666',
  'x-forwarded-host': 'forwarded.evil.example',
  'x-forwarded-proto': 'gopher',
  forwarded: 'for=192.0.2.1;host=standard.evil.example;proto=gopher',
};
const HOSTILE = /evil|gopher/i;

/** A multipart form as a raw body and its Content-Type. */
async function multipart(fields: Record<string, string>, files: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, content] of Object.entries(files)) form.append(name, new Blob([content]), name.split('.').slice(1).join('.'));
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

/** The whole answer as text, headers included, for looking for the hostile host anywhere. */
const everything = (res: RawResponse) => `${JSON.stringify(res.headers)}\n${res.body}`;

describe.each([
  ['on its default address', {}],
  ['behind a trusted proxy', { PORTICO_TRUSTED_PROXIES: '127.0.0.1' }],
  ['listening on every interface', { PORTICO_HOST: '0.0.0.0' }],
])('links in answers of a control plane %s without PORTICO_PUBLIC_URL', (_label, overrides: Record<string, string>) => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let base: string;

  beforeAll(async () => {
    cp = await startControlPlane(overrides);
    tenant = await newTenant(cp);
    // the test control plane listens on 127.0.0.1 (test/support/control-plane.ts)
    base = cp.url;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const send = (method: string, path: string, extra: { headers?: Record<string, string>; body?: Buffer } = {}) =>
    rawRequest(`${cp.url}${path}`, {
      method,
      headers: { ...HOSTILE_HEADERS, authorization: `Bearer ${tenant.token}`, ...extra.headers },
      body: extra.body,
    });

  /** Publishes `assetId` 1.0.0 with one file; `sync` picks 201 with the asset or 202 with a status link. */
  const publish = async (assetId: string, sync: boolean) => {
    const org = tenant.organizationId;
    const { body, contentType } = await multipart({ name: 'Links', type: 'mcp' }, { 'files.mcp-metadata.json': '{}' });
    return send('POST', `/exchange/api/v2/organizations/${org}/assets/${org}/${assetId}/1.0.0`, {
      headers: { 'content-type': contentType, 'x-sync-publication': String(sync) },
      body,
    });
  };

  it('point at the listen address, never at a Host or forwarded host the request names', async () => {
    const org = tenant.organizationId;
    const assetId = uniqueName('links');
    const download = `${base}/exchange/api/v2/assets/${org}/${assetId}/1.0.0/files/mcp-metadata/json`;

    const published = await publish(assetId, true);
    expect(published.status).toBe(201);
    expect(JSON.parse(published.body).files[0].downloadURL).toBe(download);

    for (const path of [`/exchange/api/v2/assets/${org}/${assetId}/1.0.0`, `/exchange/api/v2/assets/${org}/${assetId}`]) {
      const res = await send('GET', path);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).files[0].downloadURL).toBe(download);
      expect(everything(res)).not.toMatch(HOSTILE);
    }

    const queued = await publish(uniqueName('links'), false);
    expect(queued.status).toBe(202);
    const { publicationStatusLink } = JSON.parse(queued.body) as { publicationStatusLink: string };
    expect(publicationStatusLink.startsWith(`${base}/exchange/api/v2/organizations/${org}/assets/`)).toBe(true);

    for (const res of [published, queued]) expect(everything(res)).not.toMatch(HOSTILE);
  });

  it("never echo the request's Host on any GET route", async () => {
    const org = tenant.organizationId;
    const assetId = uniqueName('links');
    expect((await publish(assetId, true)).status).toBe(201);
    const doc = JSON.parse((await send('GET', '/openapi.json')).body) as { paths: Record<string, Record<string, unknown>> };
    const values: Record<string, string> = {
      orgId: org,
      envId: tenant.sandboxId,
      groupId: org,
      assetId,
      version: '1.0.0',
      classifier: 'mcp-metadata',
      packaging: 'json',
    };
    const paths = Object.entries(doc.paths)
      .filter(([, methods]) => 'get' in methods)
      .map(([path]) => path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? '1'));
    expect(paths.length).toBeGreaterThan(30);
    const echoed: string[] = [];
    for (const path of paths) {
      const res = await send('GET', path);
      if (HOSTILE.test(everything(res))) echoed.push(`${path} -> ${res.status}`);
    }
    expect(echoed).toEqual([]);
  });
});

describe('links in answers with PORTICO_PUBLIC_URL', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_PUBLIC_URL: 'https://portico.example.com/' });
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('start with it, whatever the request says', async () => {
    const tenant = await newTenant(cp);
    const org = tenant.organizationId;
    const assetId = uniqueName('links');
    const { body, contentType } = await multipart({ name: 'Links', type: 'mcp' }, { 'files.mcp-metadata.json': '{}' });
    const res = await rawRequest(`${cp.url}/exchange/api/v2/organizations/${org}/assets/${org}/${assetId}/1.0.0`, {
      method: 'POST',
      headers: {
        ...HOSTILE_HEADERS,
        authorization: `Bearer ${tenant.token}`,
        'content-type': contentType,
        'x-sync-publication': 'true',
      },
      body,
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).files[0].downloadURL).toBe(
      `https://portico.example.com/exchange/api/v2/assets/${org}/${assetId}/1.0.0/files/mcp-metadata/json`,
    );
  });
});
