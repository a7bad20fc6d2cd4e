/**
 * A gateway with PORTICO_GATEWAY_WORKERS=2, run as an operator runs it: one registration and one
 * sync stream (the control plane sees one replica), both workers serving the listener ports,
 * /metrics and /status describing the whole gateway, a crashed worker replaced with the current
 * configuration while traffic goes on.
 */
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  postMcp,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  deployMcpInstance,
  echo,
  eventually,
  INITIALIZE,
  type McpInstance,
  registerGateway,
  rolledOut,
} from './support/gateways.js';

describe('gateway workers', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let gateway: GatewayProcess;
  let gatewayId: string;
  let instance: McpInstance;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    const registered = await registerGateway(cp, tenant, uniqueName('workers'));
    gatewayId = registered.gatewayId;
    gateway = await startGatewayProcess({ dir: registered.dir, env: { PORTICO_GATEWAY_WORKERS: '2' } });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/pooled',
      targetId: gatewayId,
    });
    await rolledOut(cp, tenant, instance);
  });
  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  const workers = async () => (await gateway.status()).workers as { pid: number; ready: boolean; ports: number[] }[];
  const port = () => Number(new URL(instance.proxyUrl).port);
  const callsCounted = async () => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`portico_mcp_calls_total{api="${instance.apiId}",method="tools/call"}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  };

  it('runs one sync stream for both workers, which both serve the configuration', async () => {
    const status = await gateway.status();
    expect(status.workers).toHaveLength(2);
    for (const worker of status.workers) expect(worker).toMatchObject({ ready: true, ports: [port()] });
    expect(new Set(status.workers.map((w: { pid: number }) => w.pid)).size).toBe(2);
    expect(status.ports).toEqual([port()]);
    const envPath = `/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const replicas = await cp.request('GET', `/standalone/api/v1${envPath}/gateways/${gatewayId}/replicas`, {
      token: tenant.token,
    });
    expect(replicas.body.content).toEqual([expect.objectContaining({ nodeId: gateway.replicaId, status: 'CONNECTED' })]);
  });

  it("sums the metrics of every worker, and publishes every worker's access events through the primary", async () => {
    const before = await callsCounted();
    // New connections each time: the primary hands them to the workers in turn.
    for (let i = 0; i < 6; i++) expect(await echo(instance.proxyUrl, `call ${i}`)).toBe(`Echo: call ${i}`);
    expect(await callsCounted()).toBe(before + 6);
    const search = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}/access-logs?apiId=${instance.apiId}&method=tools/call`;
    const logged = await eventually(async () => {
      const res = await cp.request('GET', search, { token: tenant.token });
      return res.body.data?.length >= before + 6 ? (res.body.data as { mcpName: string }[]) : undefined;
    }, 'the access events of both workers');
    expect(logged).toHaveLength(before + 6);
    expect(logged.every((event) => event.mcpName === 'echo')).toBe(true);
  });

  it('replaces a crashed worker, which serves the current configuration, while the other serves on', async () => {
    const [victim, survivor] = await workers();
    process.kill(victim!.pid, 'SIGKILL');
    // Once the primary has seen the exit (the connections the victim held are gone with it), every
    // new connection goes to the survivor while the replacement starts.
    await eventually(async () => ((await workers()).some((w) => w.pid === victim!.pid) ? undefined : true), 'the exit seen');
    for (let i = 0; i < 4; i++) expect((await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE)).status).toBe(200);
    const replaced = await eventually(async () => {
      const now = await workers();
      return now.length === 2 && now.every((w) => w.ready) && !now.some((w) => w.pid === victim!.pid) ? now : undefined;
    }, 'a replacement worker');
    expect(replaced.map((w) => w.pid)).toContain(survivor!.pid);
    expect(replaced.every((w) => w.ports.includes(port()))).toBe(true);
    expect((await gateway.status()).workerRestarts).toBe(1);
    // A change after the replacement reaches both workers.
    const relabelled = await cp.request('PATCH', `${instance.apisPath}/${instance.apiId}`, {
      token: tenant.token,
      json: { endpointUri: 'https://pooled.example.com/pooled' },
    });
    expect(relabelled.status).toBe(200);
    await rolledOut(cp, tenant, instance);
    for (let i = 0; i < 4; i++) expect(await echo(instance.proxyUrl, 'after')).toBe('Echo: after');
  });

  it('stops its workers with it', async () => {
    const pids = (await workers()).map((w) => w.pid);
    expect(await gateway.stop()).toBe(0);
    await eventually(async () => (pids.every((pid) => !alive(pid)) ? true : undefined), 'the workers to exit');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
