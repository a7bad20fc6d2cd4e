/**
 * The profile store and openSession's choice of credentials, in a real temporary config
 * directory. Only the paths that need no control plane are here (a profile carries its
 * organization); the PORTICO_TOKEN and PORTICO_CLIENT_ID paths are shown to be taken before the
 * profile by pointing them at a port nobody listens on. Against a real control plane:
 * apps/control-plane/test/portico-login.e2e-spec.ts.
 */
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '#portico/testing';
import { UsageError } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { configDir, type Profile, readProfile, removeProfile, saveProfile } from './profiles.js';
import { openSession } from './session.js';

const HOUR = 3_600_000;

const profile = (fields: Partial<Profile> = {}): Profile => ({
  controlPlane: 'http://127.0.0.1:9',
  organizationId: 'org-1',
  token: 'token-1',
  expiresAt: new Date(Date.now() + HOUR).toISOString(),
  principal: { kind: 'user', name: 'alice' },
  ...fields,
});

/** An environment whose config directory is a fresh temporary one (not yet created). */
const tempEnv = async (vars: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> => ({
  PORTICO_CONFIG_DIR: path.join(await mkdtemp(path.join(tmpdir(), 'portico-config-')), 'portico'),
  ...vars,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as Error,
  );

describe('configDir', () => {
  it('is $PORTICO_CONFIG_DIR, else $XDG_CONFIG_HOME/portico, else ~/.config/portico', () => {
    expect(configDir({ PORTICO_CONFIG_DIR: '/a/b', XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/a/b');
    expect(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/portico');
    expect(configDir({ PORTICO_CONFIG_DIR: '', XDG_CONFIG_HOME: '', HOME: '/h' })).toBe('/h/.config/portico');
  });
});

describe('profile store', () => {
  it('writes profiles.json mode 0600 in a directory made mode 0700, leaving no temporary file', async () => {
    const env = await tempEnv();
    await saveProfile('default', profile(), env);
    await saveProfile('ci', profile({ token: 'token-2', expiresAt: null, principal: { kind: 'client', name: 'c1' } }), env);
    const dir = configDir(env);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'profiles.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['profiles.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'profiles.json'), 'utf8'))).toEqual({
      profiles: { default: profile({ expiresAt: expect.any(String) }), ci: expect.objectContaining({ token: 'token-2' }) },
    });
    expect(await readProfile('ci', env)).toMatchObject({ expiresAt: null, principal: { kind: 'client', name: 'c1' } });
  });

  it('replaces one profile and removes one, keeping the others', async () => {
    const env = await tempEnv();
    await saveProfile('a', profile(), env);
    await saveProfile('b', profile({ token: 'b-1' }), env);
    await saveProfile('b', profile({ token: 'b-2' }), env);
    expect((await readProfile('b', env))?.token).toBe('b-2');
    expect((await removeProfile('a', env))?.token).toBe('token-1');
    expect(await removeProfile('a', env)).toBeNull();
    expect(await readProfile('a', env)).toBeNull();
    expect((await readProfile('b', env))?.token).toBe('b-2');
  });

  it('answers null with no file, without creating one', async () => {
    const env = await tempEnv();
    expect(await readProfile('default', env)).toBeNull();
    expect(await removeProfile('default', env)).toBeNull();
    await expect(stat(configDir(env))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['{"profiles":', /is not valid JSON/],
    ['[]', /is malformed: /],
    [
      '{"profiles":{"default":{"controlPlane":"http://cp","token":"t"}}}',
      /is malformed: \$\.profiles\.default\.organizationId: /,
    ],
  ])('refuses a malformed file %j with exit 1, naming it, and never overwrites it', async (text, message) => {
    const env = await tempEnv();
    await saveProfile('other', profile(), env);
    const file = path.join(configDir(env), 'profiles.json');
    await writeFile(file, text);
    for (const attempt of [readProfile('default', env), saveProfile('default', profile(), env)]) {
      const err = await failure(attempt);
      expect(err).toBeInstanceOf(CliError);
      expect(err).toMatchObject({ exitCode: EXIT.failed, message: expect.stringContaining(file) });
      expect(err.message).toMatch(message);
    }
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it.each(['__proto__', '', 'a b', '../x'])('refuses the profile name %j', async (name) => {
    const env = await tempEnv();
    await expect(saveProfile(name, profile(), env)).rejects.toBeInstanceOf(UsageError);
    await expect(readProfile(name, env)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('openSession', () => {
  it('opens the default profile without calling the control plane', async () => {
    const env = await tempEnv();
    await saveProfile('default', profile(), env);
    const session = await openSession({}, env);
    expect(session).toMatchObject({ controlPlane: 'http://127.0.0.1:9', organizationId: 'org-1', profile: 'default' });
    expect(session.client.baseUrl).toBe('http://127.0.0.1:9');
  });

  it('takes --profile, else PORTICO_PROFILE, else default', async () => {
    const env = await tempEnv({ PORTICO_PROFILE: 'env' });
    for (const name of ['default', 'env', 'option']) await saveProfile(name, profile({ organizationId: `org-${name}` }), env);
    expect((await openSession({ profile: 'option' }, env)).organizationId).toBe('org-option');
    expect((await openSession({}, env)).organizationId).toBe('org-env');
    expect((await openSession({}, { ...env, PORTICO_PROFILE: '' })).organizationId).toBe('org-default');
  });

  it('accepts a profile whose token has no known expiry', async () => {
    const env = await tempEnv();
    await saveProfile('default', profile({ expiresAt: null }), env);
    expect((await openSession({}, env)).profile).toBe('default');
  });

  it('refuses an expired token with exit 5, saying when it expired', async () => {
    const env = await tempEnv();
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    await saveProfile('work', profile({ expiresAt }), env);
    const err = await failure(openSession({ profile: 'work' }, env));
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({
      exitCode: EXIT.unauthenticated,
      message: `the token of profile "work" expired at ${expiresAt}; run \`portico login\``,
    });
  });

  it('says how to log in, with exit 5, when there is no such profile', async () => {
    const env = await tempEnv();
    await saveProfile('other', profile(), env);
    for (const env_ of [env, await tempEnv()]) {
      const err = await failure(openSession({}, env_));
      expect(err).toMatchObject({
        exitCode: EXIT.unauthenticated,
        message: 'not logged in: run `portico login` or set PORTICO_TOKEN or PORTICO_CLIENT_ID/PORTICO_CLIENT_SECRET',
      });
    }
  });

  it("refuses --control-plane naming another control plane than the profile's (exit 5)", async () => {
    const env = await tempEnv();
    await saveProfile('default', profile(), env);
    expect((await openSession({ controlPlane: 'http://127.0.0.1:9/' }, env)).profile).toBe('default');
    const err = await failure(openSession({ controlPlane: 'http://127.0.0.1:8' }, env));
    expect(err).toMatchObject({ exitCode: EXIT.unauthenticated });
    expect(err.message).toMatch(/^profile "default" is logged in to http:\/\/127\.0\.0\.1:9, not http:\/\/127\.0\.0\.1:8: /);
  });

  it('uses PORTICO_TOKEN or PORTICO_CLIENT_ID/SECRET before the profile', async () => {
    const env = await tempEnv();
    await saveProfile('default', profile(), env);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const tries = [
      { PORTICO_TOKEN: 't', PORTICO_URL: nobody },
      { PORTICO_CLIENT_ID: 'c', PORTICO_CLIENT_SECRET: 's', PORTICO_URL: nobody },
    ];
    for (const vars of tries) {
      const err = await failure(openSession({}, { ...env, ...vars }));
      expect(err).toMatchObject({
        exitCode: EXIT.unreachable,
        message: expect.stringContaining(`cannot reach the control plane at ${nobody}`),
      });
    }
    // --control-plane comes before PORTICO_URL
    const err = await failure(
      openSession({ controlPlane: nobody }, { ...env, PORTICO_TOKEN: 't', PORTICO_URL: 'http://127.0.0.1:9' }),
    );
    expect(err.message).toContain(`cannot reach the control plane at ${nobody}`);
    // half a client credential is none: the profile is used
    expect((await openSession({}, { ...env, PORTICO_CLIENT_SECRET: 's', PORTICO_URL: nobody })).profile).toBe('default');
  });

  it('refuses PORTICO_TOKEN or PORTICO_CLIENT_ID without a control plane, or with a bad one, as a usage error', async () => {
    const env = await tempEnv();
    await saveProfile('default', profile(), env);
    await expect(openSession({}, { ...env, PORTICO_TOKEN: 't' })).rejects.toThrow(
      new UsageError('PORTICO_TOKEN is set, but not the control plane to use it with: set PORTICO_URL or give --control-plane'),
    );
    await expect(openSession({}, { ...env, PORTICO_CLIENT_ID: 'c', PORTICO_CLIENT_SECRET: 's' })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(openSession({}, { ...env, PORTICO_TOKEN: 't', PORTICO_URL: 'ftp://cp' })).rejects.toThrow(
      new UsageError('PORTICO_URL must be an http(s) URL, got "ftp://cp"'),
    );
  });
});
