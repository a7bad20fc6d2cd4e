/**
 * Stored access events for benches: many of them written straight into the AccessEvent table of
 * a bench control plane's database with SQL generate_series, spread over the last seven days
 * (a few percent denied, DLP findings, errors; 20 client applications, 12 tools, 20 000 sessions).
 */
import pg from 'pg';
import { POSTGRES_SERVER_URL } from './portico.js';

const DAY_MS = 86_400_000;

/**
 * The database ControlPlane.start() created: support/portico.ts names it
 * `portico_bench_<this pid>_<ms>` and does not hand its URL out.
 */
export async function benchDatabaseUrl(): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC LIMIT 1`,
      [`portico_bench_${process.pid}_%`],
    );
    if (!rows[0]) throw new Error(`no database portico_bench_${process.pid}_* on ${POSTGRES_SERVER_URL}`);
    const url = new URL(POSTGRES_SERVER_URL);
    url.pathname = `/${rows[0].datname}`;
    return url.toString();
  } finally {
    await admin.end();
  }
}

/** Writes `count` events of the last seven days into the table in chunks; returns the seconds it took. */
export async function bulkLoadAccessEvents(
  db: pg.Client,
  scope: { organizationId: string; environmentId: string; targetId: string; apiIds: number[] },
  count: number,
): Promise<number> {
  const started = performance.now();
  const today = new Date().toISOString().slice(0, 10);
  const first = new Date(Date.now() - 7 * DAY_MS).toISOString().slice(0, 10);
  await db.query('SELECT portico_access_event_partitions($1::date, $2::date)', [first, today]);
  const chunk = 200_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await db.query(
      `INSERT INTO "AccessEvent" ("environmentId", "time", "id", "organizationId", "targetId", "replicaId", "apiId",
         "requestId", "sessionId", "httpMethod", "path", "httpStatus", "mcpMethod", "jsonRpcId", "mcpName",
         "jsonRpcErrorCode", "toolError", "durationUs", "upstreamLatencyUs", "bytesIn", "bytesOut", "clientId",
         "clientName", "principal", "userDomain", "clientAddress", "userAgent", "verdicts", "dlp", "gatewayError")
       SELECT $1::uuid, now() - random() * interval '7 days', 'bulk-' || g, $2::uuid, $3::uuid, 'bulk-replica',
         ($4::int[])[1 + g % cardinality($4::int[])], md5(g::text), 'session-' || (g % 20000), 'POST', '/mcp',
         CASE WHEN g % 50 = 0 THEN 429 WHEN g % 97 = 0 THEN 502 ELSE 200 END,
         m.method, (g % 1000)::text,
         CASE m.method WHEN 'tools/call' THEN 'tool-' || (g % 12) WHEN 'resources/read' THEN 'file:///doc-' || (g % 30)
           WHEN 'prompts/get' THEN 'prompt-' || (g % 5) END,
         CASE WHEN g % 50 = 0 THEN -32029 WHEN g % 37 = 0 THEN -32602 END,
         g % 41 = 0, (300 + random() * 30000)::bigint, (200 + random() * 25000)::bigint,
         200 + g % 800, 300 + g % 4000,
         CASE WHEN g % 3 = 0 THEN NULL ELSE 'client-' || (g % 20) END,
         CASE WHEN g % 3 = 0 THEN NULL ELSE 'Agent ' || (g % 20) END,
         'user' || (g % 500) || '@example' || (g % 7) || '.com', 'example' || (g % 7) || '.com',
         '10.0.' || (g % 256) || '.' || (g % 200),
         (ARRAY['claude-code/1.0.31', 'cursor/0.48.6', 'python-httpx/0.27.0', 'node'])[1 + g % 4],
         CASE WHEN g % 50 = 0 THEN '[{"policyType":"rate-limiting","policyId":"3","verdict":"reject","mode":"enforce","errorKind":"rate-limited"}]'
              WHEN g % 37 = 0 THEN '[{"policyType":"mcp-acl","policyId":"4","verdict":"reject","mode":"enforce","errorKind":"policy-denied"}]'
              WHEN g % 71 = 0 THEN '[{"policyType":"mcp-acl","policyId":"5","verdict":"reject","mode":"shadow","errorKind":"policy-denied"}]'
              ELSE '[]' END::jsonb,
         CASE WHEN g % 53 = 0 THEN '[{"policyId":"6","direction":"response","categories":["Email"],"action":"redacted"}]'
              WHEN g % 211 = 0 THEN '[{"policyId":"6","direction":"request","categories":["CreditCard"],"action":"blocked"}]'
              ELSE '[]' END::jsonb,
         CASE WHEN g % 97 = 0 THEN 'upstream-unavailable' END
       FROM generate_series($5::int, $6::int) AS g,
         LATERAL (SELECT (ARRAY['tools/call', 'tools/call', 'tools/call', 'tools/call', 'tools/call', 'tools/call',
           'tools/list', 'resources/read', 'prompts/get', 'initialize'])[1 + g % 10] AS method) m`,
      [scope.environmentId, scope.organizationId, scope.targetId, scope.apiIds, from, to],
    );
    process.stderr.write(`loaded ${to} of ${count} events\n`);
  }
  await db.query('VACUUM ANALYZE "AccessEvent"');
  return (performance.now() - started) / 1000;
}
