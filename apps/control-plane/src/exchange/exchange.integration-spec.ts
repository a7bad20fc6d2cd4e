import { createHash, randomUUID } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';
import { randomClientId } from '../common/secrets.js';

const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

function publishUrl(orgId: string, groupId: string, assetId: string, version: string): string {
  return `/exchange/api/v2/organizations/${orgId}/assets/${groupId}/${assetId}/${version}`;
}

/** A v2 publish form: plain fields, then files as Blobs. */
function form(fields: Record<string, string>, files: Record<string, string | Buffer> = {}): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const [k, v] of Object.entries(files)) fd.append(k, new Blob([v]), `${k.split('.').slice(1).join('.')}`);
  return fd;
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');

async function rowsFor(assetId: string) {
  const prisma = testPrisma();
  const assets = await prisma.exchangeAsset.count({ where: { assetId } });
  const runs = await prisma.publicationRun.count({ where: { assetId } });
  const files = await prisma.exchangeAssetFile.count({ where: { asset: { assetId } } });
  return { assets, runs, files };
}

describe('Exchange', () => {
  let cp: TestControlPlane;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    cp = await startControlPlane();
    [a, b] = await Promise.all([newTenant(cp), newTenant(cp)]);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  /** Publishes synchronously and returns the 201 body. */
  async function publish(
    tenant: TestTenant,
    assetId: string,
    version = '1.0.0',
    extra: Record<string, string> = {},
    orgId = tenant.organizationId,
  ) {
    const res = await cp.request('POST', publishUrl(orgId, orgId, assetId, version), {
      token: tenant.token,
      headers: { 'x-sync-publication': 'true' },
      multipart: form({ name: `Asset ${assetId}`, type: 'mcp', ...extra }),
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('v2 publish', () => {
    it('publishes an mcp asset synchronously with its metadata file and platform (201)', async () => {
      const assetId = uniqueName('mcp');
      const metadata = JSON.stringify({ platform: 'from-file', tools: [] });
      const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0'), {
        token: a.token,
        headers: { 'x-sync-publication': 'true' },
        multipart: form(
          {
            name: 'Weather MCP',
            description: 'Weather tools',
            type: 'mcp',
            tags: 'weather, tools,weather',
            'properties.platform': '"mulesoft"',
            contactEmail: 'ops@example.com',
            groupId: a.organizationId,
            assetId,
            version: '1.0.0',
            organizationId: a.organizationId,
          },
          { 'files.mcp-metadata.json': metadata },
        ),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        organizationId: a.organizationId,
        groupId: a.organizationId,
        assetId,
        version: '1.0.0',
        minorVersion: '1.0',
        name: 'Weather MCP',
        description: 'Weather tools',
        type: 'mcp',
        status: 'published',
        isPublic: false,
        contactEmail: 'ops@example.com',
        attributes: [{ key: 'platform', value: 'mulesoft' }],
        labels: ['weather', 'tools'],
      });
      expect(res.body.files).toEqual([
        {
          classifier: 'mcp-metadata',
          packaging: 'json',
          md5: md5(metadata),
          sha1: sha1(metadata),
          createdDate: expect.any(String),
          downloadURL: `${cp.url}/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0/files/mcp-metadata/json`,
          externalLink: expect.stringMatching(
            new RegExp(
              `^${cp.url}/exchange/api/v2/assets/${a.organizationId}/${assetId}/1\\.0\\.0/files/mcp-metadata/json/${assetId}-1\\.0\\.0-mcp-metadata\\.json\\?link=\\d+\\.\\d+\\.[\\w-]{22}$`,
            ),
          ),
          mainFile: null,
          isGenerated: false,
        },
      ]);
      expect(await rowsFor(assetId)).toEqual({ assets: 1, runs: 0, files: 1 });
    });

    it('publishes asynchronously (202) with a status link that resolves to a completed run carrying the asset', async () => {
      const assetId = uniqueName('mcp');
      const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0'), {
        token: a.token,
        headers: { 'x-sync-publication': 'false' },
        multipart: form({ name: 'Async MCP', type: 'mcp' }, { 'files.mcp-metadata.json': '{"platform":"openai"}' }),
      });
      expect(res.status).toBe(202);
      const prefix = `${cp.url}${publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0')}/publication/status/`;
      expect(res.body).toEqual({
        publicationStatusLink: expect.stringMatching(new RegExp(`^${prefix.replace(/[.]/g, '\\.')}[0-9a-f-]{36}$`)),
      });

      const status = await cp.request('GET', res.body.publicationStatusLink.slice(cp.url.length), { token: a.token });
      expect(status.status).toBe(200);
      expect(status.body).toEqual({
        status: 'completed',
        assetType: 'mcp',
        steps: [
          { description: 'Validating', status: 'completed', errors: [] },
          { description: 'Files processing', status: 'completed', errors: [] },
          { description: 'Publishing', status: 'completed', errors: [] },
        ],
        asset: {
          organizationId: a.organizationId,
          groupId: a.organizationId,
          assetId,
          version: '1.0.0',
          name: 'Async MCP',
          type: 'mcp',
          status: 'published',
        },
      });
      const latest = await cp.request(
        'GET',
        `${publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0')}/publication/status`,
        { token: a.token },
      );
      expect(latest.body).toEqual(status.body);

      // the platform comes from the metadata file when no properties.platform is given
      const asset = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0`, { token: a.token });
      expect(asset.body.attributes).toEqual([{ key: 'platform', value: 'openai' }]);
    });

    it('answers an unknown publication run with 404', async () => {
      const assetId = uniqueName('mcp');
      await publish(a, assetId);
      const base = `${publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0')}/publication/status`;
      for (const path of [base, `${base}/${randomUUID()}`, `${base}/not-a-uuid`]) {
        const res = await cp.request('GET', path, { token: a.token });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('PUBLICATION_NOT_FOUND');
      }
    });

    it('publishes into a business group of the organization', async () => {
      const group = await testPrisma().organization.create({
        data: { name: uniqueName('bg'), parentId: a.organizationId, clientId: randomClientId() },
      });
      const assetId = uniqueName('mcp');
      const res = await cp.request('POST', publishUrl(a.organizationId, group.id, assetId, '1.0.0'), {
        token: a.token,
        headers: { 'x-sync-publication': 'true' },
        multipart: form({ name: 'In a group', type: 'mcp' }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ organizationId: a.organizationId, groupId: group.id });
    });

    it('answers DELETE on the publish URL with 405', async () => {
      const res = await cp.request('DELETE', publishUrl(a.organizationId, a.organizationId, 'x', '1.0.0'), { token: a.token });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    });
  });

  describe('legacy and JSON create', () => {
    it('creates an asset from the JSON body of seed 001 step 1 (201)', async () => {
      const assetId = uniqueName('mcp');
      const res = await cp.request('POST', '/exchange/api/v2/assets', {
        token: a.token,
        json: {
          groupId: a.organizationId,
          assetId,
          version: '1.0.0',
          name: 'My MCP Server',
          type: 'mcp',
          properties: { platform: 'mulesoft' },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        organizationId: a.organizationId,
        groupId: a.organizationId,
        assetId,
        version: '1.0.0',
        type: 'mcp',
        attributes: [{ key: 'platform', value: 'mulesoft' }],
        files: [],
      });
    });

    it('creates an asset from a legacy multipart form, typed by its classifier', async () => {
      const assetId = uniqueName('api');
      const spec = 'openapi: 3.0.0\n';
      const fd = form({
        organizationId: a.organizationId,
        groupId: a.organizationId,
        assetId,
        version: '2.1.0',
        name: 'Legacy',
        classifier: 'oas',
        tags: '["x","y"]',
      });
      fd.append('asset', new Blob([spec]), 'api.yaml');
      const res = await cp.request('POST', '/exchange/api/v2/assets', { token: a.token, multipart: fd });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ assetId, type: 'rest-api', labels: ['x', 'y'] });
      expect(res.body.files).toMatchObject([{ classifier: 'oas', packaging: 'yaml', md5: md5(spec) }]);
    });

    it('refuses other content types with 415', async () => {
      const res = await cp.request('POST', '/exchange/api/v2/assets', {
        token: a.token,
        raw: 'name=x',
        contentType: 'text/plain',
      });
      expect(res.status).toBe(415);
      expect(res.body.message).toBe('Content-Type must be application/json or multipart/form-data');
    });
  });

  describe('search', () => {
    it('finds mcp assets across the organizations the caller sees, and public ones, but not other tenants', async () => {
      const tag = uniqueName('find');
      const group = await testPrisma().organization.create({
        data: { name: uniqueName('bg'), parentId: a.organizationId, clientId: randomClientId() },
      });
      await publish(a, `${tag}-root`);
      await publish(a, `${tag}-group`, '1.0.0', {}, group.id);
      await publish(a, `${tag}-rest`, '1.0.0', { type: 'rest-api' });
      await publish(b, `${tag}-other`);
      const catalogAssetId = `${tag}-policy`;
      await testPrisma().exchangeAsset.create({
        data: {
          organizationId: POLICY_GROUP,
          groupId: POLICY_GROUP,
          assetId: catalogAssetId,
          version: '1.0.0',
          name: 'Catalog',
          type: 'policy',
          isPublic: true,
          tags: [],
        },
      });

      const res = await cp.request('GET', `/exchange/api/v2/assets/search?types=mcp&search=${tag.toUpperCase()}`, {
        token: a.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.map((i: { assetId: string }) => i.assetId).sort()).toEqual([`${tag}-group`, `${tag}-root`]);
      const item = res.body.find((i: { assetId: string }) => i.assetId === `${tag}-group`);
      expect(item).toEqual({
        id: `${group.id}/${tag}-group/1.0.0`,
        organizationId: group.id,
        groupId: group.id,
        assetId: `${tag}-group`,
        version: '1.0.0',
        minorVersion: '1.0',
        versionGroup: '1.0.0',
        description: null,
        isPublic: false,
        name: `Asset ${tag}-group`,
        type: 'mcp',
        status: 'published',
        isSnapshot: false,
        createdById: expect.any(String),
        createdAt: expect.any(String),
        createdDate: expect.any(String),
        updatedDate: expect.any(String),
        attributes: [],
        labels: [],
        tags: [],
      });

      const several = await cp.request(
        'GET',
        `/exchange/api/v2/assets/search?types=mcp&types=policy,rest-api&search=${tag}&sort=assetId`,
        {
          token: a.token,
        },
      );
      expect(several.body.map((i: { assetId: string }) => i.assetId)).toEqual([
        `${tag}-group`,
        `${tag}-policy`,
        `${tag}-rest`,
        `${tag}-root`,
      ]);
      expect(several.body[1]).toMatchObject({ organizationId: POLICY_GROUP, type: 'policy', isPublic: true });

      const byOrg = await cp.request('GET', `/exchange/api/v2/assets/search?search=${tag}&organizationId=${group.id}`, {
        token: a.token,
      });
      expect(byOrg.body.map((i: { assetId: string }) => i.assetId)).toEqual([`${tag}-group`]);

      const paged = await cp.request(
        'GET',
        `/exchange/api/v2/assets/search?search=${tag}&sort=assetId&ascending=false&offset=1&limit=2`,
        { token: a.token },
      );
      expect(paged.body.map((i: { assetId: string }) => i.assetId)).toEqual([`${tag}-rest`, `${tag}-policy`]);

      const other = await cp.request('GET', `/exchange/api/v2/assets/search?types=mcp&search=${tag}`, { token: b.token });
      expect(other.body.map((i: { assetId: string }) => i.assetId)).toEqual([`${tag}-other`]);

      // without read:exchange in its organization a user sees only public assets
      const outsider = await newUser(cp, a.organizationId, ['read:api_configuration']);
      const limited = await cp.request('GET', `/exchange/api/v2/assets/search?search=${tag}`, { token: outsider.token });
      expect(limited.body.map((i: { assetId: string }) => i.assetId)).toEqual([`${tag}-policy`]);
    });

    it('names an unknown type and an out-of-range limit with 400', async () => {
      const unknown = await cp.request('GET', '/exchange/api/v2/assets/search?types=mcp,widget', { token: a.token });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('VALIDATION_FAILED');
      expect(unknown.body.message).toMatch(/^query\.types: unknown asset type 'widget' \(expected rest-api, /);

      const limit = await cp.request('GET', '/exchange/api/v2/assets/search?limit=251', { token: a.token });
      expect(limit.status).toBe(400);
      expect(limit.body.message).toBe('query.limit: must be at most 250');
    });

    it('names an organization id that is not a UUID with 400 (found by the REST fuzz: it was a 500)', async () => {
      const res = await cp.request('GET', `/exchange/api/v2/assets/search?organizationId=${a.organizationId},!`, {
        token: a.token,
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'query.organizationId.1: must be an organization id (a UUID)',
      });
    });
  });

  describe('get, latest and files', () => {
    it('returns a version with its files and versions, the latest by semver, and the stored bytes', async () => {
      const assetId = uniqueName('mcp');
      const metadata = '{"platform":"mulesoft"}';
      for (const version of ['1.2.0', '1.10.0', '1.9.0']) {
        const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, version), {
          token: a.token,
          headers: { 'x-sync-publication': 'true' },
          multipart: form({ name: `v${version}`, type: 'mcp' }, { 'files.mcp-metadata.json': metadata }),
        });
        expect(res.status).toBe(201);
      }
      const one = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.2.0`, { token: a.token });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ version: '1.2.0', name: 'v1.2.0', attributes: [{ key: 'platform', value: 'mulesoft' }] });
      expect(one.body.versions.map((v: { version: string }) => v.version)).toEqual(['1.10.0', '1.9.0', '1.2.0']);

      const latest = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}`, { token: a.token });
      expect(latest.status).toBe(200);
      expect(latest.body).toMatchObject({ version: '1.10.0', name: 'v1.10.0' });

      const file = await fetch(latest.body.files[0].downloadURL, { headers: { authorization: `Bearer ${a.token}` } });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await file.text()).toBe(metadata);

      const missingFile = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.2.0/files/oas/zip`, {
        token: a.token,
      });
      expect(missingFile.status).toBe(404);
      expect(missingFile.body.code).toBe('ASSET_FILE_NOT_FOUND');
    });

    it("answers 404 for a missing asset and for another tenant's asset alike", async () => {
      const assetId = uniqueName('mcp');
      await publish(a, assetId, '1.0.0', {});
      await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, '1.0.1'), {
        token: a.token,
        headers: { 'x-sync-publication': 'true' },
        multipart: form({ name: 'with file', type: 'mcp' }, { 'files.mcp-metadata.json': '{}' }),
      });
      const hidden = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0`, { token: b.token });
      const missing = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}-none/1.0.0`, {
        token: b.token,
      });
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual({
        status: 404,
        name: 'NotFoundError',
        code: 'ASSET_NOT_FOUND',
        message: `Asset ${a.organizationId}/${assetId}/1.0.0 not found`,
      });
      expect(missing.body.code).toBe('ASSET_NOT_FOUND');

      const latest = await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}`, { token: b.token });
      expect(latest.status).toBe(404);
      const file = await cp.request(
        'GET',
        `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.1/files/mcp-metadata/json`,
        { token: b.token },
      );
      expect(file.status).toBe(404);
      expect(file.body.code).toBe('ASSET_NOT_FOUND');
      const del = await cp.request('DELETE', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0`, { token: b.token });
      expect(del.status).toBe(404);

      // another tenant's organization is not found, on publish and on create
      const pub = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, uniqueName('x'), '1.0.0'), {
        token: b.token,
        multipart: form({ name: 'x', type: 'mcp' }),
      });
      expect(pub.status).toBe(404);
      expect(pub.body).toMatchObject({ code: 'ORGANIZATION_NOT_FOUND', message: `Organization ${a.organizationId} not found` });
      const create = await cp.request('POST', '/exchange/api/v2/assets', {
        token: b.token,
        json: {
          organizationId: a.organizationId,
          groupId: a.organizationId,
          assetId: uniqueName('x'),
          version: '1.0.0',
          name: 'x',
          type: 'mcp',
        },
      });
      expect(create.status).toBe(404);
      expect(create.body.code).toBe('ORGANIZATION_NOT_FOUND');
      const noOrg = await cp.request('POST', '/exchange/api/v2/assets', {
        token: b.token,
        json: { groupId: a.organizationId, assetId: uniqueName('x'), version: '1.0.0', name: 'x', type: 'mcp' },
      });
      expect(noOrg.status).toBe(400);
      expect(noOrg.body.message).toBe(
        'body.groupId: must be the id of an organization or business group you can see, or give organizationId',
      );
      const foreignGroup = await cp.request('POST', publishUrl(b.organizationId, a.organizationId, uniqueName('x'), '1.0.0'), {
        token: b.token,
        multipart: form({ name: 'x', type: 'mcp' }),
      });
      expect(foreignGroup.status).toBe(400);
      expect(foreignGroup.body.message).toBe(
        `params.groupId: must be ${b.organizationId} or the id of another organization or business group you can see`,
      );
    });
  });

  describe('delete', () => {
    it('soft-deletes a version: gone from search and get, and its triple stays taken', async () => {
      const assetId = uniqueName('mcp');
      await publish(a, assetId);
      const path = `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0`;
      const del = await cp.request('DELETE', path, { token: a.token });
      expect(del.status).toBe(204);

      expect((await cp.request('GET', path, { token: a.token })).status).toBe(404);
      expect((await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${assetId}`, { token: a.token })).status).toBe(
        404,
      );
      const search = await cp.request('GET', `/exchange/api/v2/assets/search?search=${assetId}`, { token: a.token });
      expect(search.body).toEqual([]);
      const row = await testPrisma().exchangeAsset.findFirstOrThrow({ where: { assetId } });
      expect(row.status).toBe('deleted');
      expect(row.deletedAt).toBeInstanceOf(Date);

      const again = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0'), {
        token: a.token,
        headers: { 'x-sync-publication': 'true' },
        multipart: form({ name: 'again', type: 'mcp' }),
      });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        status: 409,
        name: 'ConflictError',
        code: 'ASSET_PRE_CONDITIONS_FAILED',
        message: `Asset ${a.organizationId}/${assetId}/1.0.0 already exists; a version can be published only once, even after it is deleted`,
      });
      const json = await cp.request('POST', '/exchange/api/v2/assets', {
        token: a.token,
        json: { groupId: a.organizationId, assetId, version: '1.0.0', name: 'again', type: 'mcp' },
      });
      expect(json.status).toBe(409);
      expect(json.body.code).toBe('ASSET_PRE_CONDITIONS_FAILED');
      expect((await cp.request('DELETE', path, { token: a.token })).status).toBe(404);
      expect(await rowsFor(assetId)).toEqual({ assets: 1, runs: 0, files: 0 });
    });

    it('keeps a version an API instance uses (409) and the built-in catalog (403)', async () => {
      const assetId = uniqueName('mcp');
      await publish(a, assetId);
      const instance = await testPrisma().apiInstance.create({
        data: {
          organizationId: a.organizationId,
          environmentId: a.sandboxId,
          groupId: a.organizationId,
          assetId,
          assetVersion: '1.0.0',
          productVersion: 'v1',
          technology: 'flexGateway',
        },
      });
      const inUse = await cp.request('DELETE', `/exchange/api/v2/assets/${a.organizationId}/${assetId}/1.0.0`, {
        token: a.token,
      });
      expect(inUse.status).toBe(409);
      expect(inUse.body).toMatchObject({
        code: 'ASSET_IN_USE',
        message: `Asset ${a.organizationId}/${assetId}/1.0.0 is the spec of API instance ${instance.id} (Sandbox); delete it or change its asset version first`,
      });

      const catalogId = uniqueName('policy');
      await testPrisma().exchangeAsset.create({
        data: {
          organizationId: POLICY_GROUP,
          groupId: POLICY_GROUP,
          assetId: catalogId,
          version: '1.0.0',
          name: 'Catalog',
          type: 'policy',
          isPublic: true,
          tags: [],
        },
      });
      const builtIn = await cp.request('DELETE', `/exchange/api/v2/assets/${POLICY_GROUP}/${catalogId}/1.0.0`, {
        token: a.token,
      });
      expect(builtIn.status).toBe(403);
      expect(builtIn.body).toMatchObject({ code: 'ASSET_READ_ONLY' });
    });
  });

  describe('permissions', () => {
    it('needs create:exchange to publish, create and delete (403)', async () => {
      const viewer = await newUser(cp, a.organizationId, ['read:exchange']);
      const expected = {
        status: 403,
        name: 'ForbiddenError',
        code: 'FORBIDDEN',
        message: `You need the Exchange Contributor permission (create:exchange) in organization ${a.organizationId}`,
      };
      const assetId = uniqueName('mcp');
      const pub = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, '1.0.0'), {
        token: viewer.token,
        multipart: form({ name: 'x', type: 'mcp' }),
      });
      expect(pub.status).toBe(403);
      expect(pub.body).toEqual(expected);
      const create = await cp.request('POST', '/exchange/api/v2/assets', {
        token: viewer.token,
        json: { groupId: a.organizationId, assetId, version: '1.0.0', name: 'x', type: 'mcp' },
      });
      expect(create.status).toBe(403);
      expect(create.body).toEqual(expected);
      expect(await rowsFor(assetId)).toEqual({ assets: 0, runs: 0, files: 0 });

      const existing = uniqueName('mcp');
      await publish(a, existing);
      const del = await cp.request('DELETE', `/exchange/api/v2/assets/${a.organizationId}/${existing}/1.0.0`, {
        token: viewer.token,
      });
      expect(del.status).toBe(403);
      expect(del.body).toEqual(expected);
      // a viewer still reads it
      expect(
        (await cp.request('GET', `/exchange/api/v2/assets/${a.organizationId}/${existing}/1.0.0`, { token: viewer.token }))
          .status,
      ).toBe(200);
    });
  });

  describe('bad input writes nothing', () => {
    async function expectRejected(
      fields: Record<string, string>,
      files: Record<string, string>,
      status: number,
      message: string | RegExp,
      version = '1.0.0',
    ) {
      const assetId = uniqueName('bad');
      const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, assetId, version), {
        token: a.token,
        headers: { 'x-sync-publication': 'false' },
        multipart: form(fields, files),
      });
      expect(res.status).toBe(status);
      if (typeof message === 'string') expect(res.body.message).toBe(message);
      else expect(res.body.message).toMatch(message);
      expect(await rowsFor(assetId)).toEqual({ assets: 0, runs: 0, files: 0 });
      return res;
    }

    it('names a missing name or type', async () => {
      const res = await expectRejected({ type: 'mcp' }, {}, 400, 'body.name: is required');
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/body/name', message: 'is required' }] });
      await expectRejected({ name: 'x' }, {}, 400, 'body.type: is required');
    });

    it('names an unknown or reserved type', async () => {
      await expectRejected({ name: 'x', type: 'widget' }, {}, 400, /^body\.type: must be one of rest-api, soap-api, .*, policy$/);
      await expectRejected(
        { name: 'x', type: 'policy' },
        {},
        400,
        'body.type: policy is reserved for the built-in policy catalog',
      );
    });

    it('names a bad version or asset id in the path', async () => {
      await expectRejected(
        { name: 'x', type: 'mcp' },
        {},
        400,
        'params.version: must be a semantic version x.y.z (optionally with a -prerelease suffix)',
        '1.0',
      );
      const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, '-bad', '1.0.0'), {
        token: a.token,
        multipart: form({ name: 'x', type: 'mcp' }),
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^params\.assetId: must start with a letter or digit/);
    });

    it('refuses fields it does not know by name, and dependencies on assets that are not there', async () => {
      await expectRejected({ name: 'x', type: 'mcp', owner: 'me' }, {}, 400, 'body: Unrecognized key: "owner"');
      await expectRejected(
        { name: 'x', type: 'mcp', dependencies: `${a.organizationId}:missing:1.0.0` },
        {},
        400,
        `body.dependencies: asset ${a.organizationId}:missing:1.0.0 not found`,
      );
      await expectRejected(
        { name: 'x', type: 'mcp', dependencies: 'g:a' },
        {},
        400,
        "body.dependencies: 'g:a' is not groupId:assetId:version",
      );
      await expectRejected(
        { name: 'x', type: 'mcp', categories: '[]', 'categories.industry': 'retail' },
        {},
        400,
        'body.categories.industry: cannot be combined with categories (the JSON list)',
      );
    });

    it('names a redundant field that does not match the path', async () => {
      await expectRejected(
        { name: 'x', type: 'mcp', version: '9.9.9' },
        {},
        400,
        'body.version: must match the version in the path (1.0.0)',
      );
    });

    it('rejects an invalid mcp-metadata.json without writing the asset or its other files', async () => {
      await expectRejected(
        { name: 'x', type: 'mcp' },
        { 'files.docs.md': '# docs', 'files.mcp-metadata.json': '{"platform": ' },
        400,
        /^body\.files\.mcp-metadata\.json: is not valid JSON \(/,
      );
      await expectRejected(
        { name: 'x', type: 'mcp' },
        { 'files.mcp-metadata.json': '["x"]' },
        400,
        'body.files.mcp-metadata.json: must be a JSON object',
      );
      await expectRejected(
        { name: 'x', type: 'mcp' },
        { 'files.nopackaging': 'x' },
        400,
        /^body\.files\.nopackaging: file fields are named/,
      );
    });

    it('answers a publish that is not multipart with 415', async () => {
      const res = await cp.request('POST', publishUrl(a.organizationId, a.organizationId, uniqueName('bad'), '1.0.0'), {
        token: a.token,
        json: { name: 'x', type: 'mcp' },
      });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Type must be multipart/form-data to publish an asset',
      });
    });

    it('names bad JSON bodies on create', async () => {
      const malformed = await cp.request('POST', '/exchange/api/v2/assets', { token: a.token, raw: '{"groupId": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('MALFORMED_BODY');

      const assetId = uniqueName('bad');
      const badVersion = await cp.request('POST', '/exchange/api/v2/assets', {
        token: a.token,
        json: { groupId: a.organizationId, assetId, version: 'latest', name: 'x', type: 'mcp' },
      });
      expect(badVersion.status).toBe(400);
      expect(badVersion.body.message).toBe(
        'body.version: must be a semantic version x.y.z (optionally with a -prerelease suffix)',
      );
      const noType = await cp.request('POST', '/exchange/api/v2/assets', {
        token: a.token,
        json: { groupId: a.organizationId, assetId, version: '1.0.0', name: 'x' },
      });
      expect(noType.body.message).toBe('body.type: is required');
      expect(await rowsFor(assetId)).toEqual({ assets: 0, runs: 0, files: 0 });
    });

    describe('with a 2 KiB upload limit', () => {
      let small: TestControlPlane;
      let tenant: TestTenant;
      beforeAll(async () => {
        small = await startControlPlane({ PORTICO_UPLOAD_LIMIT_BYTES: '2048' });
        tenant = await newTenant(small);
      });
      afterAll(() => small.close());

      it.each([
        ['one file over the limit', { 'files.big.bin': 'x'.repeat(3000) }],
        ['files that together exceed it', { 'files.one.bin': 'x'.repeat(1500), 'files.two.bin': 'y'.repeat(1500) }],
      ])('answers %s with 413 and writes nothing', async (_, files) => {
        const assetId = uniqueName('big');
        const res = await small.request('POST', publishUrl(tenant.organizationId, tenant.organizationId, assetId, '1.0.0'), {
          token: tenant.token,
          multipart: form({ name: 'big', type: 'mcp' }, files),
        });
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'Upload is larger than the allowed limit' });
        expect(await rowsFor(assetId)).toEqual({ assets: 0, runs: 0, files: 0 });
      });
    });
  });
});
