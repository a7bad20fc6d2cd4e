/**
 * Fail static: an API that cannot be applied fails alone while the others serve and change; a
 * gateway keeps serving while the control plane is down (killed), and after a restart without
 * the control plane; however long the outage, it is back on its stream within 2 s of the control
 * plane being ready again and catches up (issue 16). Two control-plane processes on one database
 * both deliver changes. The control planes the gateways stream from are processes of their own,
 * as in production.
 */
import net from 'node:net';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  postMcp,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { type ControlPlaneProcess, startControlPlane, startControlPlaneProcess } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from './support/factories.js';
import {
  deploymentStatus,
  deployMcpInstance,
  echo,
  eventually,
  INITIALIZE,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';
import { firstTimeTrue } from './support/polling.js';

const FAST = { PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' };
/** A gateway is back on its stream within 2 s of its control plane answering /readyz, however long it was down (issue 16) … */
const RECONNECT_MS = 2_000;
/** … so a change made then is enforced, and the access events kept meanwhile are stored, within 3 s. */
const CHANGE_AFTER_RESTART_MS = 3_000;
/** How often startControlPlaneProcess asks /readyz. */
const READYZ_POLL_MS = 100;
/**
 * Long enough for a backoff without a small cap to outgrow RECONNECT_MS: by then the gateway's
 * old one (250 ms doubling to 30 s, full jitter) draws from up to 8 s, and grpc-js's own
 * (1 s × 1.6 up to 120 s) waits about 6 s between attempts; the control plane's start adds more.
 */
const LONG_OUTAGE_MS = 12_000;
const OUTAGE_TEST_MS = 120_000;

describe('gateway resilience', () => {
  let syncPort: number;
  let cp: ControlPlaneProcess;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let instance: McpInstance;

  const replica = async () => {
    const res = await cp.request(
      'GET',
      `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateways/${registered.gatewayId}/replicas`,
      { token: tenant.token },
    );
    return res.body.content.find((r: { nodeId: string }) => r.nodeId === gateway.replicaId);
  };
  const patchProxyUri = (proxyUri: string) =>
    cp.request('PATCH', `${instance.apisPath}/${instance.apiId}`, { token: tenant.token, json: { endpoint: { proxyUri } } });

  beforeAll(async () => {
    syncPort = await freePort();
    cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, 'resilient-gateway');
    instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/demo',
      targetId: registered.gatewayId,
    });
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.ready && s.sync.state === 'connected');
    await rolledOut(cp, tenant, instance);
  });

  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('fails only the API whose port is taken, serves and changes the others, and recovers once the port is free', async () => {
    const other = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/other',
      targetId: registered.gatewayId,
    });
    await rolledOut(cp, tenant, other);
    const patchOther = (proxyUri: string) =>
      cp.request('PATCH', `${other.apisPath}/${other.apiId}`, { token: tenant.token, json: { endpoint: { proxyUri } } });
    const busy = net.createServer();
    const busyPort = await freePort();
    await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
    try {
      expect((await patchOther(`http://0.0.0.0:${busyPort}/other`)).status).toBe(200);
      const failed = await eventually(async () => {
        const r = await replica();
        return r?.failedApis.length ? r : undefined;
      }, 'the failed API to be reported');
      expect(failed.configurationStatus.status).toBe('UP_TO_DATE');
      expect(failed.failedApis).toEqual([
        { apiId: String(other.apiId), error: expect.stringContaining(`${busyPort}: address already in use`) },
      ]);
      expect(await deploymentStatus(cp, tenant, other)).toBe('failed');
      const status = await cp.request('GET', `${other.apisPath}/${other.apiId}/deployments`, { token: tenant.token });
      const detail = await cp.request('GET', `${other.apisPath}/${other.apiId}/deployments/${status.body[0].id}/status`, {
        token: tenant.token,
      });
      expect(detail.body).toMatchObject({
        status: 'failed',
        apiVersionStatus: 'inactive',
        errorMessage: expect.stringMatching(new RegExp(`cannot listen on [\\d.]+:${busyPort}: address already in use$`)),
      });
      // The other API of the target serves, and takes changes, all along.
      expect(await echo(instance.proxyUrl, 'still here')).toBe('Echo: still here');
      const moved = await freePort();
      expect((await patchProxyUri(`http://0.0.0.0:${moved}/demo`)).status).toBe(200);
      await rolledOut(cp, tenant, instance);
      instance = { ...instance, proxyUrl: `http://127.0.0.1:${moved}/demo` };
      expect(await echo(instance.proxyUrl, 'moved')).toBe('Echo: moved');
      expect(await deploymentStatus(cp, tenant, other)).toBe('failed');
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
    const freed = await freePort();
    expect((await patchOther(`http://0.0.0.0:${freed}/other`)).status).toBe(200);
    await rolledOut(cp, tenant, other);
    expect((await replica()).failedApis).toEqual([]);
    expect(await echo(`http://127.0.0.1:${freed}/other`, 'recovered')).toBe('Echo: recovered');
  });

  it(
    'keeps serving while the control plane is down and picks up changes made meanwhile on reconnect',
    async () => {
      await cp.kill(); // SIGKILL: a crash, no goodbye on the stream
      await gateway.waitForStatus((s) => s.sync.state !== 'connected');
      expect(await echo(instance.proxyUrl, 'control plane down')).toBe('Echo: control plane down');

      // Another control plane (its own sync port) takes a change while the gateway's one is down.
      const other = await startControlPlane(FAST);
      const second = await deployMcpInstance(other, tenant, {
        upstreamUrl: everything.baseUrl,
        port: await freePort(),
        basePath: '/second',
        targetId: registered.gatewayId,
      }).finally(() => other.close());
      await expect(echo(second.proxyUrl)).rejects.toThrow();

      cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
      await rolledOut(cp, tenant, second, CHANGE_AFTER_RESTART_MS);
      expect(await echo(second.proxyUrl, 'caught up')).toBe('Echo: caught up');
      expect(await echo(instance.proxyUrl)).toBe('Echo: ping');
    },
    OUTAGE_TEST_MS,
  );

  it(
    "is back on its stream within 2 s of a restarted control plane being ready, enforces a change made then within 3 s and has published the outage's access events",
    async () => {
      const guarded = await deployMcpInstance(cp, tenant, {
        upstreamUrl: everything.baseUrl,
        port: await freePort(),
        basePath: '/guarded',
        targetId: registered.gatewayId,
      });
      await rolledOut(cp, tenant, guarded);
      const initialize = async (id: number) => (await postMcp(`${guarded.proxyUrl}/mcp`, { ...INITIALIZE, id })).status;
      expect(await initialize(1)).toBe(200);

      await cp.kill();
      const { sync: before } = await gateway.waitForStatus((s) => s.sync.state !== 'connected');
      // Its access event waits in the gateway's outbox.
      expect(await initialize(2)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, LONG_OUTAGE_MS));

      const reconnected = firstTimeTrue(async () => {
        const { sync } = await gateway.status();
        return sync.state === 'connected' && sync.streams > before.streams;
      }, 'the gateway to be back on its stream');
      cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
      // startControlPlaneProcess asks /readyz every 100 ms: the control plane may have been ready that much earlier.
      const readyAt = Date.now() - READYZ_POLL_MS;
      const applied = await cp.request('POST', `${guarded.apisPath}/${guarded.apiId}/policies`, {
        token: tenant.token,
        json: {
          groupId: POLICY_GROUP_ID,
          assetId: 'ip-blocklist',
          assetVersion: '1.1.2',
          configurationData: { ips: ['127.0.0.1'] },
        },
      });
      expect(applied.status).toBe(201);
      const [enforcedAt, publishedAt] = await Promise.all([
        firstTimeTrue(async () => (await initialize(3)) === 403, 'the IP blocklist to be enforced'),
        firstTimeTrue(async () => {
          const logs = await cp.request(
            'GET',
            `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}/access-logs?apiId=${guarded.apiId}`,
            { token: tenant.token },
          );
          return logs.body.data.some((event: { jsonRpcId: string }) => event.jsonRpcId === '2');
        }, "the outage's access event to be stored"),
      ]);
      expect((await reconnected) - readyAt).toBeLessThanOrEqual(RECONNECT_MS);
      expect(enforcedAt - readyAt).toBeLessThanOrEqual(CHANGE_AFTER_RESTART_MS);
      expect(publishedAt - readyAt).toBeLessThanOrEqual(CHANGE_AFTER_RESTART_MS);
      // Acknowledged, so the next test starts from what the gateway has stored.
      await rolledOut(cp, tenant, guarded);
    },
    OUTAGE_TEST_MS,
  );

  it(
    'serves from disk when restarted while the control plane is unreachable',
    async () => {
      const running = await gateway.status();
      await cp.close();
      await gateway.stop();
      gateway = await startGatewayProcess({ dir: registered.dir });
      const status = await gateway.waitForStatus((s) => s.ready);
      expect(status).toMatchObject({ revision: running.revision, hash: running.hash });
      expect(status.sync.state).not.toBe('connected');
      expect(await gateway.readiness()).toBe(200);
      expect(await echo(instance.proxyUrl, 'from disk')).toBe('Echo: from disk');
      cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
      await gateway.waitForStatus((s) => s.sync.state === 'connected', RECONNECT_MS);
    },
    OUTAGE_TEST_MS,
  );
});

describe('two control planes on one database', () => {
  let cpA: ControlPlaneProcess;
  let cpB: ControlPlaneProcess;
  let tenant: TestTenant;
  let everything: EverythingServer;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    cpA = await startControlPlaneProcess(FAST);
    cpB = await startControlPlaneProcess(FAST);
    tenant = await newTenant(cpA);
    everything = await startEverythingServer();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await everything?.close();
    await Promise.all([cpA?.close(), cpB?.close()]);
    await closeTestPrisma();
  });

  it('delivers a change made through either one to gateways streaming from the other', async () => {
    // Each gateway registers with, and so streams from, a different control plane.
    const onA = await registerGateway(cpA, tenant, 'gateway-on-a');
    const onB = await registerGateway(cpB, tenant, 'gateway-on-b');
    for (const registered of [onA, onB]) gateways.push(await startGatewayProcess({ dir: registered.dir }));
    await Promise.all(gateways.map((g) => g.waitForStatus((s) => s.ready && s.sync.state === 'connected')));

    // Changes go through the control plane the gateway does NOT stream from.
    const forB = await deployMcpInstance(cpA, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/b',
      targetId: onB.gatewayId,
    });
    const forA = await deployMcpInstance(cpB, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/a',
      targetId: onA.gatewayId,
    });
    await Promise.all([rolledOut(cpA, tenant, forA), rolledOut(cpA, tenant, forB)]);
    expect(await echo(forA.proxyUrl, 'via B')).toBe('Echo: via B');
    expect(await echo(forB.proxyUrl, 'via A')).toBe('Echo: via A');
  });
});
