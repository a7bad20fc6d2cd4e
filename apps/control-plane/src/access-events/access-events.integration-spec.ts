/**
 * AccessEventService.Publish over the real gRPC server with registered gateways' client
 * certificates, into the real partitioned table; retention on a database of its own.
 */
import { X509Certificate } from 'node:crypto';
import { type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { readRegistration } from '#portico/gateway-registration';
import pg from 'pg';
import { accessEvent, type AccessEventPublisher, accessEventPublisher, deployedApi } from '../../test/support/access-events.js';
import { startControlPlane, testDatabaseUrl, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { registerGateway, type RegisteredGateway } from '../../test/support/gateways.js';
import { migrate } from '../database/database.js';
import { MAX_EVENTS_PER_BATCH, MAX_PAYLOAD_LENGTH } from './access-event-batch.js';
import { AccessEventPartitions } from './access-event-partitions.js';
import { IngestCounter } from './ingest-counter.js';

const DAY_MS = 86_400_000;
const VERDICTS = [
  { policyType: 'mcp-tool-access', policyId: '12', verdict: 'reject', mode: 'enforce', errorKind: 'policy-denied' },
];
const FINDINGS = [{ policyId: '13', direction: 'response', categories: ['email'], action: 'redacted' }];

/** The gRPC status a publish failed with, and its details. */
async function failure(publishing: Promise<unknown>): Promise<{ code: number; details: string }> {
  const err = (await publishing.then(
    () => undefined,
    (e: ServiceError) => e,
  )) as ServiceError | undefined;
  if (!err) throw new Error('the publish succeeded');
  return { code: err.code, details: err.details };
}

/** Names of the partitions of the access events table in the database at `url`. */
async function partitions(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = '"AccessEvent"'::regclass ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

const partitionOf = (time: number) => `AccessEvent_p${new Date(time).toISOString().slice(0, 10).replaceAll('-', '')}`;

describe('access event ingest', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let gateway: RegisteredGateway;
  let publisher: AccessEventPublisher;
  let apiId: number;
  const publishers: AccessEventPublisher[] = [];

  const deploy = (t: TestTenant, targetId: string) => deployedApi(cp, t, targetId);
  const newPublisher = async (dir: string) => {
    const p = await accessEventPublisher(dir);
    publishers.push(p);
    return p;
  };
  const stored = (where: { apiId?: number; id?: { in: string[] } }) =>
    testPrisma().accessEvent.findMany({ where, orderBy: { time: 'asc' } });

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    gateway = await registerGateway(cp, tenant, uniqueName('publisher'));
    apiId = await deploy(tenant, gateway.gatewayId);
    publisher = await newPublisher(gateway.dir);
  });
  afterAll(async () => {
    for (const p of publishers) p.close();
    await cp.close();
    await closeTestPrisma();
  });

  it('stores every field of an event with the organization, environment, gateway and replica, and answers once committed', async () => {
    const event = accessEvent({
      apiId: String(apiId),
      timeUnixMs: Date.now() - 5000,
      sessionId: 'mcp-session-1',
      jsonrpcErrorCode: -32602,
      toolError: true,
      clientId: 'client-1',
      clientName: 'Claude Desktop',
      principal: 'alice@example.com',
      userDomain: 'Example.COM',
      verdicts: VERDICTS,
      dlp: FINDINGS,
      gatewayError: 'policy-denied',
      requestPayload: '{"jsonrpc":"2.0"}',
      upstreamName: 'jira',
      agent: 'Claude Desktop',
    });
    expect(await publisher.publish({ events: [event], droppedTotal: 0 })).toEqual({ accepted: 1, refused: 0 });
    const [row] = await stored({ id: { in: [event.id] } });
    expect(row).toEqual({
      environmentId: tenant.sandboxId,
      time: new Date(event.timeUnixMs),
      id: event.id,
      organizationId: tenant.organizationId,
      targetId: gateway.gatewayId,
      replicaId: 'replica-1',
      apiId,
      requestId: event.requestId,
      sessionId: 'mcp-session-1',
      httpMethod: 'POST',
      path: '/mcp',
      httpStatus: 200,
      mcpMethod: 'tools/call',
      jsonRpcId: '1',
      mcpName: 'echo',
      jsonRpcErrorCode: -32602,
      toolError: true,
      durationUs: 1500n,
      upstreamLatencyUs: 1000n,
      bytesIn: 120n,
      bytesOut: 340n,
      clientId: 'client-1',
      clientName: 'Claude Desktop',
      principal: 'alice@example.com',
      userDomain: 'example.com',
      clientAddress: '127.0.0.1',
      userAgent: 'test-agent/1.0',
      verdicts: VERDICTS,
      dlp: FINDINGS,
      gatewayError: 'policy-denied',
      requestPayload: '{"jsonrpc":"2.0"}',
      responsePayload: null,
      upstreamName: 'jira',
      agent: 'Claude Desktop',
    });
    expect(await partitions(testDatabaseUrl())).toContain(partitionOf(event.timeUnixMs));
  });

  it('counts events of APIs not deployed to the publishing gateway as refused and stores the rest', async () => {
    const other = await registerGateway(cp, tenant, uniqueName('other'));
    const othersApi = await deploy(tenant, other.gatewayId);
    const stranger = await newTenant(cp);
    const strangersGateway = await registerGateway(cp, stranger, uniqueName('stranger'));
    const strangersApi = await deploy(stranger, strangersGateway.gatewayId);
    const events = [
      accessEvent({ apiId: String(apiId) }),
      accessEvent({ apiId: String(othersApi) }),
      accessEvent({ apiId: String(strangersApi) }),
      accessEvent({ apiId: 'not-an-api' }),
      accessEvent({ apiId: String(apiId) }),
    ];
    expect(await publisher.publish({ events })).toEqual({ accepted: 2, refused: 3 });
    const rows = await stored({ id: { in: events.map((e) => e.id) } });
    expect(rows.map((r) => r.id).sort()).toEqual([events[0]!.id, events[4]!.id].sort());
    // the same API published by the gateway it is deployed to is taken
    const own = await newPublisher(strangersGateway.dir);
    expect(await own.publish({ events: [accessEvent({ apiId: String(strangersApi) })] })).toEqual({ accepted: 1, refused: 0 });
  });

  it('stores a batch published twice once', async () => {
    const events = Array.from({ length: 20 }, (_, i) => accessEvent({ apiId: String(apiId), timeUnixMs: Date.now() - i * 1000 }));
    const counter = cp.app.get(IngestCounter);
    const before = counter.read();
    expect(await publisher.publish({ events })).toEqual({ accepted: 20, refused: 0 });
    expect(await publisher.publish({ events })).toEqual({ accepted: 20, refused: 0 });
    expect(await stored({ id: { in: events.map((e) => e.id) } })).toHaveLength(20);
    const after = counter.read();
    expect(after.batches - before.batches).toBe(2);
    expect(after.inserted - before.inserted).toBe(20);
    expect(after.duplicates - before.duplicates).toBe(20);
  });

  it('stores events of a gateway clock far off (in the default partition), never failing the batch', async () => {
    const events = [
      accessEvent({ apiId: String(apiId), timeUnixMs: Date.now() + 400 * DAY_MS }),
      accessEvent({ apiId: String(apiId), timeUnixMs: Date.UTC(1971, 0, 1) }),
      accessEvent({ apiId: String(apiId), timeUnixMs: Date.now() - 3 * DAY_MS }),
    ];
    const counter = cp.app.get(IngestCounter);
    const before = counter.read().inserted;
    expect(await publisher.publish({ events })).toEqual({ accepted: 3, refused: 0 });
    // (the 1971 event may already be gone: every control plane of the test run applies retention at start)
    expect(counter.read().inserted - before).toBe(3);
    expect(await stored({ id: { in: [events[0]!.id, events[2]!.id] } })).toHaveLength(2);
    const names = await partitions(testDatabaseUrl());
    expect(names).toContain(partitionOf(events[2]!.timeUnixMs));
    expect(names).not.toContain(partitionOf(events[0]!.timeUnixMs));
  });

  it('cuts strings longer than their limit and removes NUL characters instead of refusing the batch', async () => {
    const event = accessEvent({
      apiId: String(apiId),
      userAgent: 'x'.repeat(10_000),
      path: `/mcp\u0000${'p'.repeat(5000)}`,
      responsePayload: 'r'.repeat(MAX_PAYLOAD_LENGTH + 10),
      targetName: '',
    });
    expect(await publisher.publish({ events: [event] })).toEqual({ accepted: 1, refused: 0 });
    const [row] = await stored({ id: { in: [event.id] } });
    expect(row!.userAgent).toBe('x'.repeat(512));
    expect(row!.path).toBe(`/mcp${'p'.repeat(2044)}`);
    expect(row!.responsePayload).toHaveLength(MAX_PAYLOAD_LENGTH);
    expect(row!.mcpName).toBeNull();
  });

  it.each([
    ['no replica id', { replicaId: '' }, 'replica_id: is required'],
    ['an event without id', { events: [{ id: '' }] }, 'events[0].id: is required'],
    ['an event without API id', { events: [{ apiId: '' }] }, 'events[0].api_id: is required'],
    ['an id of 201 characters', { events: [{ id: 'i'.repeat(201) }] }, 'events[0].id: must be at most 200 characters'],
    ['a time of 0', { events: [{ timeUnixMs: 0 }] }, 'events[0].time_unix_ms: must be milliseconds since the epoch'],
    ['an HTTP status of 1000', { events: [{ httpStatus: 1000 }] }, 'events[0].http_status: must be an HTTP status, at most 999'],
  ])('refuses a batch with %s as INVALID_ARGUMENT naming the field, storing nothing of it', async (_, request, message) => {
    const good = accessEvent({ apiId: String(apiId) });
    const events = 'events' in request ? [good, { ...accessEvent({ apiId: String(apiId) }), ...request.events[0] }] : [good];
    const replaced = 'events' in request ? message.replace('events[0]', 'events[1]') : message;
    const res = await failure(publisher.publish({ ...request, events }));
    expect(res.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(res.details).toContain(replaced);
    expect(await stored({ id: { in: [good.id] } })).toEqual([]);
  });

  it(`refuses more than ${MAX_EVENTS_PER_BATCH} events in one batch`, async () => {
    const events = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => accessEvent({ apiId: String(apiId) }));
    expect(await failure(publisher.publish({ events }))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      details: `events: holds ${MAX_EVENTS_PER_BATCH + 1} events; at most ${MAX_EVENTS_PER_BATCH} per batch`,
    });
  });

  it("shows each replica's dropped events in the gateway's status, for a replica that never held a sync stream too", async () => {
    const registered = await registerGateway(cp, tenant, uniqueName('dropping'));
    const own = await newPublisher(registered.dir);
    await own.publish({ replicaId: 'replica-a', replicaName: 'a', droppedTotal: 7, events: [] });
    await own.publish({ replicaId: 'replica-b', replicaName: 'b', droppedTotal: 5, events: [] });
    await own.publish({ replicaId: 'replica-a', replicaName: 'a', droppedTotal: 12, events: [] });
    const env = `organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const replicas = await cp.request('GET', `/standalone/api/v1/${env}/gateways/${registered.gatewayId}/replicas`, {
      token: tenant.token,
    });
    expect(replicas.body.content.map((r: { nodeId: string; droppedEvents: number }) => [r.nodeId, r.droppedEvents])).toEqual([
      ['replica-a', 12],
      ['replica-b', 5],
    ]);
    expect(replicas.body.gateway.droppedEvents).toBe(17);
    const target = await cp.request('GET', `/apimanager/xapi/v1/${env}/gateway-targets/${registered.gatewayId}`, {
      token: tenant.token,
    });
    expect(target.body.droppedEvents).toBe(17);
  });

  it('refuses the events of a revoked certificate and of a deleted gateway', async () => {
    const revoked = await registerGateway(cp, tenant, uniqueName('revoked'));
    const revokedApi = await deploy(tenant, revoked.gatewayId);
    const own = await newPublisher(revoked.dir);
    const serial = new X509Certificate((await readRegistration(revoked.dir)).certificate).serialNumber;
    const env = `organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const res = await cp.request('DELETE', `/standalone/api/v1/${env}/gateways/${revoked.gatewayId}/certificates/${serial}`, {
      token: tenant.token,
    });
    expect(res.status).toBe(204);
    const event = accessEvent({ apiId: String(revokedApi) });
    expect(await failure(own.publish({ events: [event] }))).toEqual({
      code: GrpcStatus.PERMISSION_DENIED,
      details: `certificate ${serial} was revoked`,
    });

    const deleted = await registerGateway(cp, tenant, uniqueName('deleted'));
    const gone = await newPublisher(deleted.dir);
    expect(
      (await cp.request('DELETE', `/standalone/api/v1/${env}/gateways/${deleted.gatewayId}`, { token: tenant.token })).status,
    ).toBe(202);
    expect((await failure(gone.publish({ events: [] }))).code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(await stored({ id: { in: [event.id] } })).toEqual([]);
  });
});

describe('access event retention', () => {
  let url: string;
  let cp: TestControlPlane;
  let admin: pg.Client;
  const name = `portico_retention_${Date.now()}`;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(testDatabaseUrl());
    u.pathname = `/${name}`;
    url = u.toString();
    await migrate(url);
    cp = await startControlPlane({ DATABASE_URL: url, PORTICO_ACCESS_LOG_RETENTION_DAYS: '10' });
  });
  afterAll(async () => {
    await cp?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  /** Inserts one event at `time` straight into the table (retention does not care who wrote it). */
  const insertAt = async (client: pg.Client, id: string, time: Date) =>
    client.query(
      `INSERT INTO "AccessEvent" ("environmentId", "time", "id", "organizationId", "targetId", "replicaId", "apiId",
        "requestId", "httpMethod", "path", "httpStatus", "toolError", "durationUs", "bytesIn", "bytesOut")
       VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), gen_random_uuid(), 'r', 1, 'q', 'POST', '/mcp', 200, false, 1, 1, 1)`,
      [time, id],
    );

  it("creates today's and the next days' partitions at start, and drops whole days older than the retention", async () => {
    const now = Date.now();
    expect(await partitions(url)).toEqual(
      expect.arrayContaining([partitionOf(now), partitionOf(now + DAY_MS), partitionOf(now + 2 * DAY_MS)]),
    );
    const retention = cp.app.get(AccessEventPartitions);
    const start = new Date(now);
    await retention.ensureFor([new Date(now - 11 * DAY_MS), new Date(now - 9 * DAY_MS)], new Date(now - 2 * DAY_MS));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await insertAt(client, 'expired', new Date(now - 11 * DAY_MS));
      await insertAt(client, 'kept', new Date(now - 9 * DAY_MS));
      await insertAt(client, 'expired-in-default', new Date(now - 400 * DAY_MS));
      await insertAt(client, 'future-in-default', new Date(now + 400 * DAY_MS));

      const dropped = await retention.runRetention(start);
      expect(dropped).toContain(partitionOf(now - 11 * DAY_MS));
      expect(dropped).not.toContain(partitionOf(now - 9 * DAY_MS));
      const { rows } = await client.query<{ id: string }>('SELECT "id" FROM "AccessEvent" ORDER BY 1');
      expect(rows.map((r) => r.id)).toEqual(['future-in-default', 'kept']);
      expect(await partitions(url)).not.toContain(partitionOf(now - 11 * DAY_MS));
      expect(await retention.runRetention(start)).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('moves the rows of a day out of the default partition when that day gets its partition', async () => {
    const retention = cp.app.get(AccessEventPartitions);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const later = Date.now() + 20 * DAY_MS;
      await insertAt(client, 'early', new Date(later));
      const where = async () =>
        (await client.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM "AccessEvent" WHERE "id" = 'early'`))
          .rows[0]!.part;
      expect(await where()).toBe('"AccessEvent_default"');
      // twenty days on, the event's day is inside the window of a batch
      await retention.ensureFor([new Date(later)], new Date(later - DAY_MS));
      expect(await where()).toBe(`"${partitionOf(later)}"`);
    } finally {
      await client.end();
    }
  });
});
