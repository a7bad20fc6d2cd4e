/**
 * Starts a real control plane (Fastify on 127.0.0.1:0) on the test database and gives tests a
 * small HTTP client. Tests talk to it over real sockets only (app.inject does not run on Node 20).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createControlPlane } from '../../src/app.js';
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

export interface TestControlPlane {
  app: NestFastifyApplication;
  url: string;
  env: Env;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** bearer token of the bootstrap admin */
  adminToken(): Promise<string>;
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.PORTICO_TEST_DATABASE_URL;
  if (!url) throw new Error('PORTICO_TEST_DATABASE_URL is not set (jest globalSetup did not run)');
  return url;
}

export async function startControlPlane(overrides: Record<string, string> = {}): Promise<TestControlPlane> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-cp-'));
  await writeFile(path.join(dataDir, 'secret.key'), `${TEST_SECRET_KEY}\n`, { mode: 0o600 });
  const env = loadEnv({
    PORTICO_DATA_DIR: dataDir,
    PORTICO_ADMIN_USERNAME: ADMIN_USERNAME,
    PORTICO_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PORTICO_LOG_LEVEL: 'silent',
    // every test control plane gets its own gRPC sync port
    PORTICO_SYNC_PORT: '0',
    ...overrides,
  });
  const app = await createControlPlane(env, overrides.DATABASE_URL ?? testDatabaseUrl());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;

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
    const res = await fetch(`${url}${urlPath}`, { method, headers, body });
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
    app,
    url,
    env,
    request,
    login,
    adminToken: async () => (admin ??= await login(ADMIN_USERNAME, ADMIN_PASSWORD)),
    close: () => app.close(),
  };
}
