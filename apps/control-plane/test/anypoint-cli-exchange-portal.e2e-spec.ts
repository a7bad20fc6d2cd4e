/**
 * MuleSoft's unmodified anypoint-cli-v4 1.6.12 documenting an Exchange asset version:
 * `exchange asset page upload|update|modify|delete|list|download` and `exchange asset resource
 * upload|list|download|delete`. Each command runs as a child process against Portico over HTTPS,
 * and its effect is read back over REST (page markdown, page and resource lists, resource bytes).
 * The control plane runs with a 64 KiB upload limit so that the refused upload stays small.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { anypointCli, type AnypointCli, type AnypointCliResult, startCliControlPlane } from './support/anypoint-cli.js';
import type { TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newMcpAsset, newTenant, type TestTenant } from './support/factories.js';

const UPLOAD_LIMIT = 64 * 1024;
/** Each CLI command starts a Node process (seconds on a busy machine); a test runs up to a dozen. */
const CLI_TEST_MS = 180_000;

type Asset = { groupId: string; assetId: string; version: string };

/**
 * The CLI's error message as one line: oclif prints it after ` ›   Error: `, wrapped to the
 * terminal width, marking each line break that replaced a space with `·`.
 */
function errorOf(result: AnypointCliResult): string {
  return result.stderr
    .split('\n')
    .map((line) => line.replace(/^ ›\s+/, ''))
    .join('\n')
    .replace(/·\n/g, ' ')
    .replace(/\n/g, '')
    .replace(/^Error: /, '');
}

/** `--output json` of a command that logs a line of progress before its JSON. */
async function jsonOf<T>(cli: AnypointCli, args: string[]): Promise<T> {
  const result = await cli.run([...args, '--output', 'json']);
  if (result.code !== 0) throw new Error(`anypoint-cli-v4 ${args.join(' ')} exited ${result.code}: ${errorOf(result)}`);
  return JSON.parse(result.stdout.slice(result.stdout.search(/^[[{]/m)));
}

describe('anypoint-cli-v4 exchange asset page and resource', () => {
  let cp: TestControlPlane;
  let caFile: string;
  let tenant: TestTenant;
  let cli: AnypointCli;
  let dispatcher: Agent;
  let dir: string;

  beforeAll(async () => {
    ({ cp, caFile, tenant, cli } = await startCliControlPlane({ PORTICO_UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT) }));
    dispatcher = new Agent({ connect: { ca: await readFile(caFile) } });
    dir = await mkdtemp(path.join(tmpdir(), 'portico-cli-portal-'));
  }, 300_000);
  afterAll(async () => {
    await dispatcher?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  const portalOf = (a: Asset) => `/exchange/api/v2/assets/${a.groupId}/${a.assetId}/${a.version}/portal`;
  /** `group/asset/version`, the identifier the CLI takes. */
  const id = (a: Asset) => `${a.groupId}/${a.assetId}/${a.version}`;
  const get = (url: string) => cp.request('GET', url, { token: tenant.token });
  const pageNames = async (a: Asset, side = '') =>
    ((await get(`${portalOf(a)}${side}/pages`)).body as { name: string }[]).map((p) => p.name);
  const resourcePaths = async (a: Asset, side = '') =>
    ((await get(`${portalOf(a)}${side}/resources`)).body as { path: string }[]).map((r) => r.path);
  /** A file in the spec's directory. */
  const file = async (name: string, content: string | Buffer) => {
    const at = path.join(dir, name);
    await writeFile(at, content);
    return at;
  };
  /** The bytes and media type of a download (cp.request reads bodies as text). */
  const download = async (url: string) => {
    const res = await fetch(`${cp.url}${url}`, {
      headers: { authorization: `Bearer ${tenant.token}` },
      dispatcher,
    });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };

  describe('page', () => {
    it(
      'upload creates and publishes a page; list and download show it',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        const markdown = '# Weather MCP server\n\nAsk it for *forecasts*.\n';
        const upload = await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', await file('home.md', markdown)]);
        expect(upload).toMatchObject({ code: 0, stderr: '' });
        expect(upload.stdout).toContain('Asset page uploaded and published');
        expect((await get(`${portalOf(asset)}/pages/home`)).text).toBe(markdown);
        expect((await get(portalOf(asset))).body).toEqual({ draftStatus: 'PUBLISHED', pages: [{ path: 'home', name: 'home' }] });

        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'Getting started', await file('start.md', 'Step 1')]);
        const listed = await jsonOf(cli, ['exchange', 'asset', 'page', 'list', id(asset)]);
        expect(listed).toEqual([
          { path: 'home', name: 'home' },
          { path: 'Getting started', name: 'Getting started' },
        ]);
        expect(await pageNames(asset)).toEqual(['home', 'Getting started']);

        const into = await mkdtemp(path.join(dir, 'pages-'));
        const all = await cli.run(['exchange', 'asset', 'page', 'download', id(asset), into]);
        expect(all.code).toBe(0);
        expect(await readFile(path.join(into, 'home.md'), 'utf8')).toBe(markdown);
        expect(await readFile(path.join(into, 'Getting started.md'), 'utf8')).toBe('Step 1');
        const one = await mkdtemp(path.join(dir, 'page-'));
        expect((await cli.run(['exchange', 'asset', 'page', 'download', id(asset), one, 'home'])).code).toBe(0);
        expect(await readFile(path.join(one, 'home.md'), 'utf8')).toBe(markdown);
      },
      CLI_TEST_MS,
    );

    it(
      'update replaces the markdown of a page; a page that does not exist is a clear error',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', await file('v1.md', 'first')]);
        const update = await cli.run(['exchange', 'asset', 'page', 'update', id(asset), 'home', await file('v2.md', 'second')]);
        expect(update).toMatchObject({ code: 0, stderr: '' });
        expect((await get(`${portalOf(asset)}/pages/home`)).text).toBe('second');

        const missing = await cli.run(['exchange', 'asset', 'page', 'update', id(asset), 'nowhere', await file('v3.md', 'x')]);
        expect(missing.code).toBe(2);
        expect(errorOf(missing)).toContain(`Page nowhere not found in the draft of asset ${id(asset)}`);
        expect(await pageNames(asset)).toEqual(['home']);
      },
      CLI_TEST_MS,
    );

    it(
      'modify renames a page (pageName to --name), keeping its markdown; a taken name is a conflict',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', await file('home.md', 'home page')]);
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'faq', await file('faq.md', 'Q & A')]);

        const modify = await cli.run(['exchange', 'asset', 'page', 'modify', id(asset), 'faq', '--name', 'Questions']);
        expect(modify).toMatchObject({ code: 0, stderr: '' });
        expect(modify.stdout).toContain('Asset page modified');
        expect(await pageNames(asset)).toEqual(['home', 'Questions']);
        expect((await get(`${portalOf(asset)}/pages/Questions`)).text).toBe('Q & A');

        const taken = await cli.run(['exchange', 'asset', 'page', 'modify', id(asset), 'Questions', '--name', 'home']);
        expect(taken.code).toBe(2);
        expect(errorOf(taken)).toContain(`Page home already exists in the draft of asset ${id(asset)}`);
        const missing = await cli.run(['exchange', 'asset', 'page', 'modify', id(asset), 'nowhere', '--name', 'x']);
        expect(missing.code).toBe(2);
        expect(errorOf(missing)).toContain(`Page nowhere not found in the draft of asset ${id(asset)}`);
        expect(await pageNames(asset)).toEqual(['home', 'Questions']);
        expect((await get(portalOf(asset))).body.draftStatus).toBe('PUBLISHED');
      },
      CLI_TEST_MS,
    );

    it(
      'delete removes a published page; one that does not exist is an error',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', await file('home.md', 'home')]);
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'old', await file('old.md', 'old')]);

        const deleted = await cli.run(['exchange', 'asset', 'page', 'delete', id(asset), 'old']);
        expect(deleted).toMatchObject({ code: 0, stderr: '' });
        expect(deleted.stdout).toContain('Asset page deleted');
        expect(await pageNames(asset)).toEqual(['home']);
        expect((await get(`${portalOf(asset)}/pages/old`)).status).toBe(404);

        const again = await cli.run(['exchange', 'asset', 'page', 'delete', id(asset), 'old']);
        expect(again.code).toBe(2);
        expect(errorOf(again)).toContain('Unable to find page');
      },
      CLI_TEST_MS,
    );

    it(
      'refuses a page name with a slash with a message naming the field, and publishes nothing',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        const bad = await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'docs/faq', await file('faq.md', 'x')]);
        expect(bad.code).toBe(2);
        expect(errorOf(bad)).toContain('body.pagePath: must not contain /, \\, ?, #, % or control characters');
        const long = await cli.run([
          'exchange',
          'asset',
          'page',
          'upload',
          id(asset),
          'p'.repeat(129),
          await file('long.md', 'x'),
        ]);
        expect(errorOf(long)).toContain('body.pagePath: must be at most 128 characters');
        expect((await get(`${portalOf(asset)}/draft`)).body).toEqual({ draftStatus: 'PUBLISHED', pages: [] });
      },
      CLI_TEST_MS,
    );
  });

  describe('resource', () => {
    it(
      'upload puts a file in the draft, a page publishes it, and download returns its bytes',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(4000)]);
        const upload = await cli.run(['exchange', 'asset', 'resource', 'upload', id(asset), await file('weather-logo.png', png)]);
        expect(upload).toMatchObject({ code: 0, stderr: '' });
        const link = /!\[weather-logo\]\((resources\/weather-logo-[0-9a-f-]{36}\.png)\)/.exec(upload.stdout);
        expect(link).not.toBeNull();
        const resource = link![1]!;
        expect(await resourcePaths(asset, '/draft')).toEqual([resource]);
        expect(await resourcePaths(asset)).toEqual([]);

        const drafts = await cli.run(['exchange', 'asset', 'resource', 'list', id(asset)]);
        expect(drafts.stdout).toContain(`does not have any published resource`);
        expect(await jsonOf(cli, ['exchange', 'asset', 'resource', 'list', id(asset), '--draft'])).toEqual([resource]);

        // the page linking the resource publishes the draft, the resource with it
        const page = await file('home.md', `# Weather\n\n![logo](${resource})\n`);
        expect((await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', page])).code).toBe(0);
        expect(await jsonOf(cli, ['exchange', 'asset', 'resource', 'list', id(asset)])).toEqual([resource]);
        const served = await download(`${portalOf(asset)}/${resource}`);
        expect(served).toMatchObject({ status: 200, type: 'image/png' });
        expect(served.bytes.equals(png)).toBe(true);

        const target = path.join(dir, 'downloaded.png');
        const downloaded = await cli.run(['exchange', 'asset', 'resource', 'download', id(asset), resource, target]);
        expect(downloaded.code).toBe(0);
        expect((await readFile(target)).equals(png)).toBe(true);
      },
      CLI_TEST_MS,
    );

    it(
      'delete removes a resource from the draft; the next publish removes it from the portal',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        const upload = await cli.run(['exchange', 'asset', 'resource', 'upload', id(asset), await file('chart.gif', 'GIF89a')]);
        const resource = /\((resources\/[^)]+)\)/.exec(upload.stdout)![1]!;
        await cli.run(['exchange', 'asset', 'page', 'upload', id(asset), 'home', await file('home.md', 'home')]);
        expect(await resourcePaths(asset)).toEqual([resource]);

        const deleted = await cli.run(['exchange', 'asset', 'resource', 'delete', id(asset), resource]);
        expect(deleted).toMatchObject({ code: 0, stderr: '' });
        expect(deleted.stdout).toContain(`Resource deleted: ${resource}`);
        expect(await resourcePaths(asset, '/draft')).toEqual([]);
        expect(await resourcePaths(asset)).toEqual([resource]);
        await cli.run(['exchange', 'asset', 'page', 'update', id(asset), 'home', await file('home2.md', 'no chart')]);
        expect(await resourcePaths(asset)).toEqual([]);

        const again = await cli.run(['exchange', 'asset', 'resource', 'delete', id(asset), resource]);
        expect(again.code).toBe(2);
        expect(errorOf(again)).toContain(`Resource ${resource} not found in the draft of asset ${id(asset)}`);
        const gone = await cli.run([
          'exchange',
          'asset',
          'resource',
          'download',
          id(asset),
          resource,
          path.join(dir, 'gone.gif'),
        ]);
        expect(gone.code).toBe(2);
        expect(errorOf(gone)).toContain(`Can't download resource: ${resource}`);
      },
      CLI_TEST_MS,
    );

    it(
      'refuses a file over the upload limit with 413 naming it',
      async () => {
        const asset = await newMcpAsset(tenant.organizationId);
        const big = await file('big.png', randomBytes(UPLOAD_LIMIT + 1));
        const refused = await cli.run(['exchange', 'asset', 'resource', 'upload', id(asset), big]);
        expect(refused.code).toBe(2);
        expect(errorOf(refused)).toContain('A portal resource may be at most 64 KiB (65536 bytes)');
        expect(await resourcePaths(asset, '/draft')).toEqual([]);
      },
      CLI_TEST_MS,
    );
  });

  it(
    "answers every command on another organization's asset with the asset's 404",
    async () => {
      const other = await newTenant(cp);
      const asset = await newMcpAsset(other.organizationId);
      await cp.request('POST', `${portalOf(asset)}/draft/pages`, { token: other.token, json: { pagePath: 'home' } });
      await cp.request('PATCH', portalOf(asset), { token: other.token });
      const message = `Asset ${id(asset)} not found`;
      const commands = [
        ['page', 'list', id(asset)],
        ['page', 'upload', id(asset), 'home', await file('intruder.md', 'defaced')],
        ['page', 'update', id(asset), 'home', await file('intruder.md', 'defaced')],
        ['page', 'modify', id(asset), 'home', '--name', 'gone'],
        ['page', 'delete', id(asset), 'home'],
        ['page', 'download', id(asset), dir, 'home'],
        ['resource', 'upload', id(asset), await file('intruder.png', 'x')],
        ['resource', 'list', id(asset)],
        ['resource', 'list', id(asset), '--draft'],
        ['resource', 'delete', id(asset), 'resources/x.png'],
      ];
      for (const command of commands) {
        const result = await cli.run(['exchange', 'asset', ...command]);
        expect([command.join(' '), result.code, errorOf(result)]).toEqual([command.join(' '), 2, message]);
      }
      const owner = await anypointCli(cp.url, caFile, { username: other.username, password: other.password });
      expect(await jsonOf(owner, ['exchange', 'asset', 'page', 'list', id(asset)])).toEqual([{ path: 'home', name: 'home' }]);
      const read = await cp.request('GET', `${portalOf(asset)}/pages/home`, { token: other.token });
      expect(read).toMatchObject({ status: 200, text: '' });
    },
    CLI_TEST_MS,
  );
});
