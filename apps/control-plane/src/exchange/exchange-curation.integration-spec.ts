/**
 * The Exchange routes that change or read a published version (status, metadata, tags, mutable
 * data, the v1 asset body, deletes, externalLinks), over real HTTP against a real database: the
 * exact refusals, and that nothing half-changes.
 */
import { newUser, testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';
import { useControlPlane } from '../../test/support/harness.js';
import { randomClientId } from '../common/secrets.js';

const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

describe('Exchange curation', () => {
  const h = useControlPlane({ tenants: 2 });
  /** the tenant that owns the assets, and another one */
  const a = () => h.tenants[0]!;
  const b = () => h.tenants[1]!;

  const v2 = (path: string) => `/exchange/api/v2/assets/${path}`;
  const v1 = (path: string) => `/exchange/api/v1/assets/${path}`;
  const orgV1 = (org: string, path: string) => `/exchange/api/v1/organizations/${org}/assets/${path}`;

  function form(fields: Record<string, string>, files: Record<string, string | Buffer> = {}): FormData {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const [k, v] of Object.entries(files)) fd.append(k, new Blob([v]), k.slice('files.'.length));
    return fd;
  }

  /** Publishes `assetId` in `tenant`'s organization (or `orgId`); returns its group/asset/version path. */
  async function publish(
    tenant: TestTenant,
    assetId: string,
    fields: Record<string, string> = {},
    files: Record<string, string | Buffer> = {},
    orgId = tenant.organizationId,
  ): Promise<string> {
    const version = fields.version ?? '1.0.0';
    const res = await h.cp.request('POST', `/exchange/api/v2/organizations/${orgId}/assets/${orgId}/${assetId}/${version}`, {
      token: tenant.token,
      headers: { 'x-sync-publication': 'true' },
      multipart: form({ name: `Asset ${assetId}`, type: 'mcp', ...fields }, files),
    });
    expect(res.status).toBe(201);
    return `${orgId}/${assetId}/${version}`;
  }

  async function row(path: string) {
    const [groupId, assetId, version] = path.split('/') as [string, string, string];
    return testPrisma().exchangeAsset.findUnique({ where: { groupId_assetId_version: { groupId, assetId, version } } });
  }

  const setStatus = (path: string, status: unknown, token = a().token) =>
    h.cp.request('PUT', `${v2(path)}/status`, { token, json: { status } });

  describe('status', () => {
    it('moves along the lifecycle and records each change', async () => {
      const path = await publish(a(), uniqueName('life'), { status: 'development' });
      expect((await setStatus(path, 'published')).status).toBe(204);
      expect((await setStatus(path, 'deprecated')).status).toBe(204);
      expect((await row(path))?.status).toBe('deprecated');
      expect((await setStatus(path, 'deprecated')).status).toBe(204);
      expect((await setStatus(path, 'published')).status).toBe(204);
      const records = await testPrisma().auditRecord.findMany({
        where: { resourceId: path, action: 'update' },
        orderBy: { id: 'asc' },
      });
      expect(records.map((r) => [(r.before as { status: string }).status, (r.after as { status: string }).status])).toEqual([
        ['development', 'published'],
        ['published', 'deprecated'],
        ['deprecated', 'published'],
      ]);
    });

    it('refuses a step back, an unknown status and extra fields by name', async () => {
      const path = await publish(a(), uniqueName('life'));
      expect((await setStatus(path, 'development')).body).toEqual({
        status: 409,
        name: 'ConflictError',
        code: 'ASSET_STATUS_CONFLICT',
        message: `Asset ${path} is published: its status can change to deprecated, not to development`,
      });
      const dev = await publish(a(), uniqueName('life'), { status: 'development' });
      expect((await setStatus(dev, 'deprecated')).body.message).toBe(
        `Asset ${dev} is development: its status can change to published, not to deprecated`,
      );
      expect((await setStatus(path, 'deleted')).body.message).toBe(
        'body.status: must be one of development, published, deprecated',
      );
      const extra = await h.cp.request('PUT', `${v2(path)}/status`, {
        token: a().token,
        json: { status: 'deprecated', reason: 'old' },
      });
      expect(extra.body.message).toBe('body: Unrecognized key: "reason"');
      expect((await row(path))?.status).toBe('published');
    });

    it('is 404 for another tenant, 403 without create:exchange and for the built-in catalog', async () => {
      const path = await publish(a(), uniqueName('life'));
      expect((await setStatus(path, 'deprecated', b().token)).body).toMatchObject({ status: 404, code: 'ASSET_NOT_FOUND' });
      const viewer = await newUser(h.cp, a().organizationId, ['read:exchange']);
      expect((await setStatus(path, 'deprecated', viewer.token)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const catalog = await testPrisma().exchangeAsset.findFirstOrThrow({ where: { groupId: POLICY_GROUP, type: 'policy' } });
      const builtIn = await setStatus(`${POLICY_GROUP}/${catalog.assetId}/${catalog.version}`, 'deprecated');
      expect(builtIn.body).toMatchObject({
        status: 403,
        code: 'ASSET_READ_ONLY',
        message: `Asset ${POLICY_GROUP}/${catalog.assetId}/${catalog.version} belongs to the built-in policy catalog and its status cannot be changed`,
      });
      expect((await row(path))?.status).toBe('published');
    });
  });

  describe('metadata and tags', () => {
    it('changes name, description and contact; replaces the tags', async () => {
      const path = await publish(a(), uniqueName('meta'), { tags: 'one,two' });
      const patched = await h.cp.request('PATCH', `${orgV1(a().organizationId, path)}/metadata`, {
        token: a().token,
        json: { name: 'New name', description: 'Now described', contactName: 'Ops', contactEmail: 'ops@example.com' },
      });
      expect(patched.status).toBe(204);
      const tags = await h.cp.request('PUT', `${v1(path)}/tags`, {
        token: a().token,
        json: [{ value: 'three', key: 'three', mutable: true }, { value: 'four' }, { value: 'three', key: null }],
      });
      expect(tags.status).toBe(204);
      expect((await h.cp.request('GET', v2(path), { token: a().token })).body).toMatchObject({
        name: 'New name',
        description: 'Now described',
        contactName: 'Ops',
        contactEmail: 'ops@example.com',
        labels: ['three', 'four'],
      });
    });

    it('names bad bodies, and refuses keyed or immutable tags', async () => {
      const path = await publish(a(), uniqueName('meta'), { tags: 'kept' });
      const empty = await h.cp.request('PATCH', `${orgV1(a().organizationId, path)}/metadata`, { token: a().token, json: {} });
      expect(empty.body.message).toBe('body: must name at least one of name, description, contactName, contactEmail');
      const badEmail = await h.cp.request('PATCH', `${orgV1(a().organizationId, path)}/metadata`, {
        token: a().token,
        json: { contactEmail: 'nobody' },
      });
      expect(badEmail.body.message).toBe('body.contactEmail: must be an email address');
      const keyed = await h.cp.request('PUT', `${v1(path)}/tags`, {
        token: a().token,
        json: [{ value: '4.0.0', key: 'min-mule-version' }],
      });
      expect(keyed.body.message).toBe('body.0.key: must be null or equal to value: Portico tags have no keys');
      const immutable = await h.cp.request('PUT', `${v1(path)}/tags`, {
        token: a().token,
        json: [{ value: 'x', mutable: false }],
      });
      expect(immutable.body.message).toBe('body.0.mutable: must be true: only mutable tags can be set');
      const notArray = await h.cp.request('PUT', `${v1(path)}/tags`, { token: a().token, json: { value: 'x' } });
      expect(notArray.body.message).toBe('body: must be an array of {"value"} objects');
      expect((await row(path))?.tags).toEqual(['kept']);
    });

    it("needs the version's own organization in the path, and hides other tenants' (404)", async () => {
      const group = await testPrisma().organization.create({
        data: { name: uniqueName('bg'), parentId: a().organizationId, clientId: randomClientId() },
      });
      const inGroup = await publish(a(), uniqueName('bg'), {}, {}, group.id);
      const viaParent = await h.cp.request('PATCH', `${orgV1(a().organizationId, inGroup)}/metadata`, {
        token: a().token,
        json: { name: 'x' },
      });
      expect(viaParent.body).toMatchObject({ status: 404, code: 'ASSET_NOT_FOUND', message: `Asset ${inGroup} not found` });
      expect(
        (await h.cp.request('PATCH', `${orgV1(group.id, inGroup)}/metadata`, { token: a().token, json: { name: 'x' } })).status,
      ).toBe(204);

      const path = await publish(a(), uniqueName('meta'));
      const foreignOrg = await h.cp.request('PATCH', `${orgV1(a().organizationId, path)}/metadata`, {
        token: b().token,
        json: { name: 'x' },
      });
      expect(foreignOrg.body).toMatchObject({ status: 404, code: 'ORGANIZATION_NOT_FOUND' });
      const ownOrg = await h.cp.request('PATCH', `${orgV1(b().organizationId, path)}/metadata`, {
        token: b().token,
        json: { name: 'x' },
      });
      expect(ownOrg.body).toMatchObject({ status: 404, code: 'ASSET_NOT_FOUND' });
      expect((await h.cp.request('PUT', `${v1(path)}/tags`, { token: b().token, json: [] })).status).toBe(404);
      expect((await row(path))?.name).toBe(`Asset ${path.split('/')[1]}`);
    });
  });

  describe('mutable data', () => {
    const mutable = (
      path: string,
      fields: Record<string, string>,
      files: Record<string, string | Buffer> = {},
      token = a().token,
    ) =>
      h.cp.request('PATCH', `/exchange/api/v2/organizations/${path.split('/')[0]}/assets/${path}/mutabledata`, {
        token,
        multipart: form(fields, files),
      });

    it('merges categories by key, replaces them by JSON list, and links to a completed run', async () => {
      const path = await publish(a(), uniqueName('mut'), {
        'categories.industry': 'retail',
        'categories.region': 'emea',
        'fields.owner': 'a',
      });
      const merged = await mutable(path, { 'categories.region': '', 'categories.tier': 'gold, silver', 'fields.owner': 'b' });
      expect(merged.status).toBe(202);
      expect((await row(path))?.categories).toEqual([
        { key: 'industry', value: ['retail'] },
        { key: 'tier', value: ['gold', 'silver'] },
      ]);
      expect((await row(path))?.customFields).toEqual([{ key: 'owner', value: ['b'] }]);

      const link = new URL(merged.body.mutableDataStatusLink as string);
      expect(link.pathname).toMatch(
        new RegExp(`^/exchange/api/v2/organizations/${a().organizationId}/assets/${path}/mutabledata/status/[0-9a-f-]{36}$`),
      );
      const status = await h.cp.request('GET', link.pathname, { token: a().token });
      expect(status.body).toEqual({
        status: 'completed',
        assetType: 'mcp',
        steps: [
          { description: 'Validating', status: 'completed', errors: [] },
          { description: 'Applying mutable data', status: 'completed', errors: [] },
        ],
      });
      const runId = link.pathname.split('/').at(-1);
      const asPublication = await h.cp.request(
        'GET',
        `/exchange/api/v2/organizations/${a().organizationId}/assets/${path}/publication/status/${runId}`,
        {
          token: a().token,
        },
      );
      expect(asPublication.body.code).toBe('PUBLICATION_NOT_FOUND');

      expect((await mutable(path, { categories: '[{"key":"only","value":["x"]}]', fields: '[]' })).status).toBe(202);
      expect(await row(path)).toMatchObject({ categories: [{ key: 'only', value: ['x'] }], customFields: [] });
    });

    it('refuses what is not mutable data by name and changes nothing', async () => {
      const path = await publish(a(), uniqueName('mut'), { tags: 'kept' });
      const cases: [Record<string, string>, Record<string, string>, string][] = [
        [{ tags: 'x', name: 'renamed' }, {}, 'body: Unrecognized key: "name"'],
        [
          { tags: 'x', 'properties.apiVersion': 'v2' },
          {},
          'body.properties.apiVersion: is not mutable data; publish a new version to change properties',
        ],
        [
          { tags: 'x' },
          { 'files.oas.json': '{}' },
          'body.files.oas.json: is not mutable data; the only file is files.docs.zip (the documentation)',
        ],
        [{ categories: '[]', 'categories.x': 'y' }, {}, 'body.categories.x: cannot be combined with categories (the JSON list)'],
        [{ categories: '{"key":"x"}' }, {}, 'body.categories: must be a JSON array of {"key", "value"} objects'],
        [
          { 'categories.bad:key': 'y' },
          {},
          'body.categories.bad:key: the key must be 1-128 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit',
        ],
      ];
      for (const [fields, files, message] of cases) {
        const res = await mutable(path, { ...fields }, files);
        expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
      }
      expect(await row(path)).toMatchObject({ tags: ['kept'], categories: [] });
      expect(await testPrisma().publicationRun.count({ where: { assetId: path.split('/')[1], kind: 'mutable-data' } })).toBe(0);
      expect((await mutable(path, { tags: 'x' }, {}, b().token)).body.code).toBe('ORGANIZATION_NOT_FOUND');
    });
  });

  describe('v1 asset', () => {
    it('shows tag objects, every version, and API versions only when the version declares one', async () => {
      const assetId = uniqueName('v1');
      const path = await publish(a(), assetId, { tags: 't', 'properties.apiVersion': 'v1' }, { 'files.oas.json': '{}' });
      await publish(a(), assetId, { version: '2.0.0', 'properties.apiVersion': 'v2' });
      await publish(a(), assetId, { version: '3.0.0' });
      const res = await h.cp.request('GET', v1(path), { token: a().token });
      expect(res.body).toMatchObject({
        id: path,
        productAPIVersion: 'v1',
        modifiedAt: expect.any(String),
        tags: [{ value: 't', key: null, mutable: true }],
        versions: [{ version: '3.0.0' }, { version: '2.0.0' }, { version: '1.0.0' }],
        productAPIVersions: [
          { productAPIVersion: 'v2', versions: [{ version: '2.0.0' }] },
          { productAPIVersion: 'v1', versions: [{ version: '1.0.0' }] },
        ],
      });
      const latest = await h.cp.request('GET', v1(`${a().organizationId}/${assetId}/3.0.0`), { token: a().token });
      expect(latest.body.productAPIVersion).toBeNull();
      expect(latest.body).not.toHaveProperty('productAPIVersions');
      expect((await h.cp.request('GET', v1(path), { token: b().token })).body.code).toBe('ASSET_NOT_FOUND');
    });
  });

  describe('delete', () => {
    it('soft-deletes by default and hard-deletes when told; names a bad X-Delete-Type', async () => {
      const soft = await publish(a(), uniqueName('del'));
      expect((await h.cp.request('DELETE', orgV1(a().organizationId, soft), { token: a().token })).status).toBe(204);
      expect((await row(soft))?.status).toBe('deleted');

      const hard = await publish(a(), uniqueName('del'), { version: '1.0.0' });
      const bad = await h.cp.request('DELETE', v2(hard), { token: a().token, headers: { 'x-delete-type': 'purge' } });
      expect(bad.body.message).toBe('headers.x-delete-type: must be soft-delete or hard-delete');
      expect(
        (await h.cp.request('DELETE', v2(hard), { token: a().token, headers: { 'x-delete-type': 'hard-delete' } })).status,
      ).toBe(204);
      expect(await row(hard)).toBeNull();
      expect(await testPrisma().auditRecord.count({ where: { resourceId: hard, action: 'delete' } })).toBe(1);
    });

    it('keeps a version an API instance uses, naming only the instances the caller can see', async () => {
      const path = await publish(a(), uniqueName('used'));
      const [groupId, assetId] = path.split('/') as [string, string];
      const base = { groupId, assetId, assetVersion: '1.0.0', productVersion: 'v1', technology: 'flexGateway' };
      const mine = await testPrisma().apiInstance.create({
        data: { ...base, organizationId: a().organizationId, environmentId: a().productionId, instanceLabel: uniqueName('l') },
      });
      await testPrisma().apiInstance.create({
        data: { ...base, organizationId: b().organizationId, environmentId: b().sandboxId },
      });
      const res = await h.cp.request('DELETE', orgV1(a().organizationId, path), {
        token: a().token,
        headers: { 'x-delete-type': 'hard-delete' },
      });
      expect(res.body).toEqual({
        status: 409,
        name: 'ConflictError',
        code: 'ASSET_IN_USE',
        message: `Asset ${path} is the spec of API instance ${mine.id} "${mine.instanceLabel}" (Production) and 1 API instance in organizations you cannot see; delete them or change their asset version first`,
      });
      expect((await row(path))?.status).toBe('published');
    });
  });

  describe('externalLink', () => {
    it('opens its own file without a token, and nothing once tampered with, moved or deleted', async () => {
      const path = await publish(a(), uniqueName('link'), {}, { 'files.docs.md': '# docs', 'files.other.txt': 'other' });
      const { files } = (await h.cp.request('GET', v2(path), { token: a().token })).body as { files: { externalLink: string }[] };
      const [docs, other] = files.map((f) => f.externalLink.slice(h.cp.url.length));
      const ok = await h.cp.request('GET', docs!);
      expect(ok).toMatchObject({ status: 200, text: '# docs' });
      expect(ok.headers.get('content-disposition')).toBe(`attachment; filename="${path.split('/')[1]}-1.0.0-docs.md"`);

      const token = new URL(docs!, h.cp.url).searchParams.get('link')!;
      const [id, expires, mac] = token.split('.') as [string, string, string];
      const tampered = docs!.replace(token, `${id}.${expires}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`);
      const extended = docs!.replace(token, `${id}.${Number(expires) + 86_400}.${mac}`);
      expect((await h.cp.request('GET', extended)).body.code).toBe('ASSET_FILE_LINK_INVALID');
      const otherFile = docs!.replace(token, `${Number(id) + 1}.${expires}.${mac}`);
      expect((await h.cp.request('GET', otherFile)).body.code).toBe('ASSET_FILE_LINK_INVALID');
      expect((await h.cp.request('GET', tampered)).body).toEqual({
        status: 403,
        name: 'ForbiddenError',
        code: 'ASSET_FILE_LINK_INVALID',
        message: 'This download link is not valid or has expired; read the asset again for a new externalLink',
      });
      const moved = `${new URL(other!, h.cp.url).pathname}?link=${token}`;
      expect((await h.cp.request('GET', moved)).body.code).toBe('ASSET_FILE_LINK_INVALID');
      expect((await h.cp.request('GET', `${docs}&extra=1`)).body.message).toBe(
        'query.extra: is not a query parameter of this route (it takes link)',
      );

      expect((await h.cp.request('DELETE', v2(path), { token: a().token })).status).toBe(204);
      expect((await h.cp.request('GET', docs!)).body.code).toBe('ASSET_FILE_LINK_INVALID');
    });
  });

  describe('publishing the fields anypoint-cli sends', () => {
    it('infers the type from a file classifier, and needs it when the files do not agree', async () => {
      const inferred = uniqueName('raml');
      const res = await h.cp.request(
        'POST',
        `/exchange/api/v2/organizations/${a().organizationId}/assets/${a().organizationId}/${inferred}/1.0.0`,
        {
          token: a().token,
          headers: { 'x-sync-publication': 'true' },
          multipart: form({ name: 'RAML' }, { 'files.raml.zip': 'PK' }),
        },
      );
      expect(res.body).toMatchObject({ type: 'rest-api' });
      const mixed = await h.cp.request(
        'POST',
        `/exchange/api/v2/organizations/${a().organizationId}/assets/${a().organizationId}/${uniqueName('mixed')}/1.0.0`,
        {
          token: a().token,
          multipart: form({ name: 'mixed' }, { 'files.oas.json': '{}', 'files.wsdl.xml': '<x/>' }),
        },
      );
      expect(mixed.body.message).toBe('body.type: is required');
    });

    it('takes apiVersion, main and dependencies on the legacy form, and names a clash with properties', async () => {
      const dependency = await publish(a(), uniqueName('dep'));
      const [depGroup, depAsset] = dependency.split('/') as [string, string];
      const assetId = uniqueName('legacy');
      const fd = form({
        organizationId: a().organizationId,
        groupId: a().organizationId,
        assetId,
        version: '1.0.0',
        name: 'Legacy',
        classifier: 'oas',
        apiVersion: 'v4',
        main: 'api.json',
        dependencies: JSON.stringify([{ groupId: depGroup, assetId: depAsset, version: '1.0.0' }]),
      });
      fd.append('asset', new Blob(['{}']), 'api.json');
      const res = await h.cp.request('POST', '/exchange/api/v2/assets', { token: a().token, multipart: fd });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        type: 'rest-api',
        attributes: [
          { key: 'apiVersion', value: 'v4' },
          { key: 'mainFile', value: 'api.json' },
        ],
        dependencies: [{ groupId: depGroup, assetId: depAsset, version: '1.0.0' }],
        files: [{ classifier: 'oas', packaging: 'json', mainFile: 'api.json' }],
      });
      const clash = form({
        groupId: a().organizationId,
        assetId: uniqueName('x'),
        version: '1.0.0',
        name: 'x',
        classifier: 'oas',
        apiVersion: 'v1',
        'properties.apiVersion': 'v2',
      });
      expect((await h.cp.request('POST', '/exchange/api/v2/assets', { token: a().token, multipart: clash })).body.message).toBe(
        'body.apiVersion: cannot be combined with properties.apiVersion',
      );
    });
  });
});
