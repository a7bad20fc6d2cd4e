/**
 * MuleSoft's unmodified anypoint-cli-v4 1.6.12 `exchange asset …` commands against Portico over
 * HTTPS (all but `page` and `resource`): upload, list (the Graph API), describe, download,
 * modify, mutableDataUpload, deprecate, undeprecate, updateStatus, copy and delete. Every effect
 * is read back over REST (and the Graph API), not taken from the exit code; each command also
 * has its refusals: bad input named, another tenant's asset not found.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { type AnypointCli, startCliControlPlane } from './support/anypoint-cli.js';
import type { TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newApiInstance, newTenant, testPrisma, type TestTenant, uniqueName } from './support/factories.js';

const OAS = JSON.stringify({ openapi: '3.0.0', info: { title: 'Orders', version: 'v1' }, paths: {} });
const md5 = (content: string | Buffer) => createHash('md5').update(content).digest('hex');

/** Little-endian integers of 2 or 4 bytes, one after the other. */
function littleEndian(...fields: [bytes: 2 | 4, value: number][]): Buffer {
  return Buffer.concat(
    fields.map(([bytes, value]) => {
      const field = Buffer.alloc(bytes);
      field.writeUIntLE(value, 0, bytes);
      return field;
    }),
  );
}

/** A zip archive holding `files`, stored without compression (what Exchange's docs.zip is). */
function zipOf(files: Record<string, string>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    // flags, method (stored), time, date, crc-32, sizes, name length, extra length
    const common = littleEndian(
      [2, 0],
      [2, 0],
      [2, 0],
      [2, 0],
      [4, crc32(data)],
      [4, data.length],
      [4, data.length],
      [2, fileName.length],
      [2, 0],
    );
    const entry = Buffer.concat([littleEndian([4, 0x04034b50], [2, 20]), common, fileName, data]);
    // + comment length, disk, internal and external attributes, offset of the local header
    const tail = littleEndian([2, 0], [2, 0], [2, 0], [4, 0], [4, offset]);
    central.push(Buffer.concat([littleEndian([4, 0x02014b50], [2, 20], [2, 20]), common, tail, fileName]));
    local.push(entry);
    offset += entry.length;
  }
  const directory = Buffer.concat(central);
  const end = littleEndian(
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, central.length],
    [2, central.length],
    [4, directory.length],
    [4, offset],
    [2, 0],
  );
  return Buffer.concat([...local, directory, end]);
}

describe('anypoint-cli-v4 exchange asset commands against Portico', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let other: TestTenant;
  let cli: AnypointCli;
  let dir: string;
  let oasFile: string;

  beforeAll(async () => {
    ({ cp, tenant, cli } = await startCliControlPlane());
    other = await newTenant(cp);
    dir = await mkdtemp(path.join(tmpdir(), 'portico-cli-exchange-'));
    oasFile = path.join(dir, 'orders.json');
    await writeFile(oasFile, OAS);
  }, 300_000);
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  const org = () => tenant.organizationId;
  const gav = (assetId: string, version = '1.0.0', groupId = org()) => `${groupId}/${assetId}/${version}`;
  const v2 = (coordinates: string, token = tenant.token) =>
    cp.request('GET', `/exchange/api/v2/assets/${coordinates}`, { token });
  const graph = (query: string, variables: Record<string, unknown> = {}, token: string | undefined = tenant.token) =>
    cp.request('POST', '/graph/api/v2/graphql', { token, json: { query, variables } });

  /** Publishes an asset over REST (faster than the CLI where the CLI is not under test). */
  async function publish(
    tenantOf: TestTenant,
    assetId: string,
    fields: Record<string, string>,
    files: Record<string, string> = {},
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries({ name: `Asset ${assetId}`, ...fields })) form.append(k, v);
    for (const [k, v] of Object.entries(files)) form.append(k, new Blob([v]), k.slice('files.'.length));
    const orgId = tenantOf.organizationId;
    const res = await cp.request(
      'POST',
      `/exchange/api/v2/organizations/${orgId}/assets/${orgId}/${assetId}/${fields.version ?? '1.0.0'}`,
      {
        token: tenantOf.token,
        headers: { 'x-sync-publication': 'true' },
        multipart: form,
      },
    );
    if (res.status !== 201) throw new Error(`publish ${assetId}: ${res.status} ${res.text}`);
    return res.body;
  }

  /**
   * The exit code is a failure and the output carries `text`. The CLI wraps its error message to
   * the terminal width (` ›   ` starts each line, `·` marks a space it broke the line at).
   */
  function expectFailure(result: { code: number; stdout: string; stderr: string }, text: string) {
    expect(result.code).not.toBe(0);
    const output = (result.stderr + result.stdout).replace(/·\n\s*›\s*/g, ' ').replace(/\n\s*›\s*/g, '');
    expect(output).toContain(text);
  }

  describe('upload', () => {
    it('publishes an http-api with properties, tags, keywords, categories, custom fields and a file, and exits', async () => {
      const assetId = uniqueName('http');
      const result = await cli.run([
        'exchange',
        'asset',
        'upload',
        gav(assetId),
        '--name',
        'Orders HTTP',
        '--type',
        'http-api',
        '--description',
        'Orders over HTTP',
        '--tags',
        'orders,http',
        '--keywords',
        'commerce',
        '--properties',
        '{"apiVersion":"v1"}',
        '--categories',
        '{"industry":"retail, food"}',
        '--fields',
        '{"owner":"ops"}',
        '--files',
        `{"oas.json":"${oasFile}"}`,
      ]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('Publishing completed');

      const stored = await v2(gav(assetId));
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({
        name: 'Orders HTTP',
        type: 'http-api',
        description: 'Orders over HTTP',
        status: 'published',
        versionGroup: 'v1',
        attributes: [{ key: 'apiVersion', value: 'v1' }],
        labels: ['orders', 'http', 'commerce'],
        categories: [{ key: 'industry', displayName: 'industry', value: ['retail', 'food'] }],
        customFields: [{ key: 'owner', displayName: 'owner', value: ['ops'] }],
      });
      expect(stored.body.files).toEqual([expect.objectContaining({ classifier: 'oas', packaging: 'json', md5: md5(OAS) })]);
      // the externalLink needs no Authorization header
      const linked = await cp.request('GET', (stored.body.files[0].externalLink as string).slice(cp.url.length));
      expect(linked).toMatchObject({ status: 200, text: OAS });
    });

    it('publishes an mcp asset with its metadata file, and a rest-api typed by its oas file', async () => {
      const metadataFile = path.join(dir, 'mcp.json');
      await writeFile(metadataFile, '{"platform":"mulesoft"}');
      const mcp = uniqueName('mcp');
      expect(
        await cli.run([
          'exchange',
          'asset',
          'upload',
          gav(mcp),
          '--name',
          'MCP',
          '--type',
          'mcp',
          '--files',
          `{"mcp-metadata.json":"${metadataFile}"}`,
        ]),
      ).toMatchObject({ code: 0 });
      expect((await v2(gav(mcp))).body).toMatchObject({ type: 'mcp', attributes: [{ key: 'platform', value: 'mulesoft' }] });

      const rest = uniqueName('rest');
      const result = await cli.run([
        'exchange',
        'asset',
        'upload',
        gav(rest, '2.0.0'),
        '--name',
        'Orders',
        '--status',
        'development',
        '--properties',
        '{"apiVersion":"v2","mainFile":"orders.json"}',
        '--dependencies',
        `${org()}:${mcp}:1.0.0`,
        '--files',
        `{"oas":{"json":"${oasFile}"}}`,
      ]);
      expect(result).toMatchObject({ code: 0 });
      expect((await v2(gav(rest, '2.0.0'))).body).toMatchObject({
        type: 'rest-api',
        status: 'development',
        dependencies: [{ groupId: org(), assetId: mcp, version: '1.0.0' }],
        files: [expect.objectContaining({ classifier: 'oas', mainFile: 'orders.json' })],
      });
    });

    it('names what is wrong and writes nothing: an unknown type, a taken version, an unknown dependency', async () => {
      const assetId = uniqueName('bad');
      expectFailure(
        await cli.run(['exchange', 'asset', 'upload', gav(assetId), '--name', 'x', '--type', 'api']),
        'status code 400',
      );
      expectFailure(
        await cli.run([
          'exchange',
          'asset',
          'upload',
          gav(assetId),
          '--name',
          'x',
          '--type',
          'mcp',
          '--dependencies',
          `${org()}:nothing:1.0.0`,
        ]),
        'status code 400',
      );
      expect(await testPrisma().exchangeAsset.count({ where: { assetId } })).toBe(0);
      // the messages the CLI does not print, over REST
      const form = new FormData();
      form.append('name', 'x');
      form.append('type', 'api');
      const refused = await cp.request('POST', `/exchange/api/v2/organizations/${org()}/assets/${gav(assetId)}`, {
        token: tenant.token,
        multipart: form,
      });
      expect(refused.body.message).toMatch(/^body\.type: must be one of rest-api, /);

      await publish(tenant, assetId, { type: 'mcp' });
      expectFailure(
        await cli.run(['exchange', 'asset', 'upload', gav(assetId), '--name', 'again', '--type', 'mcp']),
        'status code 409',
      );
      expect((await v2(gav(assetId))).body.name).toBe(`Asset ${assetId}`);
    });

    it("cannot publish into another tenant's group (400 naming groupId)", async () => {
      const assetId = uniqueName('intruder');
      expectFailure(
        await cli.run([
          'exchange',
          'asset',
          'upload',
          gav(assetId, '1.0.0', other.organizationId),
          '--name',
          'x',
          '--type',
          'mcp',
        ]),
        'status code 400',
      );
      expect(await testPrisma().exchangeAsset.count({ where: { assetId } })).toBe(0);
    });
  });

  describe('list (Graph API)', () => {
    it('lists the assets the caller sees, filtered by search text and organization, paged', async () => {
      const tag = uniqueName('listed');
      await publish(tenant, `${tag}-a`, { type: 'mcp' });
      await publish(tenant, `${tag}-b`, { type: 'rest-api' });
      await publish(other, `${tag}-hidden`, { type: 'mcp' });

      const listed = await cli.json<{ assetId: string; groupId: string; type: string; updatedDate: string }[]>([
        'exchange',
        'asset',
        'list',
        tag,
      ]);
      expect(listed.map((a) => a.assetId).sort()).toEqual([`${tag}-a`, `${tag}-b`]);
      expect(listed.find((a) => a.assetId === `${tag}-b`)).toMatchObject({
        groupId: org(),
        type: 'rest-api',
        updatedDate: expect.any(String),
      });

      const page = await cli.json<{ assetId: string }[]>(['exchange', 'asset', 'list', tag, '--limit', '1', '--offset', '1']);
      expect(page.map((a) => a.assetId)).toEqual([`${tag}-a`]);
      const byOrg = await cli.json<unknown[]>(['exchange', 'asset', 'list', tag, '--organizationId', org()]);
      expect(byOrg).toHaveLength(2);
      expect(await cli.json<unknown[]>(['exchange', 'asset', 'list', tag, '--organizationId', other.organizationId])).toEqual([]);

      const table = await cli.run(['exchange', 'asset', 'list', tag]);
      expect(table.stdout).toContain(`${tag}-a`);
      expect(table.stdout).toMatch(/GroupID.*AssetID.*Version.*Name.*Type.*Changed/);
    });

    it('names an organization id that is not one', async () => {
      expectFailure(
        await cli.run(['exchange', 'asset', 'list', '--organizationId', 'my-org']),
        "organizationIds: 'my-org' is not an organization id",
      );
    });
  });

  describe('describe and download', () => {
    it('describes a version: status, tags, versions by API version and its files', async () => {
      const assetId = uniqueName('desc');
      await publish(tenant, assetId, { type: 'rest-api', 'properties.apiVersion': 'v1', tags: 'a,b' }, { 'files.oas.json': OAS });
      await publish(tenant, assetId, { type: 'rest-api', version: '1.1.0', 'properties.apiVersion': 'v1' });
      await publish(tenant, assetId, { type: 'rest-api', version: '2.0.0', 'properties.apiVersion': 'v2' });

      const described = await cli.json(['exchange', 'asset', 'describe', gav(assetId)]);
      expect(described).toMatchObject({
        groupId: org(),
        assetId,
        version: '1.0.0',
        status: 'published',
        productAPIVersion: 'v1',
        tags: [
          { value: 'a', key: null, mutable: true },
          { value: 'b', key: null, mutable: true },
        ],
        files: [
          expect.objectContaining({ classifier: 'oas', packaging: 'json', md5: md5(OAS), externalLink: expect.any(String) }),
        ],
      });
      const table = await cli.run(['exchange', 'asset', 'describe', gav(assetId)]);
      expect(table.stdout).toMatch(/Asset Versions\s*│\s*1\.1\.0, 1\.0\.0/);
      expect(table.stdout).toMatch(/API Versions\s*│\s*v2, v1/);
    });

    it('downloads the main file of a rest-api through its externalLink', async () => {
      const assetId = uniqueName('dl');
      await publish(tenant, assetId, { type: 'rest-api' }, { 'files.oas.json': OAS });
      const target = path.join(dir, uniqueName('download'));
      const result = await cli.run(['exchange', 'asset', 'download', gav(assetId), target]);
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('Asset downloaded');
      expect(await readdir(target)).toEqual([`${assetId}-1.0.0-oas.json`]);
      expect(await readFile(path.join(target, `${assetId}-1.0.0-oas.json`), 'utf8')).toBe(OAS);
    });

    it("does not describe or download another tenant's asset (404)", async () => {
      const assetId = uniqueName('theirs');
      await publish(other, assetId, { type: 'rest-api' }, { 'files.oas.json': OAS });
      const theirs = gav(assetId, '1.0.0', other.organizationId);
      expectFailure(await cli.run(['exchange', 'asset', 'describe', theirs]), `Asset ${theirs} not found`);
      expectFailure(await cli.run(['exchange', 'asset', 'download', theirs, path.join(dir, 'x')]), `Asset ${theirs} not found`);
    });
  });

  describe('modify', () => {
    it('renames a version and replaces its tags; describe and the Graph API read them back', async () => {
      const assetId = uniqueName('mod');
      await publish(tenant, assetId, { type: 'mcp', tags: 'old' });
      expect(await cli.run(['exchange', 'asset', 'modify', gav(assetId), '--name', 'Renamed'])).toMatchObject({ code: 0 });
      expect(await cli.run(['exchange', 'asset', 'modify', gav(assetId), '--tags', 'alpha,beta'])).toMatchObject({ code: 0 });

      expect((await v2(gav(assetId))).body).toMatchObject({ name: 'Renamed', labels: ['alpha', 'beta'] });
      const described = await cli.json(['exchange', 'asset', 'describe', gav(assetId)]);
      expect(described.tags.map((t: { value: string }) => t.value)).toEqual(['alpha', 'beta']);
      const viaGraph = await graph(
        `{ asset(groupId: "${org()}", assetId: "${assetId}", version: "1.0.0") { name labels tags { value } } }`,
      );
      expect(viaGraph.body).toEqual({
        data: { asset: { name: 'Renamed', labels: ['alpha', 'beta'], tags: [{ value: 'alpha' }, { value: 'beta' }] } },
      });
    });

    it("names an empty tag, and cannot modify another tenant's asset (404)", async () => {
      const assetId = uniqueName('mod');
      await publish(tenant, assetId, { type: 'mcp', tags: 'kept' });
      // `modify` prints only the status of a refusal (it does not await the request it returns)
      expectFailure(await cli.run(['exchange', 'asset', 'modify', gav(assetId), '--tags', 'ok,  ']), 'status code 400');
      const refused = await cp.request('PUT', `/exchange/api/v1/assets/${gav(assetId)}/tags`, {
        token: tenant.token,
        json: [{ value: 'ok', key: 'ok', mutable: true }, { value: '  ' }],
      });
      expect(refused.body).toMatchObject({ status: 400, message: 'body.1.value: must not be empty' });
      expect((await v2(gav(assetId))).body.labels).toEqual(['kept']);

      const theirs = uniqueName('theirs');
      await publish(other, theirs, { type: 'mcp' });
      expectFailure(
        await cli.run(['exchange', 'asset', 'modify', gav(theirs, '1.0.0', other.organizationId), '--tags', 'mine']),
        'status code 404',
      );
      expectFailure(
        await cli.run(['exchange', 'asset', 'modify', gav(theirs, '1.0.0', other.organizationId), '--name', 'Mine']),
        'status code 404',
      );
      expect((await v2(gav(theirs, '1.0.0', other.organizationId), other.token)).body).toMatchObject({
        name: `Asset ${theirs}`,
        labels: [],
      });
    });
  });

  describe('mutableDataUpload', () => {
    it('sets tags, categories, custom fields and the documentation archive', async () => {
      const assetId = uniqueName('mutable');
      await publish(tenant, assetId, {
        type: 'mcp',
        tags: 'before',
        'categories.industry': 'retail',
        'categories.region': 'emea',
      });
      const docs = zipOf({ 'home.md': '# Orders MCP' });
      const docsFile = path.join(dir, 'docs.zip');
      await writeFile(docsFile, docs);
      const result = await cli.run([
        'exchange',
        'asset',
        'mutableDataUpload',
        gav(assetId),
        '--tags',
        'after,again',
        '--categories',
        '{"industry":"finance","region":""}',
        '--fields',
        '{"owner":"team-a"}',
        '--docs',
        docsFile,
      ]);
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('Publishing completed');

      const stored = (await v2(gav(assetId))).body;
      expect(stored).toMatchObject({
        labels: ['after', 'again'],
        categories: [{ key: 'industry', value: ['finance'] }],
        customFields: [{ key: 'owner', value: ['team-a'] }],
      });
      expect(stored.files).toEqual([expect.objectContaining({ classifier: 'docs', packaging: 'zip', md5: md5(docs) })]);
      const viaGraph = await graph(`{ asset(groupId: "${org()}", assetId: "${assetId}") { labels categories { key value } } }`);
      expect(viaGraph.body.data.asset).toEqual({
        labels: ['after', 'again'],
        categories: [{ key: 'industry', value: ['finance'] }],
      });
    });

    it("refuses documentation that is not a zip, and another tenant's asset", async () => {
      const assetId = uniqueName('mutable');
      await publish(tenant, assetId, { type: 'mcp', tags: 'kept' });
      const notZip = path.join(dir, 'docs.txt');
      await writeFile(notZip, 'plain text');
      expectFailure(
        await cli.run(['exchange', 'asset', 'mutableDataUpload', gav(assetId), '--tags', 'x', '--docs', notZip]),
        'body.files.docs.zip: is not a zip archive',
      );
      expect((await v2(gav(assetId))).body).toMatchObject({ labels: ['kept'], files: [] });

      const theirs = uniqueName('theirs');
      await publish(other, theirs, { type: 'mcp' });
      expectFailure(
        await cli.run(['exchange', 'asset', 'mutableDataUpload', gav(theirs, '1.0.0', other.organizationId), '--tags', 'x']),
        `Asset ${other.organizationId}/${theirs}/1.0.0 not found`,
      );
      expect((await v2(gav(theirs, '1.0.0', other.organizationId), other.token)).body.labels).toEqual([]);
    });
  });

  describe('deprecate, undeprecate, updateStatus', () => {
    it('deprecates and undeprecates a version: REST, describe, list and the Graph API show it', async () => {
      const assetId = uniqueName('lifecycle');
      await publish(tenant, assetId, { type: 'mcp' });
      expect(await cli.run(['exchange', 'asset', 'deprecate', gav(assetId)])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('Deprecated'),
      });
      expect((await v2(gav(assetId))).body.status).toBe('deprecated');
      expect((await cli.json(['exchange', 'asset', 'describe', gav(assetId)])).status).toBe('deprecated');
      expect(await cli.json(['exchange', 'asset', 'list', assetId])).toEqual([expect.objectContaining({ assetId })]);
      const viaGraph = await graph(`{ assets(searchTerm: "${assetId}") { status } }`);
      expect(viaGraph.body).toEqual({ data: { assets: [{ status: 'deprecated' }] } });

      expect(await cli.run(['exchange', 'asset', 'undeprecate', gav(assetId)])).toMatchObject({ code: 0 });
      expect((await v2(gav(assetId))).body.status).toBe('published');
    });

    it('publishes a development version with updateStatus, and refuses going back to development (409)', async () => {
      const assetId = uniqueName('dev');
      await publish(tenant, assetId, { type: 'mcp', status: 'development' });
      expect(await cli.run(['exchange', 'asset', 'updateStatus', gav(assetId), '--status', 'published'])).toMatchObject({
        code: 0,
      });
      expect((await v2(gav(assetId))).body.status).toBe('published');
      expectFailure(
        await cli.run(['exchange', 'asset', 'updateStatus', gav(assetId), '--status', 'development']),
        `Asset ${gav(assetId)} is published: its status can change to deprecated, not to development`,
      );
      expectFailure(
        await cli.run(['exchange', 'asset', 'updateStatus', gav(assetId), '--status', 'archived']),
        'body.status: must be one of development, published, deprecated',
      );
      expect((await v2(gav(assetId))).body.status).toBe('published');
    });

    it("cannot deprecate another tenant's asset (404)", async () => {
      const theirs = uniqueName('theirs');
      await publish(other, theirs, { type: 'mcp' });
      const coordinates = gav(theirs, '1.0.0', other.organizationId);
      expectFailure(await cli.run(['exchange', 'asset', 'deprecate', coordinates]), `Asset ${coordinates} not found`);
      expect((await v2(coordinates, other.token)).body.status).toBe('published');
    });
  });

  describe('copy', () => {
    it('copies a rest-api and a custom asset with their main file, name and API version', async () => {
      const source = uniqueName('src');
      await publish(
        tenant,
        source,
        {
          type: 'rest-api',
          description: 'the source',
          contactName: 'Ops',
          'properties.apiVersion': 'v3',
          'properties.mainFile': 'orders.json',
        },
        { 'files.oas.json': OAS },
      );
      const target = uniqueName('copy');
      const result = await cli.run(['exchange', 'asset', 'copy', gav(source), gav(target, '3.0.0')]);
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('Asset copied');
      const copied = (await v2(gav(target, '3.0.0'))).body;
      expect(copied).toMatchObject({
        name: `Asset ${source}`,
        description: 'the source',
        contactName: 'Ops',
        type: 'rest-api',
        attributes: expect.arrayContaining([
          { key: 'apiVersion', value: 'v3' },
          { key: 'mainFile', value: 'orders.json' },
        ]),
        files: [expect.objectContaining({ classifier: 'oas', packaging: 'json', md5: md5(OAS) })],
      });

      const custom = uniqueName('custom');
      await publish(tenant, custom, { type: 'custom' }, { 'files.custom.txt': 'notes' });
      expect(await cli.run(['exchange', 'asset', 'copy', gav(custom), gav(`${custom}-copy`)])).toMatchObject({ code: 0 });
      expect((await v2(gav(`${custom}-copy`))).body).toMatchObject({
        type: 'custom',
        files: [expect.objectContaining({ classifier: 'custom', packaging: 'txt', md5: md5('notes') })],
      });
    });

    it("cannot copy another tenant's asset, nor into another tenant's organization (404)", async () => {
      const theirs = uniqueName('theirs');
      await publish(other, theirs, { type: 'rest-api' }, { 'files.oas.json': OAS });
      const target = uniqueName('stolen');
      expectFailure(
        await cli.run(['exchange', 'asset', 'copy', gav(theirs, '1.0.0', other.organizationId), gav(target)]),
        `Asset ${other.organizationId}/${theirs}/1.0.0 not found`,
      );
      const mine = uniqueName('mine');
      await publish(tenant, mine, { type: 'rest-api' }, { 'files.oas.json': OAS });
      expectFailure(
        await cli.run([
          'exchange',
          'asset',
          'copy',
          gav(mine),
          `${other.organizationId}/${target}/1.0.0`,
          '--targetOrganizationId',
          other.organizationId,
        ]),
        `Organization ${other.organizationId} not found`,
      );
      expect(await testPrisma().exchangeAsset.count({ where: { assetId: target } })).toBe(0);
    });
  });

  describe('delete', () => {
    it('hard-deletes a version: gone everywhere, and the version can be published again', async () => {
      const assetId = uniqueName('gone');
      await publish(tenant, assetId, { type: 'rest-api' }, { 'files.oas.json': OAS });
      const link = (await v2(gav(assetId))).body.files[0].externalLink as string;
      expect(await cli.run(['exchange', 'asset', 'delete', gav(assetId)])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('Asset deleted'),
      });
      expect((await v2(gav(assetId))).status).toBe(404);
      expect(await testPrisma().exchangeAsset.count({ where: { assetId } })).toBe(0);
      expect((await graph(`{ asset(groupId: "${org()}", assetId: "${assetId}") { version } }`)).body).toEqual({
        data: { asset: null },
      });
      expect((await cp.request('GET', link.slice(cp.url.length))).status).toBe(403);
      await publish(tenant, assetId, { type: 'mcp' });
      expect((await v2(gav(assetId))).body.type).toBe('mcp');
    });

    it('keeps a version an API instance uses (409 naming it), and refuses another tenant’s asset (404)', async () => {
      const assetId = uniqueName('used');
      await publish(tenant, assetId, { type: 'mcp' });
      const instance = await newApiInstance(tenant, { assetId, assetVersion: '1.0.0', instanceLabel: uniqueName('label') });
      expectFailure(
        await cli.run(['exchange', 'asset', 'delete', gav(assetId)]),
        `Asset ${gav(assetId)} is the spec of API instance ${instance.id} "${instance.instanceLabel}" (Sandbox)`,
      );
      expect((await v2(gav(assetId))).status).toBe(200);

      const theirs = uniqueName('theirs');
      await publish(other, theirs, { type: 'mcp' });
      expectFailure(
        await cli.run(['exchange', 'asset', 'delete', gav(theirs, '1.0.0', other.organizationId)]),
        `Asset ${other.organizationId}/${theirs}/1.0.0 not found`,
      );
      expect((await v2(gav(theirs, '1.0.0', other.organizationId), other.token)).status).toBe(200);
    });
  });
});
