/**
 * Benchmark of issue 11's control-plane side: the sustained access-event ingest rate through
 * AccessEventService.Publish, and the latency of the access-log search, the MCP analytics, the
 * workflow graph and Anypoint's event report over one million stored events.
 *
 * A built control plane runs on a fresh database of the machine's Postgres (bench/support/portico.ts)
 * with a registered gateway and three deployed MCP instances. First one million events spread over
 * the last seven days are written straight into the table with SQL generate_series (a few percent
 * denied, DLP findings, errors; 20 client applications, 12 tools, 20 000 sessions), then analysed;
 * each query runs `--repeat` times over REST as an operator would call it. Then `--publishers`
 * concurrent publishers (as many gateway replicas) publish batches of each `--batch` size for
 * `--duration` seconds with the gateway's certificate, every event new, into that table of a
 * million rows: events per second committed, Publish latency, the control plane's CPU.
 *
 *   node --conditions=portico-source --import tsx bench/access-log-ingest.ts [--events 1000000]
 *     [--repeat 20] [--duration 20] [--batch 1000,10000] [--publishers 2] [--quiet-wait 120]
 *
 * Before the queries and before each ingest run it waits up to `--quiet-wait` seconds for the
 * machine to be under 15 % busy, and reports how busy it was: other work lands in the figures.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { AccessEvent, AccessEventServiceClient, PublishRequest, type PublishResponse } from '#portico/proto-ts';
import { freePort } from '#portico/testing';
import { benchDatabaseUrl, bulkLoadAccessEvents } from './support/access-events.js';
import { ControlPlane, type RegisteredGateway } from './support/portico.js';
import { cpuSeconds, machineCpuSeconds, runBench, waitForQuiet } from './support/processes.js';
import { formatMs, median, percentile, positiveInt, printTable, round } from './support/stats.js';

const DAY_MS = 86_400_000;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20' },
    batch: { type: 'string', default: '1000,10000' },
    publishers: { type: 'string', default: '2' },
    'quiet-wait': { type: 'string', default: '120' },
  },
  strict: true,
});

interface QueryResult {
  name: string;
  /** what it answered: events of a page or report, events counted by the analytics, edges of the graph */
  size: number;
  p50: number;
  p95: number;
}

/** How much an answer holds (see QueryResult.size). */
function answerSize(body: any): number {
  if (typeof body === 'string') return body.trim().split('\n').length - 1;
  if (Array.isArray(body)) return body.length;
  return body.data?.length ?? body.totals?.requests ?? body.edges?.length ?? 0;
}

/** Runs each GET `repeat` times (after one warm-up) and returns its latency percentiles. */
async function measureQueries(cp: ControlPlane, repeat: number): Promise<QueryResult[]> {
  const base = `/analytics/1.0/${cp.organizationId}/environments/${cp.sandboxId}`;
  // the events span the seven days before the load; a day more covers them while the run goes on
  const week = `from=${new Date(Date.now() - 8 * DAY_MS).toISOString()}`;
  const hour = `startDate=${new Date(Date.now() - 3_600_000).toISOString()}`;
  const queries: [string, string][] = [
    ['search: newest 50, last 24 h', '/access-logs'],
    ['search: newest 50, 7 days', `/access-logs?${week}`],
    ['search: tool=tool-3', `/access-logs?${week}&tool=tool-3`],
    ['search: clientId=client-7', `/access-logs?${week}&clientId=client-7`],
    ['search: sessionId (50 of 1M)', `/access-logs?${week}&sessionId=session-123`],
    ['search: deniedBy=mcp-acl', `/access-logs?${week}&deniedBy=mcp-acl`],
    ['search: shadowDeniedBy=any', `/access-logs?${week}&shadowDeniedBy=any`],
    ['search: dlp=blocked', `/access-logs?${week}&dlp=blocked`],
    ['search: status=5xx', `/access-logs?${week}&status=5xx`],
    ['search: userAgent=cursor', `/access-logs?${week}&userAgent=cursor`],
    ['search: userDomain+status=4xx', `/access-logs?${week}&userDomain=example3.com&status=4xx`],
    ['analytics: last 24 h', '/mcp-analytics'],
    ['analytics: 7 days (all 1M)', `/mcp-analytics?${week}`],
    ['analytics: 7 days, one client', `/mcp-analytics?${week}&clientId=client-7`],
    ['workflow graph: 7 days', `/workflow-graph?${week}`],
    ['Anypoint events: 1 h, JSON', `/events?${hour}`],
    ['Anypoint events: 1 h, CSV', `/events?${hour}&format=csv`],
  ];
  const results: QueryResult[] = [];
  for (const [name, path] of queries) {
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i <= repeat; i++) {
      const started = performance.now();
      const res = await cp.request('GET', `${base}${path}`);
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      size = answerSize(res.body);
      if (i > 0) times.push(ms);
    }
    results.push({ name, size, p50: median(times), p95: percentile(times, 95) });
  }
  // Deep pages: the 20th page of the 7-day search, reached through the cursors.
  const times: number[] = [];
  let cursor: string | null = null;
  for (let page = 1; page <= 20; page++) {
    const started = performance.now();
    const res = await cp.request('GET', `${base}/access-logs?${week}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    times.push(performance.now() - started);
    cursor = res.body.nextCursor;
  }
  results.push({ name: 'search: pages 1–20 of 100 by cursor', size: 100, p50: median(times), p95: percentile(times, 95) });
  return results;
}

interface IngestResult {
  batch: number;
  publishers: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  publishP50: number;
  publishP99: number;
  controlPlaneCores: number;
  /** this process building and encoding the events, as a gateway's publisher would */
  publisherCores: number;
  machineBusyShare: number;
}

/** An event as a gateway would publish it; about 1 in 50 denied, 1 in 53 with a DLP finding. */
function benchEvent(apiId: number, i: number): AccessEvent {
  return AccessEvent.fromPartial({
    id: randomUUID(),
    timeUnixMs: Date.now(),
    apiId: String(apiId),
    requestId: randomUUID(),
    sessionId: `session-${i % 20_000}`,
    httpMethod: 'POST',
    path: '/mcp',
    httpStatus: i % 50 === 0 ? 429 : 200,
    mcpMethod: 'tools/call',
    jsonrpcId: String(i % 1000),
    targetName: `tool-${i % 12}`,
    jsonrpcErrorCode: i % 50 === 0 ? -32029 : undefined,
    durationUs: 1000 + (i % 20_000),
    upstreamLatencyUs: 800 + (i % 15_000),
    bytesIn: 200 + (i % 800),
    bytesOut: 300 + (i % 4000),
    clientId: `client-${i % 20}`,
    clientName: `Agent ${i % 20}`,
    principal: `user${i % 500}@example.com`,
    userDomain: 'example.com',
    clientAddress: '10.0.0.1',
    userAgent: 'claude-code/1.0.31',
    verdicts:
      i % 50 === 0
        ? [{ policyType: 'rate-limiting', policyId: '3', verdict: 'reject', mode: 'enforce', errorKind: 'rate-limited' }]
        : [],
    dlp: i % 53 === 0 ? [{ policyId: '6', direction: 'response', categories: ['Email'], action: 'redacted' }] : [],
  });
}

/** `publishers` replicas publishing batches of `batch` new events for `seconds`. */
async function measureIngest(
  cp: ControlPlane,
  gateway: RegisteredGateway,
  apiIds: number[],
  batch: number,
  publishers: number,
  seconds: number,
): Promise<IngestResult> {
  const clients = Array.from(
    { length: publishers },
    () =>
      new AccessEventServiceClient(
        gateway.syncAddress,
        credentials.createSsl(
          Buffer.from(gateway.caCertificatePem),
          Buffer.from(gateway.privateKeyPem),
          Buffer.from(gateway.certificatePem),
        ),
      ),
  );
  const latencies: number[] = [];
  let events = 0;
  const cpuBefore = cpuSeconds(cp.process.pid);
  const ownBefore = process.cpuUsage();
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, p) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const request = PublishRequest.fromPartial({
          replicaId: `bench-replica-${p}`,
          replicaName: `bench ${p}`,
          events: Array.from({ length: batch }, (_, i) => benchEvent(apiIds[i % apiIds.length]!, n * batch + i)),
        });
        const sent = performance.now();
        const response = await new Promise<PublishResponse>((resolve, reject) =>
          client.publish(request, (err: ServiceError | null, res: PublishResponse) => (err ? reject(err) : resolve(res))),
        );
        latencies.push(performance.now() - sent);
        if (response.accepted !== batch) throw new Error(`a batch of ${batch} had ${response.accepted} accepted`);
        events += response.accepted;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const machineAfter = machineCpuSeconds();
  const own = process.cpuUsage(ownBefore);
  for (const client of clients) client.close();
  return {
    batch,
    publishers,
    events,
    seconds: elapsed,
    eventsPerSecond: events / elapsed,
    publishP50: median(latencies),
    publishP99: percentile(latencies, 99),
    controlPlaneCores: (cpuSeconds(cp.process.pid) - cpuBefore) / elapsed,
    publisherCores: (own.user + own.system) / 1e6 / elapsed,
    machineBusyShare: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
  };
}

await runBench(async () => {
  const total = positiveInt('events', args.events);
  const repeat = positiveInt('repeat', args.repeat);
  const duration = positiveInt('duration', args.duration);
  const publishers = positiveInt('publishers', args.publishers);
  const batches = args.batch.split(',').map((b) => positiveInt('batch', b));
  const quietWait = Number(args['quiet-wait']);
  /** Waits for a quiet machine; the share of all cores that was busy just before. */
  const quiet = async (what: string) => {
    const busy = await waitForQuiet(quietWait);
    console.error(`${what}: the machine was ${Math.round(busy * 100)}% busy before`);
    return busy;
  };

  const cp = await ControlPlane.start();
  const gateway = await cp.registerGateway('bench-events');
  const apiIds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const instance = await cp.deployMcpInstance({
      upstreamUrl: 'http://127.0.0.1:9/',
      port: await freePort(),
      basePath: `/events-${i}`,
      targetId: gateway.gatewayId,
    });
    apiIds.push(instance.apiId);
  }
  const db = new pg.Client({ connectionString: await benchDatabaseUrl() });
  await db.connect();
  try {
    const loadSeconds = await bulkLoadAccessEvents(
      db,
      { organizationId: cp.organizationId, environmentId: cp.sandboxId, targetId: gateway.gatewayId, apiIds },
      total,
    );
    const size = await db.query<{ bytes: string }>(
      `SELECT sum(pg_total_relation_size(i.inhrelid))::text AS bytes FROM pg_inherits i WHERE i.inhparent = '"AccessEvent"'::regclass`,
    );
    const busyBeforeQueries = await quiet('queries');
    const queries = await measureQueries(cp, repeat);
    printTable(
      `Query latency over ${total.toLocaleString('en')} stored events (REST, ${repeat} runs each)`,
      ['query', 'answer size', 'p50', 'p95'],
      queries.map((q) => [q.name, q.size, formatMs(q.p50), formatMs(q.p95)]),
    );

    const ingest: IngestResult[] = [];
    for (const batch of batches) {
      await quiet(`ingest, batches of ${batch}`);
      ingest.push(await measureIngest(cp, gateway, apiIds, batch, publishers, duration));
    }
    printTable(
      `Sustained ingest through Publish (${publishers} publishers, ${duration} s each, table holding ≥ ${total.toLocaleString('en')} events)`,
      [
        'events/batch',
        'events',
        'events/s',
        'Publish p50',
        'Publish p99',
        'control plane cores',
        'publishers cores',
        'machine busy',
      ],
      ingest.map((r) => [
        r.batch,
        r.events,
        Math.round(r.eventsPerSecond),
        formatMs(r.publishP50),
        formatMs(r.publishP99),
        r.controlPlaneCores.toFixed(2),
        r.publisherCores.toFixed(2),
        `${Math.round(r.machineBusyShare * 100)}%`,
      ]),
    );
    const stored = await db.query<{ count: string }>('SELECT count(*)::text AS count FROM "AccessEvent"');
    const expected = total + ingest.reduce((sum, r) => sum + r.events, 0);
    if (Number(stored.rows[0]!.count) !== expected) {
      throw new Error(`the table holds ${stored.rows[0]!.count} events, expected ${expected}`);
    }
    console.log(
      JSON.stringify({
        bench: 'access-log-ingest',
        events: total,
        bulkLoadSeconds: round(loadSeconds, 1),
        tableBytes: Number(size.rows[0]!.bytes),
        busyBeforeQueries: round(busyBeforeQueries, 2),
        queries: queries.map((q) => ({ name: q.name, size: q.size, p50Ms: round(q.p50, 2), p95Ms: round(q.p95, 2) })),
        ingest: ingest.map((r) => ({
          batch: r.batch,
          publishers: r.publishers,
          eventsPerSecond: Math.round(r.eventsPerSecond),
          publishP50Ms: round(r.publishP50, 1),
          publishP99Ms: round(r.publishP99, 1),
          controlPlaneCores: round(r.controlPlaneCores, 2),
          publisherCores: round(r.publisherCores, 2),
          machineBusyShare: round(r.machineBusyShare, 2),
        })),
      }),
    );
  } finally {
    await db.end();
  }
});
