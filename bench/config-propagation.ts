/**
 * Benchmark 2 of issue 3: how long after a REST policy change the gateway enforces it.
 *
 * A real control plane and a real gateway process serve an MCP instance with mcp-support in
 * front of the fixed upstream. Each change PATCHes the applied mcp-support policy's `disabled`:
 * while disabled the instance answers every request with the "MCP Support policy is required"
 * error (503, JSON-RPC −32603), enabled it serves the tools/call result. After the PATCH's
 * response arrives, a tools/call is sent through the gateway every `--interval-ms` (one at a
 * time); the change's propagation time is from the REST response to the answer of the first
 * request showing the new behaviour (requests sent before the response do not count). The
 * time from sending the PATCH is reported too, and the poll's own round trip (the resolution).
 * Target: p99 < 1 s.
 *
 *   node --conditions=portico-source --import tsx bench/config-propagation.ts [--changes 100]
 *     [--interval-ms 2] [--pause-ms 50]
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { freePort } from '#portico/testing';
import { ControlPlane, type McpInstance, startGateway } from './support/portico.js';
import { runBench, sleep } from './support/processes.js';
import { formatMs, median, percentile, printTable, round } from './support/stats.js';
import { startUpstream } from './support/upstreams.js';
import { TOOLS_CALL_BODY, TOOLS_CALL_HEADERS } from './support/wrk.js';

const TARGET_P99_MS = 1000;
/** A change not enforced within this long fails the run. */
const CHANGE_TIMEOUT_MS = 30_000;

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '100' },
    'interval-ms': { type: 'string', default: '2' },
    'pause-ms': { type: 'string', default: '50' },
  },
  strict: true,
});

function nonNegative(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

type Behaviour = 'enabled' | 'disabled' | 'other';

interface Change {
  disabled: boolean;
  restMs: number;
  fromResponseMs: number;
  fromRequestMs: number;
  /** requests after the REST response that still showed the old behaviour */
  stalePolls: number;
}

await runBench(async () => {
  const changes = nonNegative('changes', args.changes);
  const intervalMs = nonNegative('interval-ms', args['interval-ms']);
  const pauseMs = nonNegative('pause-ms', args['pause-ms']);
  if (!Number.isInteger(changes) || changes < 1) throw new Error('--changes must be a positive integer');

  console.error('starting the upstream, the control plane and a gateway …');
  const upstream = await startUpstream('fixed');
  const cp = await ControlPlane.start();
  const registration = await cp.registerGateway('bench-gateway');
  const instance: McpInstance = await cp.deployMcpInstance({
    upstreamUrl: upstream.url,
    port: await freePort(),
    basePath: '/bench',
    targetId: registration.gatewayId,
  });
  await startGateway(registration);
  await cp.waitForRollout(instance);

  const url = new URL(`${instance.proxyUrl}/mcp`);
  const pool = new Pool(url.origin, { connections: 1 });
  const roundTrips: number[] = [];
  let others = 0;
  /** One tools/call through the gateway: which behaviour it shows. */
  const probe = async (): Promise<Behaviour> => {
    const started = performance.now();
    const res = await pool.request({ path: url.pathname, method: 'POST', headers: TOOLS_CALL_HEADERS, body: TOOLS_CALL_BODY });
    const text = await res.body.text();
    roundTrips.push(performance.now() - started);
    if (res.statusCode === 200 && text.includes('"result"')) return 'enabled';
    if (res.statusCode === 503 && text.includes('MCP Support policy is required')) return 'disabled';
    others++;
    return 'other';
  };
  if ((await probe()) !== 'enabled') throw new Error('the gateway does not serve the instance before the first change');

  const results: Change[] = [];
  for (let i = 0; i < changes; i++) {
    const disabled = i % 2 === 0;
    const want: Behaviour = disabled ? 'disabled' : 'enabled';
    const sent = performance.now();
    await cp.setMcpSupportDisabled(instance, disabled);
    const answered = performance.now();
    let stalePolls = 0;
    for (;;) {
      const pollStart = performance.now();
      const behaviour = await probe();
      const seen = performance.now();
      if (behaviour === want) {
        results.push({
          disabled,
          restMs: answered - sent,
          fromResponseMs: seen - answered,
          fromRequestMs: seen - sent,
          stalePolls,
        });
        break;
      }
      stalePolls++;
      if (seen - answered > CHANGE_TIMEOUT_MS)
        throw new Error(`change ${i + 1} (disabled=${disabled}) not enforced after ${CHANGE_TIMEOUT_MS} ms`);
      await sleep(Math.max(0, intervalMs - (seen - pollStart)));
    }
    if ((i + 1) % 10 === 0) console.error(`${i + 1}/${changes} changes, last ${formatMs(results.at(-1)!.fromResponseMs)}`);
    await sleep(pauseMs);
  }
  await pool.close();

  const stats = (values: number[]) => ({
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    maxMs: Math.max(...values),
  });
  const fromResponse = stats(results.map((r) => r.fromResponseMs));
  const fromRequest = stats(results.map((r) => r.fromRequestMs));
  const rest = stats(results.map((r) => r.restMs));
  const byDirection = (disabled: boolean) => stats(results.filter((r) => r.disabled === disabled).map((r) => r.fromResponseMs));
  const toDisabled = byDirection(true);
  const toEnabled = byDirection(false);
  const pollRoundTripMs = median(roundTrips);

  const row = (label: string, s: ReturnType<typeof stats>) => [label, formatMs(s.p50Ms), formatMs(s.p99Ms), formatMs(s.maxMs)];
  printTable(
    `${results.length} mcp-support disabled toggles (PATCH), polled every ${intervalMs} ms`,
    ['measure', 'p50', 'p99', 'max'],
    [
      row('REST response → gateway enforces', fromResponse),
      row('  … disabling (→ 503)', toDisabled),
      row('  … enabling (→ 200)', toEnabled),
      row('REST request sent → gateway enforces', fromRequest),
      row('REST PATCH round trip (baseline)', rest),
    ],
  );
  console.log(
    `\npoll round trip through the gateway (resolution): ${formatMs(pollRoundTripMs)} median; ` +
      `stale polls after the REST response: ${results.reduce((s, r) => s + r.stalePolls, 0)}; unexpected answers: ${others}; ` +
      `p99 ${formatMs(fromResponse.p99Ms)} vs target < ${formatMs(TARGET_P99_MS)}: ${fromResponse.p99Ms < TARGET_P99_MS ? 'ok' : 'MISSED'} ` +
      `(${(fromResponse.p99Ms / TARGET_P99_MS).toFixed(3)} of the target, ${(fromResponse.p50Ms / rest.p50Ms).toFixed(2)}× the REST round trip at p50)`,
  );
  const r = (s: ReturnType<typeof stats>) => ({ p50Ms: round(s.p50Ms), p99Ms: round(s.p99Ms), maxMs: round(s.maxMs) });
  console.log(
    JSON.stringify({
      bench: 'config-propagation',
      config: { changes: results.length, intervalMs, pauseMs },
      fromRestResponse: r(fromResponse),
      toDisabled: r(toDisabled),
      toEnabled: r(toEnabled),
      fromRestRequest: r(fromRequest),
      restRoundTrip: r(rest),
      pollRoundTripMs: round(pollRoundTripMs),
      unexpectedAnswers: others,
      targetP99Ms: TARGET_P99_MS,
      p99ToTarget: round(fromResponse.p99Ms / TARGET_P99_MS),
    }),
  );
});
