/**
 * `portico gateway register` against a real control plane. The CLI runs as a child process from
 * its TypeScript source, the way a person runs it; it is never imported here.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRegistration, REGISTRATION_FILE } from '#portico/gateway-registration';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { portico } from '../../test/support/portico-cli.js';
import { freePort } from '../../test/support/test-database.js';
import { randomToken, sha256 } from '../common/secrets.js';
import { SyncEndpoint } from '../config-sync/sync-endpoint.js';

describe('portico gateway register', () => {
  let cp: TestControlPlane;
  let syncAddress: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    cp = await startControlPlane();
    // Set by the sync server once it listens; without it running here, say where it would be.
    const endpoint = cp.app.get(SyncEndpoint);
    try {
      syncAddress = endpoint.publicAddress();
    } catch {
      syncAddress = `127.0.0.1:${await freePort()}`;
      endpoint.set(syncAddress);
    }
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const mintToken = async () => {
    const res = await cp.request(
      'POST',
      `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gatewaytokens`,
      { token: tenant.token },
    );
    expect(res.status).toBe(200);
    return res.body.registrationToken as string;
  };
  const outDir = async () => path.join(await mkdtemp(path.join(tmpdir(), 'portico-cli-')), 'conf.d');
  const tokenUsedAt = async (token: string) =>
    (await testPrisma().registrationToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } })).usedAt;

  it('registers and writes a registration.yaml (0600) the gateway can run from', async () => {
    const dir = await outDir();
    const name = uniqueName('edge');
    const token = await mintToken();
    const result = await portico([
      'gateway',
      'register',
      '--token',
      token,
      '--control-plane',
      cp.url,
      '--name',
      name,
      '--out',
      dir,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });

    const file = path.join(dir, REGISTRATION_FILE);
    const target = await testPrisma().gatewayTarget.findFirstOrThrow({ where: { name, environmentId: tenant.sandboxId } });
    expect(result.stdout).toContain(target.id);
    expect(result.stdout).toContain(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([REGISTRATION_FILE]);

    const registration = await readRegistration(dir);
    expect(registration).toMatchObject({
      agentId: target.id,
      name,
      organizationId: tenant.organizationId,
      environmentId: tenant.sandboxId,
      controlPlaneUrl: cp.url,
      syncAddress,
    });
    const cert = new X509Certificate(registration.certificate);
    expect(cert.verify(new X509Certificate(registration.caCertificate).publicKey)).toBe(true);
    expect(new Date(cert.validTo).toISOString()).toBe(registration.certificateExpiresAt);
    const stored = await testPrisma().gatewayCertificate.findUniqueOrThrow({ where: { serialNumber: cert.serialNumber } });
    expect(stored.targetId).toBe(target.id);
    expect(await tokenUsedAt(token)).not.toBeNull();
    // the token and the private key are never printed
    expect(result.stdout).not.toContain(token);
    expect(result.stdout).not.toContain('PRIVATE KEY');
  });

  it('takes the flexctl spellings: --output-directory, --anypoint-url and the name as last argument', async () => {
    const dir = await outDir();
    const name = uniqueName('flex');
    const result = await portico([
      'gateway',
      'register',
      `--token=${await mintToken()}`,
      `--anypoint-url=${cp.url}/`,
      `--output-directory=${dir}`,
      name,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await readRegistration(dir)).name).toBe(name);
  });

  // Tokens are base64url: one in 64 starts with '-', one in 4096 with '--'. Such a token is made
  // here on purpose, stored the way POST …/gatewaytokens stores one.
  const tokenStartingWith = async (prefix: string) => {
    const token = `${prefix}${randomToken()}`;
    await testPrisma().registrationToken.create({
      data: {
        tokenHash: sha256(token),
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        expiresAt: new Date(Date.now() + 600_000),
      },
    });
    return token;
  };

  it.each([
    ['-', 'separate'],
    ['-', 'joined'],
    ['--', 'separate'],
    ['-h', 'separate'],
  ])('registers with a token starting with %j given as a %s value', async (prefix, form) => {
    const dir = await outDir();
    const name = uniqueName('dash');
    const token = await tokenStartingWith(prefix);
    const tokenArgs = form === 'joined' ? [`--token=${token}`] : ['--token', token];
    const result = await portico(['gateway', 'register', ...tokenArgs, '--control-plane', cp.url, '--name', name, '--out', dir]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await readRegistration(dir)).name).toBe(name);
    expect(await tokenUsedAt(token)).not.toBeNull();
  });

  it('refuses a directory that already has a registration.yaml before spending the token', async () => {
    const dir = await outDir();
    const first = await portico([
      'gateway',
      'register',
      '--token',
      await mintToken(),
      '--control-plane',
      cp.url,
      '--name',
      uniqueName('a'),
      '--out',
      dir,
    ]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const before = await readFile(path.join(dir, REGISTRATION_FILE), 'utf8');
    const token = await mintToken();
    const result = await portico([
      'gateway',
      'register',
      '--token',
      token,
      '--control-plane',
      cp.url,
      '--name',
      uniqueName('b'),
      '--out',
      dir,
    ]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `error: file already exists: ${path.join(dir, REGISTRATION_FILE)}\n` });
    expect(await readFile(path.join(dir, REGISTRATION_FILE), 'utf8')).toBe(before);
    expect(await tokenUsedAt(token)).toBeNull();
  });

  it("prints the control plane's message on one line and exits 1 for a bad token, writing nothing", async () => {
    const dir = await outDir();
    const result = await portico([
      'gateway',
      'register',
      '--token',
      'not-a-token',
      '--control-plane',
      cp.url,
      '--name',
      'edge',
      '--out',
      dir,
    ]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: Invalid registration token\n' });
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("prints the control plane's message for a name already in use", async () => {
    const name = uniqueName('taken');
    const first = await portico([
      'gateway',
      'register',
      '--token',
      await mintToken(),
      '--control-plane',
      cp.url,
      name,
      '--out',
      await outDir(),
    ]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const result = await portico([
      'gateway',
      'register',
      '--token',
      await mintToken(),
      '--control-plane',
      cp.url,
      name,
      '--out',
      await outDir(),
    ]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: Gateway name '${name}' is already in use in this environment\n`,
    });
  });

  it('says which control plane it cannot reach and exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await portico([
      'gateway',
      'register',
      '--token',
      't',
      '--control-plane',
      url,
      '--name',
      'edge',
      '--out',
      await outDir(),
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach the control plane at ${url}: .*ECONNREFUSED.*\\n$`));
  });

  it.each([
    [['gateway', 'register', '--control-plane', 'http://127.0.0.1:1', '--name', 'edge'], 'error: --token is required'],
    [['gateway', 'register', '--token', 't', '--name', 'edge'], 'error: --control-plane is required'],
    [['gateway', 'register', '--token', 't', '--control-plane', 'http://127.0.0.1:1'], 'error: the gateway name is required'],
    [
      ['gateway', 'register', '--token', 't', '--control-plane', 'ftp://cp', 'edge'],
      'error: --control-plane must be an http(s) URL',
    ],
    [
      ['gateway', 'register', '--token', 't', '--control-plane', 'http://cp', '--name', 'a', 'b'],
      'error: give the gateway name once',
    ],
    [['gateway', 'register', '--tokn', 't'], "error: Unknown option '--tokn'"],
    [['gateway', 'register', '--token', '--control-plane', 'http://cp', 'edge'], 'error: --token needs a value'],
  ])('answers the usage error of %j with exit 2 and the usage', async (args, message) => {
    const result = await portico(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain('Usage: portico gateway register --token <token> --control-plane <url> --name <name>');
  });

  it('shows help for portico and for gateway register on stdout with exit 0', async () => {
    const top = await portico(['--help']);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toMatch(/^Usage: portico <command> \[options\]\n/);
    expect(top.stdout).toContain('portico gateway register');
    const register = await portico(['gateway', 'register', '--help']);
    expect(register).toMatchObject({ code: 0, stderr: '' });
    expect(register.stdout).toMatch(/^Usage: portico gateway register /);
    expect(register.stdout).toContain('--output-directory');
  });

  it('answers no or an unknown command with exit 2 and the list of commands', async () => {
    const none = await portico([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('portico gateway register');
    const unknown = await portico(['gateway', 'fly']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^error: unknown command: portico gateway fly\n/);
  });
});
