import { randomBytes } from 'node:crypto';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import type { TestControlPlane } from '../../test/support/control-plane.js';
import { newMcpAsset, newUser, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { useControlPlane } from '../../test/support/harness.js';

type Asset = { groupId: string; assetId: string; version: string };

const portalOf = (a: Asset) => `/exchange/api/v2/assets/${a.groupId}/${a.assetId}/${a.version}/portal`;
const RESOURCE_PATH = /^resources\/[A-Za-z0-9_-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]+$/;

/** A multipart body with one file part, as anypoint-cli sends it (`files.<ext>`). */
function fileForm(filename: string, content: Buffer | string, fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [name, value] of Object.entries(fields)) fd.append(name, value);
  fd.append(`files.${filename.split('.').pop()}`, new Blob([content]), filename);
  return fd;
}

describe('Exchange portal (pages and resources)', () => {
  const h = useControlPlane({ tenants: 2 });
  let cp: TestControlPlane;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(() => {
    ({ cp } = h);
    [a, b] = h.tenants as [TestTenant, TestTenant];
  });

  const call = (method: string, path: string, options: Parameters<TestControlPlane['request']>[2] = {}) =>
    cp.request(method, path, { token: a.token, ...options });
  const createPage = (asset: Asset, pagePath: string, headers: Record<string, string> = {}) =>
    call('POST', `${portalOf(asset)}/draft/pages`, { json: { pagePath }, headers });
  const writePage = (asset: Asset, name: string, markdown: string) =>
    call('PUT', `${portalOf(asset)}/draft/pages/${encodeURIComponent(name)}`, { raw: markdown, contentType: 'text/markdown' });
  const upload = (asset: Asset, filename: string, content: Buffer | string, fields?: Record<string, string>) =>
    call('POST', `${portalOf(asset)}/draft/resources`, { multipart: fileForm(filename, content, fields) });
  const publish = async (asset: Asset) => expect((await call('PATCH', portalOf(asset))).status).toBe(204);
  const names = async (path: string) => ((await call('GET', path)).body as { name: string }[]).map((p) => p.name);
  const paths = async (path: string) => ((await call('GET', path)).body as { path: string }[]).map((r) => r.path);
  /** The bytes and headers of a download (cp.request reads bodies as text). */
  const download = async (path: string, token = a.token) => {
    const res = await fetch(`${cp.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  describe('pages', () => {
    it('keeps draft changes out of the published portal until the draft is published', async () => {
      const asset = await newMcpAsset(a.organizationId);
      expect((await call('GET', `${portalOf(asset)}/draft`)).body).toEqual({ draftStatus: 'PUBLISHED', pages: [] });

      expect(await createPage(asset, 'home')).toMatchObject({ status: 201, body: { path: 'home', name: 'home' } });
      expect((await writePage(asset, 'home', '# Weather\n\nAsk it *anything*.')).status).toBe(204);
      expect((await createPage(asset, 'Getting started')).status).toBe(201);

      expect((await call('GET', `${portalOf(asset)}/draft`)).body).toEqual({
        draftStatus: 'NOT_PUBLISHED',
        pages: [
          { path: 'home', name: 'home' },
          { path: 'Getting started', name: 'Getting started' },
        ],
      });
      expect((await call('GET', portalOf(asset))).body).toEqual({ draftStatus: 'NOT_PUBLISHED', pages: [] });
      expect((await call('GET', `${portalOf(asset)}/pages/home`)).status).toBe(404);
      const draftHome = await call('GET', `${portalOf(asset)}/draft/pages/home`);
      expect(draftHome).toMatchObject({ status: 200, text: '# Weather\n\nAsk it *anything*.' });
      expect(draftHome.headers.get('content-type')).toBe('text/markdown; charset=utf-8');

      await publish(asset);
      expect((await call('GET', portalOf(asset))).body).toEqual({
        draftStatus: 'PUBLISHED',
        pages: [
          { path: 'home', name: 'home' },
          { path: 'Getting started', name: 'Getting started' },
        ],
      });
      expect(await names(`${portalOf(asset)}/pages`)).toEqual(['home', 'Getting started']);
      expect((await call('GET', `${portalOf(asset)}/pages/home`)).text).toBe('# Weather\n\nAsk it *anything*.');
      expect((await call('GET', `${portalOf(asset)}/pages/Getting%20started`)).text).toBe('');
      const json = await call('GET', `${portalOf(asset)}/pages/home`, { headers: { accept: 'application/json' } });
      expect(json.body).toEqual({ path: 'home', name: 'home' });
    });

    it('discards the draft: its pages and content read as the published ones again', async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'home');
      await writePage(asset, 'home', 'published text');
      await publish(asset);

      await writePage(asset, 'home', 'draft text');
      await createPage(asset, 'extra');
      expect(await names(`${portalOf(asset)}/draft/pages`)).toEqual(['home', 'extra']);
      expect((await call('DELETE', `${portalOf(asset)}/draft`)).status).toBe(204);

      expect((await call('GET', `${portalOf(asset)}/draft`)).body).toEqual({
        draftStatus: 'PUBLISHED',
        pages: [{ path: 'home', name: 'home' }],
      });
      expect((await call('GET', `${portalOf(asset)}/draft/pages/home`)).text).toBe('published text');
      expect((await call('DELETE', `${portalOf(asset)}/draft`)).status).toBe(204);
    });

    it('publishes through PUT …/portal/draft and the v1 PATCH anypoint-cli sends', async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'one');
      expect((await call('PUT', `${portalOf(asset)}/draft`)).status).toBe(204);
      expect(await names(`${portalOf(asset)}/pages`)).toEqual(['one']);
      await createPage(asset, 'two');
      const v1 = `/exchange/api/v1/assets/${asset.groupId}/${asset.assetId}/${asset.version}`;
      expect((await call('PATCH', v1)).status).toBe(204);
      expect(await names(`${portalOf(asset)}/pages`)).toEqual(['one', 'two']);
      // nothing to publish: no change, no error
      expect((await call('PATCH', v1)).status).toBe(204);
    });

    it('renames a page with x-move-source: it keeps its content and its place', async () => {
      const asset = await newMcpAsset(a.organizationId);
      for (const name of ['home', 'faq', 'terms']) await createPage(asset, name);
      await writePage(asset, 'faq', 'Q & A');

      const renamed = await createPage(asset, 'Questions', { 'x-move-source': 'faq' });
      expect(renamed.status).toBe(201);
      expect(await names(`${portalOf(asset)}/draft/pages`)).toEqual(['home', 'Questions', 'terms']);
      expect((await call('GET', `${portalOf(asset)}/draft/pages/Questions`)).text).toBe('Q & A');

      const taken = await createPage(asset, 'home', { 'x-move-source': 'terms' });
      expect(taken).toMatchObject({
        status: 409,
        body: {
          code: 'PORTAL_PAGE_ALREADY_EXISTS',
          message: `Page home already exists in the draft of asset ${asset.groupId}/${asset.assetId}/${asset.version}`,
        },
      });
      const missing = await createPage(asset, 'other', { 'x-move-source': 'faq' });
      expect(missing).toMatchObject({ status: 404, body: { code: 'PORTAL_PAGE_NOT_FOUND' } });
      expect(missing.body.message).toContain('Page faq not found in the draft of asset');
      expect(await names(`${portalOf(asset)}/draft/pages`)).toEqual(['home', 'Questions', 'terms']);
    });

    it('answers a page that exists with 409 and one that does not with 404', async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'home');
      expect(await createPage(asset, 'home')).toMatchObject({ status: 409, body: { code: 'PORTAL_PAGE_ALREADY_EXISTS' } });
      for (const [method, path] of [
        ['PUT', '/draft/pages/nowhere'],
        ['DELETE', '/draft/pages/nowhere'],
        ['GET', '/draft/pages/nowhere'],
        ['GET', '/pages/nowhere'],
      ] as const) {
        const res = method === 'PUT' ? await writePage(asset, 'nowhere', 'x') : await call(method, `${portalOf(asset)}${path}`);
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'PORTAL_PAGE_NOT_FOUND']);
        expect(res.body.message).toMatch(/^Page nowhere not found in (the draft of )?asset /);
      }
      expect((await call('DELETE', `${portalOf(asset)}/draft/pages/home`)).status).toBe(204);
      expect(await names(`${portalOf(asset)}/draft/pages`)).toEqual([]);
    });

    it.each([
      ['empty', '', 'body.pagePath: is required'],
      ['with a slash', 'docs/faq', 'body.pagePath: must not contain /, \\, ?, #, % or control characters'],
      ['with a %', '100%', 'body.pagePath: must not contain /, \\, ?, #, % or control characters'],
      ['too long', 'x'.repeat(129), 'body.pagePath: must be at most 128 characters'],
      ['padded', ' home', 'body.pagePath: must not start or end with a space'],
      ['a dot segment', '..', 'body.pagePath: must not be . or ..'],
    ])('refuses a page name %s with 400 naming the field', async (_, name, message) => {
      const asset = await newMcpAsset(a.organizationId);
      expect(await createPage(asset, name)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', message } });
      expect(await testPrisma().exchangePortalPage.count({ where: { portal: { asset: { assetId: asset.assetId } } } })).toBe(0);
    });

    it('refuses bad names in the path and in x-move-source, fields it does not take, and bodies that are not markdown', async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'home');
      const encodedSlash = await writePage(asset, 'a/b', 'x');
      expect(encodedSlash).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^params\.pagePath: must not contain \//) },
      });
      const source = await createPage(asset, 'new', { 'x-move-source': 'x'.repeat(200) });
      expect(source).toMatchObject({ status: 400, body: { message: 'headers.x-move-source: must be at most 128 characters' } });
      const extra = await call('POST', `${portalOf(asset)}/draft/pages`, { json: { pagePath: 'p', path: 'q' } });
      expect(extra).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', message: expect.stringContaining('"path"') },
      });
      const json = await call('PUT', `${portalOf(asset)}/draft/pages/home`, { json: { content: 'x' } });
      expect(json).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      const nul = await writePage(asset, 'home', 'a\u0000b');
      expect(nul).toMatchObject({ status: 400, body: { message: 'body: must not contain NUL characters' } });
    });

    it('creates every page of concurrent requests: changes to one portal apply one after the other', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const created = await Promise.all(Array.from({ length: 8 }, (_, i) => createPage(asset, `page-${i}`)));
      expect(created.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect((await names(`${portalOf(asset)}/draft/pages`)).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `page-${i}`));
      expect(await testPrisma().exchangePortalPage.count({ where: { portalPk: (await assetRow(asset)).id } })).toBe(8);
    });
  });

  describe('resources', () => {
    it('uploads a file to the draft, publishes it and serves its bytes with its media type', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2000)]);
      const uploaded = await upload(asset, 'Weather logo.png', png);
      expect(uploaded.status).toBe(201);
      expect(uploaded.body).toEqual({ path: expect.stringMatching(RESOURCE_PATH) });
      const path: string = uploaded.body.path;
      expect(path).toMatch(/^resources\/Weather-logo-/);

      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([path]);
      expect(await paths(`${portalOf(asset)}/resources`)).toEqual([]);
      expect((await download(`${portalOf(asset)}/${path}`)).status).toBe(404);
      const draft = await download(`${portalOf(asset)}/draft/${path}`);
      expect(draft.bytes.equals(png)).toBe(true);

      await publish(asset);
      expect(await paths(`${portalOf(asset)}/resources`)).toEqual([path]);
      const published = await download(`${portalOf(asset)}/${path}`);
      expect(published.status).toBe(200);
      expect(published.bytes.equals(png)).toBe(true);
      expect(published.headers.get('content-type')).toBe('image/png');
      expect(published.headers.get('content-length')).toBe(String(png.length));
      expect(published.headers.get('x-content-type-options')).toBe('nosniff');
      expect(published.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    });

    it('takes the media type from a Content-Type field, and refuses one that is not a media type', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const typed = await upload(asset, 'diagram', '<svg/>', { 'Content-Type': 'image/svg+xml' });
      expect(typed.status).toBe(201);
      expect((await download(`${portalOf(asset)}/draft/${typed.body.path}`)).headers.get('content-type')).toBe('image/svg+xml');
      const bad = await upload(asset, 'x.png', 'x', { 'Content-Type': 'not a type' });
      expect(bad).toMatchObject({ status: 400, body: { message: 'body.Content-Type: must be a media type such as image/png' } });
      const unknown = await upload(asset, 'x.png', 'x', { name: 'logo' });
      expect(unknown).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^body\.name: is not a field/) } });
    });

    it('removes a resource from the draft; the published one goes with the next publish', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const { path } = (await upload(asset, 'a.gif', 'GIF89a')).body;
      await publish(asset);
      expect((await call('DELETE', `${portalOf(asset)}/draft/${path}`)).status).toBe(204);
      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([]);
      expect(await paths(`${portalOf(asset)}/resources`)).toEqual([path]);
      const again = await call('DELETE', `${portalOf(asset)}/draft/${path}`);
      expect(again).toMatchObject({ status: 404, body: { code: 'PORTAL_RESOURCE_NOT_FOUND' } });
      await publish(asset);
      expect(await paths(`${portalOf(asset)}/resources`)).toEqual([]);
      expect(await testPrisma().exchangePortalResource.count({ where: { portalPk: (await assetRow(asset)).id } })).toBe(0);
    });

    it('discarding the draft drops its uploads and restores what it removed', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const kept = (await upload(asset, 'kept.png', 'kept')).body.path;
      await publish(asset);
      const added = (await upload(asset, 'added.png', 'added')).body.path;
      await call('DELETE', `${portalOf(asset)}/draft/${kept}`);
      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([added]);
      await call('DELETE', `${portalOf(asset)}/draft`);
      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([kept]);
      expect(await testPrisma().exchangePortalResource.count({ where: { portalPk: (await assetRow(asset)).id } })).toBe(1);
    });

    it('refuses an upload without exactly one non-empty file', async () => {
      const asset = await newMcpAsset(a.organizationId);
      const none = new FormData();
      none.append('Content-Type', 'image/png');
      const noFile = await call('POST', `${portalOf(asset)}/draft/resources`, { multipart: none });
      expect(noFile).toMatchObject({ status: 400, body: { message: 'body: must hold the file to upload (a file part)' } });
      const two = fileForm('a.png', 'a');
      two.append('files.png', new Blob(['b']), 'b.png');
      const twoFiles = await call('POST', `${portalOf(asset)}/draft/resources`, { multipart: two });
      expect(twoFiles).toMatchObject({ status: 400, body: { message: 'body: must hold one file, not 2' } });
      expect(await upload(asset, 'empty.png', '')).toMatchObject({
        status: 400,
        body: { message: 'body.files.png: is an empty file' },
      });
      const json = await call('POST', `${portalOf(asset)}/draft/resources`, { json: { path: 'x' } });
      expect(json).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([]);
    });

    describe('with PORTICO_UPLOAD_LIMIT_BYTES=2048', () => {
      const small = useControlPlane({ overrides: { PORTICO_UPLOAD_LIMIT_BYTES: '2048' } });

      it('answers a larger file with 413 naming the limit and stores nothing', async () => {
        const asset = await newMcpAsset(small.tenant.organizationId);
        const res = await small.cp.request('POST', `${portalOf(asset)}/draft/resources`, {
          token: small.tenant.token,
          multipart: fileForm('big.png', randomBytes(3000)),
        });
        expect(res).toMatchObject({
          status: 413,
          body: { code: 'PAYLOAD_TOO_LARGE', message: 'A portal resource may be at most 2 KiB (2048 bytes)' },
        });
        const fits = await small.cp.request('POST', `${portalOf(asset)}/draft/resources`, {
          token: small.tenant.token,
          multipart: fileForm('fits.png', randomBytes(2048)),
        });
        expect(fits.status).toBe(201);
        expect(await testPrisma().exchangePortalResource.count({ where: { portalPk: (await assetRow(asset)).id } })).toBe(1);
      });
    });
  });

  describe('permissions', () => {
    it("answers another organization's asset with 404 on every route and changes nothing", async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'home');
      const { path } = (await upload(asset, 'a.png', 'a')).body;
      await publish(asset);
      const notFound = { code: 'ASSET_NOT_FOUND', message: `Asset ${asset.groupId}/${asset.assetId}/${asset.version} not found` };
      const v1 = `/exchange/api/v1/assets/${asset.groupId}/${asset.assetId}/${asset.version}`;
      const attempts: [string, string, Parameters<TestControlPlane['request']>[2]?][] = [
        ['GET', portalOf(asset)],
        ['PATCH', portalOf(asset)],
        ['PATCH', v1],
        ['GET', `${portalOf(asset)}/pages`],
        ['GET', `${portalOf(asset)}/pages/home`],
        ['GET', `${portalOf(asset)}/resources`],
        ['GET', `${portalOf(asset)}/${path}`],
        ['GET', `${portalOf(asset)}/draft`],
        ['PUT', `${portalOf(asset)}/draft`],
        ['DELETE', `${portalOf(asset)}/draft`],
        ['POST', `${portalOf(asset)}/draft/pages`, { json: { pagePath: 'intruder' } }],
        ['PUT', `${portalOf(asset)}/draft/pages/home`, { raw: 'defaced', contentType: 'text/markdown' }],
        ['DELETE', `${portalOf(asset)}/draft/pages/home`],
        ['POST', `${portalOf(asset)}/draft/resources`, { multipart: fileForm('x.png', 'x') }],
        ['DELETE', `${portalOf(asset)}/draft/${path}`],
      ];
      for (const [method, url, options] of attempts) {
        const res = await cp.request(method, url, { token: b.token, ...options });
        expect([method, url, res.status, res.body]).toEqual([method, url, 404, expect.objectContaining(notFound)]);
      }
      expect(await names(`${portalOf(asset)}/pages`)).toEqual(['home']);
      expect(await paths(`${portalOf(asset)}/draft/resources`)).toEqual([path]);
    });

    it('lets an Exchange Viewer read the published portal only; the draft needs Exchange Contributor', async () => {
      const asset = await newMcpAsset(a.organizationId);
      await createPage(asset, 'home');
      await publish(asset);
      const viewer = await newUser(cp, a.organizationId, ['read:exchange']);
      const as = (method: string, url: string, options = {}) => cp.request(method, url, { token: viewer.token, ...options });
      expect((await as('GET', `${portalOf(asset)}/pages`)).body).toEqual([{ path: 'home', name: 'home' }]);
      expect((await as('GET', `${portalOf(asset)}/pages/home`)).status).toBe(200);
      const forbidden = {
        code: 'FORBIDDEN',
        message: `You need the Exchange Contributor permission (create:exchange) in organization ${a.organizationId}`,
      };
      expect(await as('GET', `${portalOf(asset)}/draft`)).toMatchObject({ status: 403, body: forbidden });
      expect(await as('POST', `${portalOf(asset)}/draft/pages`, { json: { pagePath: 'x' } })).toMatchObject({
        status: 403,
        body: forbidden,
      });
      expect(await as('PATCH', portalOf(asset))).toMatchObject({ status: 403, body: forbidden });
      const contributor = await newUser(cp, a.organizationId, ['create:exchange']);
      const created = await cp.request('POST', `${portalOf(asset)}/draft/pages`, {
        token: contributor.token,
        json: { pagePath: 'x' },
      });
      expect(created.status).toBe(201);
    });

    it("keeps the built-in policy catalog's documentation read-only", async () => {
      const catalog = { groupId: POLICY_GROUP_ID, assetId: 'rate-limiting', version: '1.4.1' };
      expect((await call('GET', `${portalOf(catalog)}/pages`)).body).toEqual([]);
      const res = await createPage(catalog, 'home');
      expect(res).toMatchObject({ status: 403, body: { code: 'ASSET_READ_ONLY' } });
    });
  });

  it('records a publish in the audit trail with the published pages and resources before and after', async () => {
    const asset = await newMcpAsset(a.organizationId);
    await createPage(asset, 'home');
    const { path } = (await upload(asset, 'logo.png', 'png')).body;
    const requestId = `portal-publish-${uniqueName('req')}`;
    await call('PATCH', portalOf(asset), { headers: { 'x-request-id': requestId } });
    const records = await testPrisma().auditRecord.findMany({ where: { requestId } });
    expect(records).toEqual([
      expect.objectContaining({
        organizationId: a.organizationId,
        action: 'update',
        resourceType: 'exchange-asset',
        resourceId: `${asset.groupId}/${asset.assetId}/${asset.version}`,
        before: { portal: { pages: [], resources: [] } },
        after: { portal: { pages: ['home'], resources: [path] } },
      }),
    ]);
  });

  it('deletes the portal with its asset version', async () => {
    const asset = await newMcpAsset(a.organizationId);
    await createPage(asset, 'home');
    await upload(asset, 'logo.png', 'png');
    await publish(asset);
    const { id } = await assetRow(asset);
    await testPrisma().exchangeAsset.delete({ where: { id } });
    const prisma = testPrisma();
    expect(
      await Promise.all([
        prisma.exchangePortal.count({ where: { assetPk: id } }),
        prisma.exchangePortalPage.count({ where: { portalPk: id } }),
        prisma.exchangePortalResource.count({ where: { portalPk: id } }),
      ]),
    ).toEqual([0, 0, 0]);
  });

  it('answers a soft-deleted asset version with 404', async () => {
    const asset = await newMcpAsset(a.organizationId);
    await createPage(asset, 'home');
    await call('DELETE', `/exchange/api/v2/assets/${asset.groupId}/${asset.assetId}/${asset.version}`);
    expect(await call('GET', `${portalOf(asset)}/draft`)).toMatchObject({ status: 404, body: { code: 'ASSET_NOT_FOUND' } });
  });
});

function assetRow(asset: Asset) {
  return testPrisma().exchangeAsset.findUniqueOrThrow({
    where: { groupId_assetId_version: { groupId: asset.groupId, assetId: asset.assetId, version: asset.version } },
  });
}
