/**
 * MuleSoft's unmodified `anypoint-cli-v4`, run as a child process against a test control plane
 * the way a person runs it. It speaks only `https://<ANYPOINT_HOST>`, so the control plane must
 * serve HTTPS (PORTICO_TLS_*) with a certificate the CLI trusts through NODE_EXTRA_CA_CERTS.
 *
 * The CLI is installed once per checkout from the pinned tree in `test/anypoint-cli/` into
 * `node_modules/.cache/portico-test/anypoint-cli-v4`, with install scripts off: one of its
 * dependencies (puppeteer) downloads a browser in an install script, which the CLI does not need
 * for the commands tested. Concurrent test files wait for one install (a lock directory).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestCa } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './control-plane.js';
import { newTenant, type TestTenant } from './factories.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
const PINNED = path.join(REPO_ROOT, 'apps/control-plane/test/anypoint-cli');
const CACHE = path.join(REPO_ROOT, 'node_modules/.cache/portico-test/anypoint-cli-v4');
const BIN = path.join(CACHE, 'node_modules/anypoint-cli-v4/bin/run');
const LOCK = `${CACHE}.lock`;
const INSTALL_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

/** The installed tree matches the pinned lockfile when this marker holds the lockfile's hash. */
async function installedHash(): Promise<string | undefined> {
  return readFile(path.join(CACHE, '.installed'), 'utf8').catch(() => undefined);
}

/**
 * Installs the pinned CLI unless it is there already; safe to call from several test files at
 * once (the first installs, the others wait on the lock). Takes up to a few minutes the first time.
 */
export async function ensureAnypointCli(): Promise<void> {
  const lockfile = await readFile(path.join(PINNED, 'package-lock.json'));
  const hash = createHash('sha256').update(lockfile).digest('hex');
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  await mkdir(path.dirname(CACHE), { recursive: true });
  for (;;) {
    if ((await installedHash()) === hash) return;
    try {
      await mkdir(LOCK);
    } catch {
      // Another test file installs: wait for it, or take over a lock its crash left behind.
      const age =
        Date.now() -
        (await stat(LOCK).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > INSTALL_TIMEOUT_MS) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited ${INSTALL_TIMEOUT_MS / 1000} s for ${LOCK} to go`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      await rm(CACHE, { recursive: true, force: true });
      await mkdir(CACHE, { recursive: true });
      await copyFile(path.join(PINNED, 'package.json'), path.join(CACHE, 'package.json'));
      await copyFile(path.join(PINNED, 'package-lock.json'), path.join(CACHE, 'package-lock.json'));
      await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', CACHE], {
        cwd: CACHE,
        timeout: INSTALL_TIMEOUT_MS,
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      await writeFile(path.join(CACHE, '.installed'), hash);
      return;
    } finally {
      await rm(LOCK, { recursive: true, force: true });
    }
  }
}

export interface AnypointCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Sign-in of a CLI profile: exactly one of the three modes the CLI has. */
export type AnypointCredentials =
  { username: string; password: string } | { clientId: string; clientSecret: string } | { bearer: string };

/**
 * One CLI user: its own config directory (the CLI caches its token and session there, keyed by
 * credentials but not by host), its credentials and the control plane it talks to.
 */
export interface AnypointCli {
  /** `anypoint-cli-v4 <args>`; resolves when it exits, with colours stripped from the output. */
  run(args: string[], extraEnv?: Record<string, string>): Promise<AnypointCliResult>;
  /** `run` with `--output json` appended, parsing stdout; throws with the output on a non-zero exit. */
  json<T = any>(args: string[]): Promise<T>;
}

// eslint-disable-next-line no-control-regex -- the CLI colours its output with ANSI escapes
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * A CLI user against the control plane at `baseUrl` (https://host:port), trusting `caFile`.
 * `organization` / `environment` are passed as ANYPOINT_ORG / ANYPOINT_ENV when given.
 */
export async function anypointCli(
  baseUrl: string,
  caFile: string,
  credentials: AnypointCredentials,
  selection: { organization?: string; environment?: string } = {},
): Promise<AnypointCli> {
  const home = await mkdtemp(path.join(tmpdir(), 'portico-anypoint-cli-'));
  const host = new URL(baseUrl).host;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: home,
    NODE_EXTRA_CA_CERTS: caFile,
    ANYPOINT_HOST: host,
    ...('username' in credentials && { ANYPOINT_USERNAME: credentials.username, ANYPOINT_PASSWORD: credentials.password }),
    ...('clientId' in credentials && {
      ANYPOINT_CLIENT_ID: credentials.clientId,
      ANYPOINT_CLIENT_SECRET: credentials.clientSecret,
    }),
    ...('bearer' in credentials && { ANYPOINT_BEARER: credentials.bearer }),
    ...(selection.organization && { ANYPOINT_ORG: selection.organization }),
    ...(selection.environment && { ANYPOINT_ENV: selection.environment }),
  };
  const runCli = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<AnypointCliResult>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: home, env: { ...env, ...extraEnv }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout: stdout.replace(ANSI, ''), stderr: stderr.replace(ANSI, '') });
        },
      );
    });
  return {
    run: runCli,
    async json(args) {
      const result = await runCli([...args, '--output', 'json']);
      if (result.code !== 0)
        throw new Error(`anypoint-cli-v4 ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
      return JSON.parse(result.stdout);
    },
  };
}

/** A control plane serving HTTPS as the CLI needs it, a tenant on it and that tenant's CLI user. */
export interface CliControlPlane {
  cp: TestControlPlane;
  /** the PEM file of the CA that issued the control plane's certificate (the CLI trusts it) */
  caFile: string;
  tenant: TestTenant;
  /** the tenant's user, signed in with username and password, in Sandbox */
  cli: AnypointCli;
  /** another CLI user of the tenant (a new config directory), e.g. in another environment */
  cliAs(selection: { organization?: string; environment?: string }, credentials?: AnypointCredentials): Promise<AnypointCli>;
}

/**
 * Installs the CLI, starts a control plane with a certificate of a test CA (PORTICO_TLS_*) and
 * creates a tenant and its CLI user. `env` adds control-plane environment variables.
 */
export async function startCliControlPlane(env: Record<string, string> = {}): Promise<CliControlPlane> {
  await ensureAnypointCli();
  const ca = await createTestCa();
  const leaf = await ca.issue({ commonName: 'portico', names: ['localhost', '127.0.0.1'], usage: 'server' });
  const dir = await mkdtemp(path.join(tmpdir(), 'portico-cli-tls-'));
  const caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, ca.certificatePem);
  await writeFile(path.join(dir, 'cert.pem'), leaf.certificatePem);
  await writeFile(path.join(dir, 'key.pem'), leaf.privateKeyPem);
  const cp = await startControlPlane(
    { PORTICO_TLS_CERT_FILE: path.join(dir, 'cert.pem'), PORTICO_TLS_KEY_FILE: path.join(dir, 'key.pem'), ...env },
    ca.certificatePem,
  );
  const tenant = await newTenant(cp);
  const user = { username: tenant.username, password: tenant.password };
  const cliAs: CliControlPlane['cliAs'] = (selection, credentials = user) => anypointCli(cp.url, caFile, credentials, selection);
  return { cp, caFile, tenant, cli: await cliAs({ environment: 'Sandbox' }), cliAs };
}
