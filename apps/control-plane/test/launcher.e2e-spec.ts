/**
 * `npm start` (scripts/start.mjs, run from the sources) as a supervisor: a control plane that
 * crashes is restarted while the gateway keeps serving (issue 16: no failed MCP call); a gateway
 * that keeps exiting is restarted with a growing delay; a signal stops the gateway, then the
 * control plane and its embedded PostgreSQL; a control plane that cannot start ends the launcher.
 * The children log pino records (JSON lines, named `control-plane` and `gateway`) among the
 * launcher's own `portico: …` lines; a start that fails is one fatal record with the reason. As
 * the gateway of a remote control plane it registers with a one-time token, never an admin's
 * credentials.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, spawnNode, startMcpServer, type TestChildProcess, type TestMcpServer } from '#portico/testing';
import { isProcessRunning } from '../src/database/embedded-postgres.js';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { eventually, MCP_SUPPORT } from './support/gateways.js';
import { LEVEL, logRecords } from './support/log-records.js';

/**
 * Starting a process from the sources (every file compiled on load) takes 20 s on a quiet 2-core
 * machine and several times that on a busy one: liveness guards, not measured bounds.
 */
const START_TIMEOUT_MS = 240_000;
const READY_TIMEOUT_MS = 180_000;
/** SIGTERM to the launcher until the gateway, the control plane and PostgreSQL are all gone. */
const STOP_BOUND_MS = 20_000;

/** `node scripts/start.mjs` from the sources, on an embedded database (an empty DATABASE_URL counts as unset). */
async function startLauncher(dataDir: string, extra: Record<string, string> = {}) {
  const ports = { api: await freePort(), admin: await freePort() };
  const launcher = spawnNode(['scripts/start.mjs'], {
    PORTICO_START_FROM_SOURCE: 'true',
    DATABASE_URL: '',
    PORTICO_DATA_DIR: dataDir,
    PORTICO_HOST: '127.0.0.1',
    PORTICO_PORT: String(ports.api),
    PORTICO_SYNC_PORT: String(await freePort()),
    PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
    PORTICO_ADMIN_USERNAME: ADMIN_USERNAME,
    PORTICO_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PORTICO_GATEWAY_ADMIN_PORT: String(ports.admin),
    PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
    PORTICO_GATEWAY_WORKERS: '1',
    PORTICO_LOG_LEVEL: 'warn',
    ...extra,
  });
  return { launcher, apiUrl: `http://127.0.0.1:${ports.api}`, adminUrl: `http://127.0.0.1:${ports.admin}` };
}

/**
 * The children's log records in the launcher's output: every line but the launcher's own
 * (`portico: …`) and the report of `portico gateway register`, which it runs on first start.
 */
function childRecords(launcher: TestChildProcess) {
  return logRecords(
    launcher
      .output()
      .split('\n')
      .filter((line) => !/^(portico: |Registered gateway |Wrote )/.test(line))
      .join('\n'),
  );
}

/** The pids the launcher logged for `name` ("started the <name> (pid N)"), in start order. */
function startedPids(launcher: TestChildProcess, name: 'control plane' | 'gateway'): number[] {
  return [...launcher.output().matchAll(new RegExp(`started the ${name} \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false,
  );

/** Polls every 20 ms until `pid` has exited; the time it was first seen gone. */
async function goneAt(pid: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now();
}

/** An agent calling `echo` through the gateway without pause, on one session, until stopped. */
function steadyCalls(endpoint: URL) {
  const calls: { at: number; ok: boolean; error?: string }[] = [];
  let running = true;
  const done = (async () => {
    const client = new Client({ name: 'portico-launcher-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint));
    try {
      for (let i = 0; running; i++) {
        const at = Date.now();
        try {
          const result = await client.callTool({ name: 'echo', arguments: { text: `call ${i}` } }, undefined, {
            timeout: 10_000,
          });
          const text = (result.content as { text: string }[])[0]?.text;
          calls.push(text === `call ${i}` ? { at, ok: true } : { at, ok: false, error: `answered ${JSON.stringify(result)}` });
        } catch (err) {
          calls.push({ at, ok: false, error: (err as Error).message });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await client.close();
    }
  })();
  return {
    calls,
    stop: async () => {
      running = false;
      await done;
      return calls;
    },
  };
}

describe('npm start (scripts/start.mjs)', () => {
  let dataDir: string;
  let upstream: TestMcpServer;
  let started: Awaited<ReturnType<typeof startLauncher>>;
  let endpoint: URL;
  const postmasterPid = async () =>
    Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);

  /** A REST call to the launcher's control plane; throws on an error status. */
  const api = async (method: string, urlPath: string, token?: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${started.apiUrl}${urlPath}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  /** Deploys an MCP instance for `upstream` to the launcher's `local-gateway`, as an operator does over REST. */
  const deployToLocalGateway = async (): Promise<URL> => {
    const { access_token: token } = await api('POST', '/accounts/login', undefined, {
      username: ADMIN_USERNAME,
      password: ADMIN_PASSWORD,
    });
    const org = (await api('GET', '/accounts/api/me', token)).user.organization.id;
    const env = (await api('GET', `/accounts/api/organizations/${org}/environments?name=Sandbox`, token)).data[0].id;
    const targets = await api('GET', `/apimanager/xapi/v1/organizations/${org}/environments/${env}/gateway-targets`, token);
    const target = targets.rows.find((row: { name: string }) => row.name === 'local-gateway');
    const asset = await api('POST', '/exchange/api/v2/assets', token, {
      groupId: org,
      assetId: 'launcher-mcp',
      version: '1.0.0',
      name: 'Launcher MCP server',
      type: 'mcp',
    });
    const port = await freePort();
    const apis = `/apimanager/api/v1/organizations/${org}/environments/${env}/apis`;
    const instance = await api('POST', apis, token, {
      technology: 'flexGateway',
      spec: { groupId: asset.groupId, assetId: asset.assetId, version: asset.version },
      endpoint: {
        deploymentType: 'HY',
        type: 'mcp',
        isCloudHub: null,
        uri: new URL('/', upstream.url).toString(),
        proxyUri: `http://0.0.0.0:${port}/launcher`,
      },
    });
    await api('POST', `${apis}/${instance.id}/deployments`, token, {
      type: 'HY',
      targetId: target.id,
      targetName: target.name,
      gatewayVersion: '1.0.0',
      environmentId: env,
      overwrite: false,
    });
    await api('POST', `${apis}/${instance.id}/policies`, token, { ...MCP_SUPPORT, configurationData: {} });
    return new URL(`http://127.0.0.1:${port}/launcher/mcp`);
  };

  /** One echo through the gateway on a new session. */
  const echoOnce = async () => {
    const client = new Client({ name: 'portico-launcher-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint));
    try {
      return await client.callTool({ name: 'echo', arguments: { text: 'ready?' } }, undefined, { timeout: 5_000 });
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'portico-launcher-'));
    upstream = await startMcpServer();
    started = await startLauncher(dataDir);
    await started.launcher.waitUntilReady(
      "the launcher's gateway",
      () => answers(`${started.adminUrl}/healthz`),
      READY_TIMEOUT_MS,
    );
    endpoint = await deployToLocalGateway();
    await eventually(echoOnce, 'the deployed instance to answer through the gateway', 60_000);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    // Whatever a failed test left running: the launcher, every child it started, their PostgreSQL.
    if (started) {
      const pg = await postmasterPid().catch(() => undefined);
      await started.launcher.signal('SIGKILL');
      for (const pid of [...startedPids(started.launcher, 'gateway'), ...startedPids(started.launcher, 'control plane')]) {
        if (isProcessRunning(pid)) process.kill(pid, 'SIGKILL');
      }
      if (pg && isProcessRunning(pg)) {
        process.kill(pg, 'SIGQUIT');
        await goneAt(pg, 30_000);
      }
    }
    await upstream?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'restarts a control plane that crashed while the gateway, the same process throughout, fails no MCP call',
    async () => {
      const { launcher } = started;
      const [gatewayPid] = startedPids(launcher, 'gateway');
      const [crashed] = startedPids(launcher, 'control plane');
      const agent = steadyCalls(endpoint);
      await eventually(async () => (agent.calls.length >= 5 ? true : undefined), 'the first calls');

      const killedAt = Date.now();
      process.kill(crashed!, 'SIGKILL');
      // An agent that connects while no control plane runs is served too.
      expect(await answers(`${started.apiUrl}/readyz`)).toBe(false);
      expect(((await echoOnce()).content as { text: string }[])[0]?.text).toBe('ready?');
      await eventually(async () => (startedPids(launcher, 'control plane').length === 2 ? true : undefined), 'a restart', 30_000);
      await eventually(
        async () => ((await answers(`${started.apiUrl}/readyz`)) ? true : undefined),
        'the new /readyz',
        READY_TIMEOUT_MS,
      );
      const readyAt = Date.now();
      // The gateway is back on the new control plane's sync stream.
      await eventually(
        async () => {
          const status = (await (await fetch(`${started.adminUrl}/status`)).json()) as { sync: { state: string } };
          return status.sync.state === 'connected' ? true : undefined;
        },
        'the gateway to reconnect',
        60_000,
      );
      const calls = await agent.stop();

      expect(calls.filter((c) => !c.ok)).toEqual([]);
      // The outage was covered: the agent kept calling while no control plane answered.
      expect(calls.filter((c) => c.at > killedAt && c.at < readyAt).length).toBeGreaterThan(10);
      expect(launcher.output()).toContain(`the control plane (pid ${crashed}) exited (SIGKILL); restarting it in 1 s`);
      expect(startedPids(launcher, 'gateway')).toEqual([gatewayPid]);
      expect(isProcessRunning(gatewayPid!)).toBe(true);
      expect(isProcessRunning(startedPids(launcher, 'control plane')[1]!)).toBe(true);
    },
    START_TIMEOUT_MS,
  );

  it(
    'restarts a gateway that keeps exiting after 1, 2, then 4 s, and it serves again once it can start',
    async () => {
      const { launcher } = started;
      const [gatewayPid] = startedPids(launcher, 'gateway');
      // Without its registration file a gateway cannot start: it exits at once, again and again.
      const registration = path.join(dataDir, 'local-gateway', 'registration.yaml');
      await rename(registration, `${registration}.away`);
      try {
        process.kill(gatewayPid!, 'SIGKILL');
        await eventually(
          async () => (/restarting it in 4 s/.test(launcher.output()) ? true : undefined),
          'a third restart',
          READY_TIMEOUT_MS,
        );
      } finally {
        await rename(`${registration}.away`, registration);
      }
      const [first, second] = startedPids(launcher, 'gateway').slice(1);
      const restarts = [
        `the gateway (pid ${gatewayPid}) exited (SIGKILL); restarting it in 1 s`,
        `the gateway (pid ${first}) exited (1); restarting it in 2 s`,
        `the gateway (pid ${second}) exited (1); restarting it in 4 s`,
      ];
      const output = launcher.output();
      for (const line of restarts) expect(output).toContain(line);
      const positions = restarts.map((line) => output.indexOf(line));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      // Each failed start said why, once, in the gateway's log, without a stack trace.
      const failures = childRecords(launcher).filter((r) => r.name === 'gateway' && r.level === LEVEL.fatal);
      expect(failures).toHaveLength(2);
      for (const failure of failures) expect(failure.msg).toMatch(/^cannot start: the registration configuration is missing: /);
      expect(failures.filter((r) => 'stack' in r)).toEqual([]);

      await eventually(
        async () => ((await answers(`${started.adminUrl}/readyz`)) ? true : undefined),
        'the gateway',
        READY_TIMEOUT_MS,
      );
      const result = await echoOnce();
      expect((result.content as { text: string }[])[0]?.text).toBe('ready?');
      expect(startedPids(launcher, 'gateway')).toHaveLength(4);
    },
    START_TIMEOUT_MS,
  );

  it(
    'stops on SIGTERM: the gateway first, then the control plane and its PostgreSQL, and exits 0',
    async () => {
      const { launcher } = started;
      const gateway = startedPids(launcher, 'gateway').at(-1)!;
      const controlPlane = startedPids(launcher, 'control plane').at(-1)!;
      const postgres = await postmasterPid();
      for (const pid of [gateway, controlPlane, postgres]) expect(isProcessRunning(pid)).toBe(true);

      const before = launcher.output().length;
      const signalled = Date.now();
      const code = launcher.signal('SIGTERM');
      const [gatewayGone, controlPlaneGone, postgresGone] = await Promise.all(
        [gateway, controlPlane, postgres].map((pid) => goneAt(pid, STOP_BOUND_MS + 10_000)),
      );
      expect(await code).toBe(0);
      expect(gatewayGone).toBeLessThanOrEqual(controlPlaneGone!);
      expect(Math.max(gatewayGone!, controlPlaneGone!, postgresGone!) - signalled).toBeLessThanOrEqual(STOP_BOUND_MS);
      // Children stopped by the launcher are not restarted.
      expect(launcher.output().slice(before)).not.toContain('restarting');
    },
    START_TIMEOUT_MS,
  );
});

describe('npm start when the control plane cannot start', () => {
  it(
    'ends with exit code 1 instead of restarting it (a configuration error shows at once)',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-launcher-bad-'));
      const { launcher } = await startLauncher(dataDir, { PORTICO_TOKEN_TTL_SECONDS: '1' });
      try {
        const [code] = await once(launcher.child, 'exit');
        expect(code).toBe(1);
        expect(childRecords(launcher)).toEqual([
          expect.objectContaining({
            level: LEVEL.fatal,
            name: 'control-plane',
            msg: expect.stringMatching(/^cannot start: invalid environment:\n {2}PORTICO_TOKEN_TTL_SECONDS: /),
          }),
        ]);
        expect(launcher.output()).not.toMatch(/^\s+at /m);
        expect(launcher.output()).toMatch(/the control plane \(pid \d+\) exited \(1\); stopping/);
        expect(launcher.output()).not.toContain('restarting');
      } finally {
        await launcher.signal('SIGKILL');
        for (const pid of startedPids(launcher, 'control plane')) if (isProcessRunning(pid)) process.kill(pid, 'SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    START_TIMEOUT_MS,
  );
});

describe('npm start as a gateway of a remote control plane', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  /** The launcher in gateway mode: no control plane of its own, no administrator credentials. */
  const startGatewayLauncher = async (dataDir: string, extra: Record<string, string>) => {
    const adminPort = await freePort();
    const launcher = spawnNode(['scripts/start.mjs'], {
      PORTICO_START_FROM_SOURCE: 'true',
      PORTICO_CONTROL_PLANE_URL: cp.url,
      PORTICO_DATA_DIR: dataDir,
      PORTICO_GATEWAY_NAME: uniqueName('remote'),
      PORTICO_ADMIN_USERNAME: '',
      PORTICO_ADMIN_PASSWORD: '',
      PORTICO_GATEWAY_ADMIN_PORT: String(adminPort),
      PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
      PORTICO_GATEWAY_WORKERS: '1',
      PORTICO_LOG_LEVEL: 'warn',
      ...extra,
    });
    return { launcher, adminUrl: `http://127.0.0.1:${adminPort}` };
  };

  it(
    'registers with the one-time token it is given and runs the gateway; without one it says so and ends',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-launcher-remote-'));
      try {
        const refused = await startGatewayLauncher(dataDir, {});
        const [code] = await once(refused.launcher.child, 'exit');
        expect(code).toBe(1);
        expect(refused.launcher.output()).toMatch(/is not registered: set PORTICO_GATEWAY_TOKEN to a registration token/);

        const env = `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
        const minted = await cp.request('POST', `${env}/gatewaytokens`, { token: tenant.token });
        const { launcher, adminUrl } = await startGatewayLauncher(dataDir, {
          PORTICO_GATEWAY_TOKEN: minted.body.registrationToken,
        });
        try {
          await eventually(
            async () => ((await answers(`${adminUrl}/readyz`)) ? true : undefined),
            'the gateway',
            READY_TIMEOUT_MS,
          );
          expect(startedPids(launcher, 'control plane')).toEqual([]);
        } finally {
          expect(await launcher.signal('SIGTERM')).toBe(0);
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    START_TIMEOUT_MS,
  );
});
