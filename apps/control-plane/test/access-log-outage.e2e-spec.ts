/**
 * Access events while the control plane is away (issue 11): a gateway keeps the events of the
 * traffic it serves meanwhile (memory, then its spill file) and publishes every one once a
 * control plane is back; a gateway whose queue is full drops what does not fit and says so in
 * /metrics, /status and the target's status. Control plane and gateways are processes of their
 * own, as in production; the control plane is killed, not stopped.
 */
import {
  freePort,
  type GatewayProcess,
  postMcp,
  startGatewayProcess,
  startMcpServer,
  type TestMcpServer,
} from '#portico/testing';
import { type ControlPlaneProcess, startControlPlaneProcess } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { eventually, type McpInstance, registerGateway, type RegisteredGateway, deployWithPolicies } from './support/gateways.js';

const FAST = { PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' };
const call = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: `n${id}` } },
});

describe('access events across a control-plane outage', () => {
  let syncPort: number;
  let cp: ControlPlaneProcess;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  const started: GatewayProcess[] = [];

  /** A registered gateway process with `env`, serving an MCP instance of its own. */
  async function gatewayWithInstance(name: string, env: Record<string, string> = {}) {
    const registered: RegisteredGateway = await registerGateway(cp, tenant, uniqueName(name));
    const gateway = await startGatewayProcess({ dir: registered.dir, env });
    started.push(gateway);
    await gateway.waitForStatus((s) => s.ready && s.sync.state === 'connected');
    const instance: McpInstance = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: name },
      [],
    );
    return { registered, gateway, instance };
  }

  /** The events stored for `apiId` (every page of the search). */
  async function stored(apiId: number): Promise<{ jsonRpcId: string }[]> {
    const events: { jsonRpcId: string }[] = [];
    let cursor: string | undefined;
    do {
      const res = await cp.request(
        'GET',
        `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}/access-logs?apiId=${apiId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { token: tenant.token },
      );
      if (res.status !== 200) throw new Error(`access-logs: ${res.status} ${res.text}`);
      events.push(...res.body.data);
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    return events;
  }

  beforeAll(async () => {
    syncPort = await freePort();
    cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
    tenant = await newTenant(cp);
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
  });
  afterAll(async () => {
    await Promise.all(started.map((gateway) => gateway.stop()));
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('loses nothing within the buffer, and counts what is dropped beyond it', async () => {
    const kept = await gatewayWithInstance('kept');
    // The smallest memory queue and no spill file: most of the outage's events cannot be kept.
    const tight = await gatewayWithInstance('tight', {
      PORTICO_GATEWAY_ACCESS_LOG_MEMORY_BYTES: '65536',
      PORTICO_GATEWAY_ACCESS_LOG_SPILL_BYTES: '0',
    });
    for (let id = 1; id <= 3; id++) expect((await postMcp(`${kept.instance.proxyUrl}/mcp`, call(id))).status).toBe(200);
    await eventually(
      async () => ((await stored(kept.instance.apiId)).length === 3 ? true : undefined),
      'events before the outage',
    );
    // Stored is not yet acknowledged: an acknowledgement cut by the kill gives the three back to
    // the queue, to be published again (at least once; the store ignores a repeated event id).
    await kept.gateway.waitForStatus((s) => s.accessLog?.published === 3);

    await cp.kill();
    await kept.gateway.waitForStatus((s) => s.sync.state !== 'connected');
    for (let id = 4; id <= 60; id++) expect((await postMcp(`${kept.instance.proxyUrl}/mcp`, call(id))).status).toBe(200);
    const sentTight = 600;
    for (let id = 1; id <= sentTight; id++) expect((await postMcp(`${tight.instance.proxyUrl}/mcp`, call(id))).status).toBe(200);
    const tightStatus = await tight.gateway.waitForStatus((s) => s.accessLog?.dropped > 0, 10_000);
    const dropped: number = tightStatus.accessLog.dropped;
    expect(dropped).toBeLessThan(sentTight);
    const metrics = await (await fetch(`${tight.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^portico_access_events_dropped_total ${dropped}$`, 'm'));
    expect((await kept.gateway.status()).accessLog).toMatchObject({ dropped: 0, events: 57 });

    // A control plane on the same sync address and database comes back.
    cp = await startControlPlaneProcess({ ...FAST, PORTICO_SYNC_PORT: String(syncPort) });
    const keptIds = await eventually(
      async () => {
        const ids = (await stored(kept.instance.apiId)).map((e) => Number(e.jsonRpcId));
        return ids.length === 60 ? ids : undefined;
      },
      'every event of the outage',
      90_000,
    );
    expect(new Set(keptIds)).toEqual(new Set(Array.from({ length: 60 }, (_, i) => i + 1)));
    const tightStored = await eventually(
      async () => {
        const events = await stored(tight.instance.apiId);
        return events.length === sentTight - dropped ? events : undefined;
      },
      'the events the tight gateway kept',
      90_000,
    );
    expect(tightStored.length).toBe(sentTight - dropped);
    const target = await cp.request(
      'GET',
      `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateways/${tight.registered.gatewayId}`,
      { token: tenant.token },
    );
    expect(target.body.droppedEvents).toBe(dropped);
  }, 240_000);

  it("exposes the control plane's Prometheus metrics: sync sessions, replicas, revision lag and ingest", async () => {
    // Both gateways are back on the sync stream (their backoff may outlast the events' catch-up).
    for (const gateway of started) await gateway.waitForStatus((s) => s.sync.state === 'connected', 60_000);
    const res = await fetch(`${cp.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expectPrometheusText(text);
    const value = (name: string) =>
      Number(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('portico_sync_sessions')).toBe(2);
    expect(value('portico_gateway_replicas{state="connected"}')).toBeGreaterThanOrEqual(2);
    expect(value('portico_config_revision_lag')).toBeGreaterThanOrEqual(0);
    expect(value('portico_access_events_ingested_total')).toBeGreaterThanOrEqual(57);
    expect(value('portico_access_event_batches_total{outcome="stored"}')).toBeGreaterThan(0);
    expect(value('portico_access_events_ingest_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain(tenant.organizationId);
  }, 90_000);
});

/** Every line of `text` is a comment (# HELP / # TYPE) or a sample of the Prometheus text format. */
function expectPrometheusText(text: string): void {
  const sample =
    /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.]+(e[+-]?\d+)?|NaN|[+-]Inf)( -?\d+)?$/;
  const comment = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/;
  const bad = text.split('\n').filter((line) => line !== '' && !sample.test(line) && !comment.test(line));
  expect(bad).toEqual([]);
}
