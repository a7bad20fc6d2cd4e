/**
 * The product under benchmark, run as an operator runs it: the built control plane
 * (`dist/apps/control-plane/src/main.js`, it cannot run under tsx) on a fresh database of the
 * machine's Postgres, gateways registered and fed over REST exactly as
 * apps/control-plane/test/support/gateways.ts does, and gateway processes
 * (`dist/apps/gateway/src/main.js --dir <registration dir>`). Build first: `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { WebSocket } from 'undici';
import { createKeyAndCsr, writeRegistration } from '#portico/gateway-registration';
import { freePort } from '#portico/testing';
import { type BenchProcess, onCleanup, REPO_ROOT, sleep, startProcess, tempDir } from './processes.js';

/** The Postgres server fresh benchmark databases are created on. */
export const POSTGRES_SERVER_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The machine's Redis, for gateways whose policies count there (PORTICO_REDIS_URL). */
export const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Exchange coordinates of the MCP Support policy template (seed 000). */
export const MCP_SUPPORT = { groupId: '68ef9520-24e9-4cf2-b2f5-620025690913', assetId: 'mcp-support', assetVersion: '1.0.1' };

const CONTROL_PLANE_MAIN = path.join(REPO_ROOT, 'dist/apps/control-plane/src/main.js');
const GATEWAY_MAIN = path.join(REPO_ROOT, 'dist/apps/gateway/src/main.js');

export interface ApiResponse {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** Creates a database on {@link POSTGRES_SERVER_URL}, dropped at the end of the run; returns its URL. */
async function freshDatabase(): Promise<string> {
  const name = `portico_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function requireBuilt(file: string): Promise<void> {
  await access(file).catch(() => {
    throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`npm run build\` first`);
  });
}

/** How a control plane process is started, kept so that it can be started again on the same database and ports. */
interface ControlPlaneLaunch {
  nodeArgs: string[];
  env: Record<string, string>;
}

/** A control plane process on its own fresh database, with the bootstrap admin logged in. */
export class ControlPlane {
  private constructor(
    private current: BenchProcess,
    private readonly launch: ControlPlaneLaunch,
    readonly url: string,
    private readonly token: string,
    readonly organizationId: string,
    readonly sandboxId: string,
    private inspectorUrl: string | undefined,
  ) {}

  /** The running control plane process (a new one after {@link restart}). */
  get process(): BenchProcess {
    return this.current;
  }

  /**
   * Creates the database, starts the control plane (product defaults, log level warn, free REST
   * and sync ports), waits until it is ready and logs in as the bootstrap admin. With `inspect`
   * the process runs with the inspector on a free loopback port, for {@link collectGarbage}. With
   * `postgresPort` the control plane reaches the database through that port of 127.0.0.1 (a TCP
   * proxy in front of the Postgres server, for fault benches) while the bench creates and drops
   * the database directly.
   */
  static async start(options: { inspect?: boolean; postgresPort?: number } = {}): Promise<ControlPlane> {
    await requireBuilt(CONTROL_PLANE_MAIN);
    const databaseUrl = new URL(await freshDatabase());
    if (options.postgresPort !== undefined) {
      databaseUrl.hostname = '127.0.0.1';
      databaseUrl.port = String(options.postgresPort);
    }
    const dataDir = await tempDir('cp');
    const port = await freePort();
    const adminPassword = randomBytes(18).toString('base64url');
    const launch: ControlPlaneLaunch = {
      nodeArgs: options.inspect ? ['--inspect=127.0.0.1:0'] : [],
      env: {
        DATABASE_URL: databaseUrl.toString(),
        PORTICO_DATA_DIR: dataDir,
        PORTICO_PORT: String(port),
        PORTICO_SYNC_PORT: String(await freePort()),
        PORTICO_ADMIN_PASSWORD: adminPassword,
        PORTICO_LOG_LEVEL: 'warn',
      },
    };
    const url = `http://127.0.0.1:${port}`;
    const { child, inspectorUrl } = await ControlPlane.launchProcess(launch, url);
    const login = await rest(url, 'POST', '/accounts/login', { json: { username: 'admin', password: adminPassword } });
    expectStatus(login, 200, 'admin login');
    const token = login.body.access_token as string;
    const me = await rest(url, 'GET', '/accounts/api/me', { token });
    expectStatus(me, 200, 'GET /accounts/api/me');
    const organizationId = me.body.user.organization.id as string;
    const envs = await rest(url, 'GET', `/accounts/api/organizations/${organizationId}/environments?name=Sandbox`, { token });
    expectStatus(envs, 200, 'list environments');
    return new ControlPlane(child, launch, url, token, organizationId, envs.body.data[0].id as string, inspectorUrl);
  }

  /** Starts the process of `launch` and waits (polling every 20 ms) until `/readyz` answers 200. */
  private static async launchProcess(
    launch: ControlPlaneLaunch,
    url: string,
  ): Promise<{ child: BenchProcess; inspectorUrl: string | undefined }> {
    const child = startProcess('control plane', process.execPath, [...launch.nodeArgs, CONTROL_PLANE_MAIN], { env: launch.env });
    const inspectorUrl =
      launch.nodeArgs.length > 0 ? (await child.waitForOutput(/Debugger listening on (ws:\/\/\S+)/))[1] : undefined;
    await waitUntil(`the control plane at ${url}`, child, async () => (await fetch(`${url}/readyz`)).status === 200, 120_000, 20);
    return { child, inspectorUrl };
  }

  /** Sends `signal` (default SIGKILL: a crash) to the control plane process and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.current.child.kill(signal);
    await this.current.exited;
  }

  /**
   * Starts the control plane again (after {@link kill}) on the same database, data directory,
   * ports and admin password; resolves once `/readyz` answers 200 (polled every 20 ms), so the
   * caller's clock reads readiness within that. The admin's token stays valid.
   */
  async restart(): Promise<void> {
    const { child, inspectorUrl } = await ControlPlane.launchProcess(this.launch, this.url);
    this.current = child;
    this.inspectorUrl = inspectorUrl;
  }

  /**
   * A full garbage collection in the control plane (through its inspector: start it with
   * `inspect`), so memory readings after it are live data rather than garbage not yet collected.
   */
  async collectGarbage(): Promise<void> {
    if (!this.inspectorUrl)
      throw new Error('the control plane runs without its inspector (ControlPlane.start({ inspect: true }))');
    const socket = new WebSocket(this.inspectorUrl);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
        socket.onmessage = (event) => {
          if ((JSON.parse(String(event.data)) as { id?: number }).id === 1) resolve();
        };
        socket.onerror = () => reject(new Error(`the control plane's inspector at ${this.inspectorUrl} failed`));
      });
    } finally {
      socket.close();
    }
  }

  /** A REST call as the bootstrap admin. */
  request(
    method: string,
    urlPath: string,
    options: { json?: unknown; form?: FormData; headers?: Record<string, string>; timeoutMs?: number } = {},
  ) {
    return rest(this.url, method, urlPath, { ...options, token: this.token });
  }

  /** The bootstrap admin's password (generated for this run), for benches that sign in as a person would. */
  get adminPassword(): string {
    return this.launch.env.PORTICO_ADMIN_PASSWORD!;
  }

  /** `/apimanager/api/v1/organizations/…/environments/<Sandbox>/apis` */
  get apisPath(): string {
    return `/apimanager/api/v1/organizations/${this.organizationId}/environments/${this.sandboxId}/apis`;
  }

  /** Mints a registration token in Sandbox and registers gateway `name` into a new directory. */
  async registerGateway(name: string): Promise<RegisteredGateway> {
    const minted = await this.request(
      'POST',
      `/standalone/api/v1/organizations/${this.organizationId}/environments/${this.sandboxId}/gatewaytokens`,
    );
    expectStatus(minted, [200, 201], 'mint a registration token');
    const { privateKeyPem, csrPem } = await createKeyAndCsr(name);
    const registered = await rest(this.url, 'POST', '/amc/registration-facade/api/v1/registrations', {
      json: { registrationToken: minted.body.registrationToken, name, csr: csrPem },
    });
    expectStatus(registered, 201, 'register the gateway');
    const r = registered.body;
    const dir = await tempDir(`gw-${name}`);
    await writeRegistration(dir, {
      agentId: r.gatewayId,
      name: r.name,
      organizationId: r.organizationId,
      environmentId: r.environmentId,
      controlPlaneUrl: this.url,
      syncAddress: r.syncAddress,
      certificate: r.certificate,
      privateKey: privateKeyPem,
      caCertificate: r.caCertificate,
      certificateExpiresAt: r.certificateExpiresAt,
    });
    return {
      dir,
      gatewayId: r.gatewayId,
      syncAddress: r.syncAddress,
      certificatePem: r.certificate,
      privateKeyPem,
      caCertificatePem: r.caCertificate,
    };
  }

  /**
   * Publishes an MCP asset to Exchange, creates an MCP instance of it for `upstreamUrl` (ending
   * in "/") on `port` + `basePath`, deploys it to `targetId` and applies MCP Support.
   * `responseTimeoutMs` is the instance's `endpoint.responseTimeout` (unset: the gateway's default).
   */
  async deployMcpInstance(options: {
    upstreamUrl: string;
    port: number;
    basePath: string;
    targetId: string;
    responseTimeoutMs?: number;
  }): Promise<McpInstance> {
    const assetId = `bench-mcp-${randomBytes(4).toString('hex')}`;
    const form = new FormData();
    form.set('name', `${assetId} server`);
    form.set('type', 'mcp');
    form.set('properties.platform', 'portico');
    const published = await this.request(
      'POST',
      `/exchange/api/v2/organizations/${this.organizationId}/assets/${this.organizationId}/${assetId}/1.0.0`,
      {
        form,
        headers: { 'x-sync-publication': 'true' },
      },
    );
    expectStatus(published, 201, 'publish the MCP asset');
    const created = await this.request('POST', this.apisPath, {
      json: {
        technology: 'flexGateway',
        spec: { groupId: this.organizationId, assetId, version: '1.0.0' },
        endpoint: {
          deploymentType: 'HY',
          type: 'mcp',
          isCloudHub: null,
          uri: options.upstreamUrl,
          proxyUri: `http://0.0.0.0:${options.port}${options.basePath}`,
          ...(options.responseTimeoutMs === undefined ? {} : { responseTimeout: options.responseTimeoutMs }),
        },
      },
    });
    expectStatus(created, 201, 'create the MCP instance');
    const apiId = created.body.id as number;
    const deployed = await this.request('POST', `${this.apisPath}/${apiId}/deployments`, {
      json: {
        type: 'HY',
        targetId: options.targetId,
        targetName: 'gateway',
        gatewayVersion: '1.0.0',
        environmentId: this.sandboxId,
        overwrite: false,
      },
    });
    expectStatus(deployed, 201, 'deploy the MCP instance');
    const applied = await this.request('POST', `${this.apisPath}/${apiId}/policies`, {
      json: { ...MCP_SUPPORT, configurationData: {} },
    });
    expectStatus(applied, 201, 'apply mcp-support');
    return {
      apiId,
      mcpSupportPolicyId: applied.body.id as number,
      proxyUrl: `http://127.0.0.1:${options.port}${options.basePath}`,
    };
  }

  /**
   * Applies a policy of the built-in catalog to the instance, after those it has; returns the
   * applied policy's id.
   */
  async applyPolicy(instance: McpInstance, policy: { assetId: string; assetVersion: string; configurationData: unknown }) {
    const applied = await this.request('POST', `${this.apisPath}/${instance.apiId}/policies`, {
      json: { groupId: MCP_SUPPORT.groupId, ...policy },
    });
    expectStatus(applied, 201, `apply ${policy.assetId}`);
    return applied.body.id as number;
  }

  /** PATCHes the instance's applied mcp-support policy to `disabled`. */
  async setMcpSupportDisabled(instance: McpInstance, disabled: boolean): Promise<void> {
    const res = await this.request('PATCH', `${this.apisPath}/${instance.apiId}/policies/${instance.mcpSupportPolicyId}`, {
      json: { disabled },
    });
    expectStatus(res, 200, `PATCH mcp-support disabled=${disabled}`);
  }

  /**
   * The status of the instance's deployment: `applying` from the write that changed what it
   * serves, `applied` once every connected replica of its target ACKed that change (`failed`,
   * `undeployed`).
   */
  async deploymentStatus(instance: McpInstance): Promise<string> {
    const deployments = `${this.apisPath}/${instance.apiId}/deployments`;
    const [deployment] = (await this.request('GET', deployments)).body;
    return (await this.request('GET', `${deployments}/${deployment.id}/status`)).body.status as string;
  }

  /**
   * Waits until the instance's deployment is `applied` (every replica of its target runs the
   * latest change), polling every `pollMs`.
   */
  async waitForRollout(instance: McpInstance, timeoutMs = 60_000, pollMs = 100): Promise<void> {
    await waitUntil(
      `the rollout of API ${instance.apiId}`,
      this.process,
      async () => (await this.deploymentStatus(instance)) === 'applied',
      timeoutMs,
      pollMs,
    );
  }
}

export interface RegisteredGateway {
  dir: string;
  gatewayId: string;
  /** host:port of the control plane's gRPC sync service */
  syncAddress: string;
  certificatePem: string;
  privateKeyPem: string;
  caCertificatePem: string;
}

export interface McpInstance {
  apiId: number;
  mcpSupportPolicyId: number;
  /** `http://127.0.0.1:<port><base path>` */
  proxyUrl: string;
}

/** A gateway process and its admin server. */
export interface GatewayProcess extends BenchProcess {
  /** `http://127.0.0.1:<admin port>` */
  readonly adminUrl: string;
  /** GET /status of the admin server (revision, `sync: { state, streams, … }`, access log, …). */
  status(): Promise<Record<string, any>>;
}

/**
 * Starts a gateway process from `registration.dir` (listeners on `listenHost`, default 127.0.0.1;
 * log level warn; `env` adds variables such as PORTICO_REDIS_URL) and waits until it is ready.
 * Replicas of one registration on one machine need different listen hosts (127.0.0.2, …).
 */
export async function startGateway(
  registration: RegisteredGateway,
  replicaId = 'bench-gateway',
  options: { listenHost?: string; env?: Record<string, string> } = {},
): Promise<GatewayProcess> {
  await requireBuilt(GATEWAY_MAIN);
  const adminPort = await freePort();
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const child = startProcess(`gateway ${replicaId}`, process.execPath, [GATEWAY_MAIN, '--dir', registration.dir], {
    env: {
      PORTICO_GATEWAY_ADMIN_PORT: String(adminPort),
      PORTICO_GATEWAY_LISTEN_HOST: options.listenHost ?? '127.0.0.1',
      PORTICO_GATEWAY_REPLICA_ID: replicaId,
      PORTICO_LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  await waitUntil(`gateway ${replicaId}`, child, async () => (await fetch(`${adminUrl}/readyz`)).status === 200);
  return Object.assign(child, {
    adminUrl,
    status: async () =>
      (await (await fetch(`${adminUrl}/status`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, any>,
  });
}

/** One REST call; the body is parsed as JSON when it is JSON. */
export async function rest(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { token?: string; json?: unknown; form?: FormData; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: RequestInit['body'];
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers,
    body,
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

function expectStatus(res: ApiResponse, expected: number | number[], what: string): void {
  if (!([] as number[]).concat(expected).includes(res.status))
    throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
}

/** Polls `probe` every `pollMs` until it returns true; fails when `owner` exits or after `timeoutMs`. */
async function waitUntil(
  what: string,
  owner: BenchProcess,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void owner.exited.then(() => (exited = true));
  let last = '';
  for (;;) {
    if (exited) throw new Error(`${owner.name} exited while waiting for ${what}:\n${owner.output()}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}:\n${owner.output()}`);
    await sleep(pollMs);
  }
}
