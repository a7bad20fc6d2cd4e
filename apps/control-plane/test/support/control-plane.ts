/**
 * Starts a real control plane on the test database, in the test process (Fastify on
 * 127.0.0.1:0) or as a child process of its own, and gives tests a small HTTP client. Tests talk
 * to it over real sockets only (app.inject does not run on Node 20).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Agent } from 'undici';
import { freePort, spawnNode } from '#portico/testing';
import { apiScheme, createControlPlane } from '../../src/app.js';
import { loadEnv, type Env } from '../../src/config/env.js';

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'portico-test-admin-password';
/**
 * The secret key of every test control plane: they share one database, whose CA key is sealed
 * with it (a control plane with another key refuses to start). Written as `<data dir>/secret.key`
 * so the default key handling runs too.
 */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** sent as application/json */
  json?: unknown;
  /** sent verbatim (e.g. malformed JSON) with `contentType` */
  raw?: string | Buffer;
  contentType?: string;
  form?: Record<string, string>;
  multipart?: FormData;
  headers?: Record<string, string>;
}

/** A running control plane, as tests talk to it: over HTTP. */
export interface ControlPlaneClient {
  url: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** bearer token of the bootstrap admin */
  adminToken(): Promise<string>;
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** A control plane in the test process (tests may reach into its Nest container). */
export interface TestControlPlane extends ControlPlaneClient {
  app: NestFastifyApplication;
  env: Env;
}

/** A control plane in a child process of its own: `apps/control-plane/src/main.ts`, as production runs it. */
export interface ControlPlaneProcess extends ControlPlaneClient {
  readonly child: ChildProcess;
  /** Sends `signal` (default SIGKILL: a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
}

export function testDatabaseUrl(): string {
  const url = process.env.PORTICO_TEST_DATABASE_URL;
  if (!url) throw new Error('PORTICO_TEST_DATABASE_URL is not set (jest globalSetup did not run)');
  return url;
}

/** A data directory holding the shared test secret key (see TEST_SECRET_KEY). */
async function testDataDir(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-cp-'));
  await writeFile(path.join(dataDir, 'secret.key'), `${TEST_SECRET_KEY}\n`, { mode: 0o600 });
  return dataDir;
}

/** The variables every test control plane gets, before the test's overrides. */
function testVariables(dataDir: string): Record<string, string> {
  return {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_ADMIN_USERNAME: ADMIN_USERNAME,
    PORTICO_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PORTICO_LOG_LEVEL: 'silent',
    // every test control plane gets its own gRPC sync port
    PORTICO_SYNC_PORT: '0',
    // a console built elsewhere than apps/console/dist (while developing it)
    ...(process.env.PORTICO_CONSOLE_DIR && { PORTICO_CONSOLE_DIR: process.env.PORTICO_CONSOLE_DIR }),
  };
}

/**
 * `overrides` are more PORTICO_* variables. With PORTICO_TLS_CERT_FILE / _KEY_FILE the API serves
 * HTTPS at `https://localhost:<port>`; pass the PEM of the CA that issued the certificate as
 * `trustedCaPem` so the test client verifies it.
 */
export async function startControlPlane(
  overrides: Record<string, string> = {},
  trustedCaPem?: string,
): Promise<TestControlPlane> {
  const env = loadEnv({ ...testVariables(await testDataDir()), ...overrides });
  const app = await createControlPlane(env, overrides.DATABASE_URL ?? testDatabaseUrl());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const host = apiScheme(env) === 'https' ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const dispatcher = trustedCaPem ? new Agent({ connect: { ca: trustedCaPem } }) : undefined;
  return {
    ...httpClient(host, dispatcher),
    app,
    env,
    close: async () => {
      await app.close();
      await dispatcher?.close();
    },
  };
}

/**
 * Starts `apps/control-plane/src/main.ts` in a child process on the test database (its migrations
 * already applied, so its own migrate step is a no-op) and waits until /readyz answers 200.
 * `overrides` are more PORTICO_* variables (PORTICO_SYNC_PORT to keep a sync address across restarts).
 */
export async function startControlPlaneProcess(overrides: Record<string, string> = {}): Promise<ControlPlaneProcess> {
  return (await spawnControlPlaneProcess(overrides)).ready;
}

/**
 * {@link startControlPlaneProcess} for a test that watches the start itself: the process's output
 * at once, and the started control plane when /readyz answers 200.
 */
export async function spawnControlPlaneProcess(
  overrides: Record<string, string> = {},
): Promise<{ output(): string; ready: Promise<ControlPlaneProcess> }> {
  const port = await freePort();
  const proc = spawnNode(
    ['--conditions=portico-source', '--import', './libs/testing/src/swc-register.mjs', 'apps/control-plane/src/main.ts'],
    {
      DATABASE_URL: testDatabaseUrl(),
      ...testVariables(await testDataDir()),
      PORTICO_LOG_LEVEL: 'warn',
      PORTICO_HOST: '127.0.0.1',
      PORTICO_PORT: String(port),
      PORTICO_SYNC_PORT: String(await freePort()),
      ...overrides,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    await proc.signal(signal);
  };
  // Under the 60 s a jest hook may take, so a stuck start is killed here rather than left running.
  const ready = proc
    .waitUntilReady('the control plane process', async () => (await fetch(`${url}/readyz`)).status === 200, 45_000)
    .then(() => ({ ...httpClient(url), child: proc.child, kill, output: proc.output, close: () => kill('SIGTERM') }));
  return { output: proc.output, ready };
}

/** The HTTP side of a test control plane at `url`. */
function httpClient(url: string, dispatcher?: Agent): Omit<ControlPlaneClient, 'close'> {
  const request = async <T>(method: string, urlPath: string, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.raw !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = options.raw as RequestInit['body'];
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.multipart) {
      body = options.multipart;
    }
    const res = await fetch(`${url}${urlPath}`, { method, headers, body, ...(dispatcher && { dispatcher }) } as RequestInit);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  const login = async (username: string, password: string) => {
    const res = await request<{ access_token: string }>('POST', '/accounts/login', { json: { username, password } });
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${res.text}`);
    return res.body.access_token;
  };

  let admin: string | undefined;
  return {
    url,
    request,
    login,
    adminToken: async () => (admin ??= await login(ADMIN_USERNAME, ADMIN_PASSWORD)),
  };
}
