/**
 * `portico login` / `portico logout` and the session the other commands open (apps/cli
 * session/session.ts), against a real control plane. The CLI runs as a child process from its
 * TypeScript source, the way a person runs it, with a temporary PORTICO_CONFIG_DIR; it is never
 * imported here (the control plane's code may not import the CLI's). openSession, which no
 * command of these two uses, runs the same way: a child process that imports it and prints what
 * it opened.
 */
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { portico, REPO_ROOT, runNode } from './support/portico-cli.js';

const SESSION = pathToFileURL(path.join(REPO_ROOT, 'apps/cli/src/session/session.ts')).href;

/** What openSession opened, with the organization its client's token reads from /me, or how it failed. */
type Opened =
  | { controlPlane: string; organizationId: string; profile: string | null; meOrganizationId: string }
  | { exitCode: number; message: string };

const OPEN_SESSION = `
const { openSession } = await import(process.argv[1]);
try {
  const session = await openSession({ profile: process.env.TEST_PROFILE_OPTION });
  const me = await session.client.get('/accounts/api/me');
  const { client, ...opened } = session;
  console.log(JSON.stringify({ ...opened, meOrganizationId: me.user?.organization.id ?? me.client.org_id }));
} catch (err) {
  console.log(JSON.stringify({ exitCode: err.exitCode, message: err.message }));
}`;

async function openSession(env: Record<string, string>, profile?: string): Promise<Opened> {
  const result = await runNode(['--input-type=module', '-e', OPEN_SESSION, SESSION], {
    env: profile ? { ...env, TEST_PROFILE_OPTION: profile } : env,
  });
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

const configDir = async () => path.join(await mkdtemp(path.join(tmpdir(), 'portico-login-')), 'portico');
const profilesOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'profiles.json'), 'utf8')).profiles;

describe('portico login / logout', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let other: TestTenant;
  let app: { client_id: string; client_secret: string };

  beforeAll(async () => {
    cp = await startControlPlane();
    [tenant, other] = await Promise.all([newTenant(cp), newTenant(cp)]);
    const res = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: tenant.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'] },
    });
    expect(res.status).toBe(201);
    app = res.body;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const meStatus = async (token: string) => (await cp.request('GET', '/accounts/api/me', { token })).status;
  const userLogin = (dir: string, extra: string[] = [], env: Record<string, string> = {}) =>
    portico(['login', '--control-plane', cp.url, '--username', tenant.username, '--password-stdin', ...extra], {
      input: `${tenant.password}\n`,
      env: { PORTICO_CONFIG_DIR: dir, ...env },
    });

  it('logs a user in with --password-stdin: a 0600 profile holding the token, never the password', async () => {
    const dir = await configDir();
    const before = Date.now();
    const result = await userLogin(dir);
    expect(result).toEqual({
      code: 0,
      stdout: `Logged in to ${cp.url} as ${tenant.username} (organization ${tenant.organizationId}); profile "default".\n`,
      stderr: '',
    });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'profiles.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['profiles.json']);
    const text = await readFile(path.join(dir, 'profiles.json'), 'utf8');
    expect(text).not.toContain(tenant.password);
    const { default: profile } = JSON.parse(text).profiles;
    expect(profile).toEqual({
      controlPlane: cp.url,
      organizationId: tenant.organizationId,
      token: expect.any(String),
      expiresAt: expect.any(String),
      principal: { kind: 'user', name: tenant.username },
    });
    const ttl = cp.env.PORTICO_TOKEN_TTL_SECONDS * 1000;
    expect(Date.parse(profile.expiresAt)).toBeGreaterThanOrEqual(before + ttl - 1000);
    expect(Date.parse(profile.expiresAt)).toBeLessThanOrEqual(Date.now() + ttl + 1000);
    expect(await meStatus(profile.token)).toBe(200);

    expect(await openSession({ PORTICO_CONFIG_DIR: dir })).toEqual({
      controlPlane: cp.url,
      organizationId: tenant.organizationId,
      profile: 'default',
      meOrganizationId: tenant.organizationId,
    });
  });

  it('logs a connected app in with PORTICO_CLIENT_SECRET into the profile PORTICO_PROFILE names', async () => {
    const dir = await configDir();
    const url = `${cp.url}/`;
    const result = await portico(['login', '--client-id', app.client_id], {
      env: { PORTICO_CONFIG_DIR: dir, PORTICO_URL: url, PORTICO_CLIENT_SECRET: app.client_secret, PORTICO_PROFILE: 'ci' },
    });
    expect(result).toEqual({
      code: 0,
      stdout: `Logged in to ${cp.url} as ${app.client_id} (organization ${tenant.organizationId}); profile "ci".\n`,
      stderr: '',
    });
    const text = await readFile(path.join(dir, 'profiles.json'), 'utf8');
    expect(text).not.toContain(app.client_secret);
    expect(JSON.parse(text).profiles).toEqual({
      ci: {
        controlPlane: cp.url,
        organizationId: tenant.organizationId,
        token: expect.any(String),
        expiresAt: expect.any(String),
        principal: { kind: 'client', name: app.client_id },
      },
    });
    expect(await openSession({ PORTICO_CONFIG_DIR: dir }, 'ci')).toMatchObject({
      profile: 'ci',
      organizationId: tenant.organizationId,
      meOrganizationId: tenant.organizationId,
    });
  });

  it('keeps each profile: a second login with --profile adds one', async () => {
    const dir = await configDir();
    expect((await userLogin(dir)).code).toBe(0);
    const second = await portico(
      ['login', '--anypoint-url', cp.url, '--username', other.username, '--password-stdin', '--profile', 'other'],
      { input: other.password, env: { PORTICO_CONFIG_DIR: dir } },
    );
    expect(second).toMatchObject({ code: 0, stderr: '' });
    const profiles = await profilesOf(dir);
    expect(Object.keys(profiles).sort()).toEqual(['default', 'other']);
    expect(profiles.other.organizationId).toBe(other.organizationId);
    expect(profiles.default.organizationId).toBe(tenant.organizationId);
  });

  it.each([
    ['a wrong password', 'user', 'Invalid username or password'],
    ['a wrong client secret', 'client', 'Invalid client_id or client_secret'],
  ])("refuses %s with exit 5 and the control plane's message, writing nothing", async (_, kind, message) => {
    const dir = await configDir();
    const who =
      kind === 'user'
        ? ['--username', tenant.username, '--password-stdin']
        : ['--client-id', app.client_id, '--client-secret-stdin'];
    const result = await portico(['login', '--control-plane', cp.url, ...who], {
      input: 'not-the-secret',
      env: { PORTICO_CONFIG_DIR: dir },
    });
    expect(result).toEqual({ code: 5, stdout: '', stderr: `error: ${message}\n` });
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says which control plane it cannot reach and exits 4', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await portico(['login', '--control-plane', url, '--username', 'u', '--password-stdin'], { input: 'p' });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach the control plane at ${url}: .*ECONNREFUSED.*\\n$`));
  });

  it.each([
    [
      ['--username', 'u'],
      {},
      'error: no password: give it on stdin with --password-stdin, set PORTICO_PASSWORD, or run in a terminal to be asked',
    ],
    [
      ['--client-id', 'c'],
      {},
      'error: no client secret: give it on stdin with --client-secret-stdin, set PORTICO_CLIENT_SECRET, or run in a terminal',
    ],
    [
      ['--username', 'u', '--password', 'p'],
      {},
      'error: --password is not an option: a secret is never taken on the command line',
    ],
    [['--client-id', 'c', '--client-secret=s'], {}, 'error: --client-secret is not an option'],
    [['--username', 'u', '--client-secret-stdin'], {}, 'error: --client-secret-stdin goes with --client-id'],
    [['--username', 'u', '--client-id', 'c'], {}, 'error: give --username or --client-id, not both'],
    [[], {}, 'error: --username or --client-id is required'],
    [['--username', 'u'], { PORTICO_URL: '' }, 'error: --control-plane is required (or set PORTICO_URL)'],
    [['--username', 'u', '--profile', 'a b'], { PORTICO_PASSWORD: 'p' }, 'error: profile name "a b" is not valid'],
  ])('answers login %j (env %j) with exit 2 and the usage', async (args, env, message) => {
    const controlPlane = 'PORTICO_URL' in env ? [] : ['--control-plane', cp.url];
    const result = await portico(['login', ...controlPlane, ...args], { env: { PORTICO_CONFIG_DIR: await configDir(), ...env } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain('Usage: portico login --control-plane <url>');
  });

  it('logs out: the token is revoked and the profile removed; a second logout has nothing to do', async () => {
    const dir = await configDir();
    expect((await userLogin(dir)).code).toBe(0);
    expect((await userLogin(dir, ['--profile', 'keep'])).code).toBe(0);
    const { token } = (await profilesOf(dir)).default;

    const result = await portico(['logout'], { env: { PORTICO_CONFIG_DIR: dir } });
    expect(result).toEqual({ code: 0, stdout: `Logged out of ${cp.url}; profile "default" removed.\n`, stderr: '' });
    expect(await meStatus(token)).toBe(401);
    expect(Object.keys(await profilesOf(dir))).toEqual(['keep']);
    expect(await meStatus((await profilesOf(dir)).keep.token)).toBe(200);

    const again = await portico(['logout'], { env: { PORTICO_CONFIG_DIR: dir } });
    expect(again).toEqual({
      code: 0,
      stdout: '',
      stderr: `not logged in: no profile "default" in ${path.join(dir, 'profiles.json')}\n`,
    });
    expect(await openSession({ PORTICO_CONFIG_DIR: dir })).toEqual({
      exitCode: 5,
      message: 'not logged in: run `portico login` or set PORTICO_TOKEN or PORTICO_CLIENT_ID/PORTICO_CLIENT_SECRET',
    });
  });

  it('logs out of a profile whose token is dead already (401 from the control plane)', async () => {
    const dir = await configDir();
    expect((await userLogin(dir, ['--profile', 'dead'])).code).toBe(0);
    const { token } = (await profilesOf(dir)).dead;
    expect((await cp.request('POST', '/accounts/api/logout', { token })).status).toBe(204);
    expect(await openSession({ PORTICO_CONFIG_DIR: dir }, 'dead')).toEqual({
      exitCode: 5,
      message: 'Invalid access token (run `portico login`)',
    });

    const result = await portico(['logout', '--profile', 'dead'], { env: { PORTICO_CONFIG_DIR: dir } });
    expect(result).toEqual({ code: 0, stdout: `Logged out of ${cp.url}; profile "dead" removed.\n`, stderr: '' });
    expect(await profilesOf(dir)).toEqual({});
  });

  it('keeps the profile, exit 4, when the control plane cannot be reached to revoke the token', async () => {
    const dir = await configDir();
    expect((await userLogin(dir)).code).toBe(0);
    const profiles = await profilesOf(dir);
    const url = `http://127.0.0.1:${await freePort()}`;
    profiles.default.controlPlane = url;
    await writeFile(path.join(dir, 'profiles.json'), JSON.stringify({ profiles }));

    const result = await portico(['logout'], { env: { PORTICO_CONFIG_DIR: dir } });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach the control plane at ${url}: .*; profile "default" kept\\n$`));
    expect(await profilesOf(dir)).toEqual(profiles);
  });

  it('removes an expired profile without calling the control plane', async () => {
    const dir = await configDir();
    expect((await userLogin(dir)).code).toBe(0);
    const profiles = await profilesOf(dir);
    const expiresAt = new Date(Date.now() - 60_000).toISOString();
    Object.assign(profiles.default, { controlPlane: `http://127.0.0.1:${await freePort()}`, expiresAt });
    await writeFile(path.join(dir, 'profiles.json'), JSON.stringify({ profiles }));
    expect(await openSession({ PORTICO_CONFIG_DIR: dir })).toEqual({
      exitCode: 5,
      message: `the token of profile "default" expired at ${expiresAt}; run \`portico login\``,
    });

    const result = await portico(['logout'], { env: { PORTICO_CONFIG_DIR: dir } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await profilesOf(dir)).toEqual({});
  });

  describe('openSession', () => {
    /** A config dir whose default profile is the other tenant's. */
    const otherProfile = async () => {
      const dir = await configDir();
      const result = await portico(['login', '--control-plane', cp.url, '--username', other.username, '--password-stdin'], {
        input: other.password,
        env: { PORTICO_CONFIG_DIR: dir },
      });
      expect(result.code).toBe(0);
      return dir;
    };

    it('uses PORTICO_TOKEN before client credentials and the profile', async () => {
      const dir = await otherProfile();
      const opened = await openSession({
        PORTICO_CONFIG_DIR: dir,
        PORTICO_URL: cp.url,
        PORTICO_TOKEN: tenant.token,
        PORTICO_CLIENT_ID: 'nobody',
        PORTICO_CLIENT_SECRET: 'nothing',
      });
      expect(opened).toEqual({
        controlPlane: cp.url,
        organizationId: tenant.organizationId,
        profile: null,
        meOrganizationId: tenant.organizationId,
      });
    });

    it('uses PORTICO_CLIENT_ID/PORTICO_CLIENT_SECRET before the profile, writing nothing', async () => {
      const dir = await otherProfile();
      const before = await readFile(path.join(dir, 'profiles.json'), 'utf8');
      const opened = await openSession({
        PORTICO_CONFIG_DIR: dir,
        PORTICO_URL: cp.url,
        PORTICO_CLIENT_ID: app.client_id,
        PORTICO_CLIENT_SECRET: app.client_secret,
      });
      expect(opened).toEqual({
        controlPlane: cp.url,
        organizationId: tenant.organizationId,
        profile: null,
        meOrganizationId: tenant.organizationId,
      });
      expect(await readFile(path.join(dir, 'profiles.json'), 'utf8')).toBe(before);
      expect(await readdir(dir)).toEqual(['profiles.json']);
    });

    it('refuses a bad PORTICO_TOKEN or client secret with exit 5', async () => {
      const dir = await otherProfile();
      expect(await openSession({ PORTICO_CONFIG_DIR: dir, PORTICO_URL: cp.url, PORTICO_TOKEN: 'not-a-token' })).toEqual({
        exitCode: 5,
        message: 'Invalid access token (run `portico login`)',
      });
      expect(
        await openSession({
          PORTICO_CONFIG_DIR: dir,
          PORTICO_URL: cp.url,
          PORTICO_CLIENT_ID: app.client_id,
          PORTICO_CLIENT_SECRET: 'wrong',
        }),
      ).toEqual({ exitCode: 5, message: 'Invalid client_id or client_secret' });
    });
  });
});
