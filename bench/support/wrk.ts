/**
 * wrk (`apt-get install -y wrk`) driving MCP tools/call POSTs, with the CPU every process spent
 * during the run read from /proc: the proxy under test, the upstream, wrk itself, and whatever
 * else ran on the machine meanwhile ("foreign", which makes a run suspect).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { positiveInt } from './stats.js';
import {
  cpuSeconds,
  machineCpuSeconds,
  processTreeCpuSeconds,
  reapedChildrenCpuSeconds,
  startProcess,
  tempDir,
} from './processes.js';

/** The ~200-byte tools/call of section C. */
export const TOOLS_CALL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'get_weather',
    arguments: { city: 'Berlin', units: 'metric', detail: 'hourly', days: 3 },
    _meta: { progressToken: 'abc-123-def-456' },
  },
});

/** The headers every request carries (an MCP client's Streamable HTTP POST). */
export const TOOLS_CALL_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const scripts = new Map<string, Promise<string>>();

/** The Lua script that makes every wrk request a tools/call POST, with `extraHeaders` too. */
function luaScript(extraHeaders: Readonly<Record<string, string>>): Promise<string> {
  const all = { ...TOOLS_CALL_HEADERS, ...extraHeaders };
  const key = JSON.stringify(all);
  let script = scripts.get(key);
  if (!script) {
    script = (async () => {
      const file = path.join(await tempDir('wrk'), 'tools-call.lua');
      const headers = Object.entries(all).map(
        ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
      );
      await writeFile(file, ['wrk.method = "POST"', ...headers, `wrk.body = [==[${TOOLS_CALL_BODY}]==]`, ''].join('\n'));
      return file;
    })();
    scripts.set(key, script);
  }
  return script;
}

export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
  /** CPU seconds during the run. */
  cpu: { proxy: number; upstream: number; wrk: number; foreign: number };
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Processes whose CPU is accounted: the proxy (none for direct; with its child processes) and the upstream. */
  proxyPid?: number;
  upstreamPid: number;
  /** Headers every request carries besides an MCP client's (TOOLS_CALL_HEADERS). */
  headers?: Readonly<Record<string, string>>;
}

/** One wrk run with one thread, `--latency`; fails when wrk fails. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const lua = await luaScript(options.headers ?? {});
  const proxy0 = options.proxyPid ? processTreeCpuSeconds(options.proxyPid) : 0;
  const upstream0 = cpuSeconds(options.upstreamPid);
  const wrk0 = reapedChildrenCpuSeconds();
  const machine0 = machineCpuSeconds();
  const wrk = startProcess('wrk', 'wrk', [
    '-t1',
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    '--latency',
    '-s',
    lua,
    options.url,
  ]);
  const code = await wrk.exited;
  // Read right away: the reaped wrk is in our cutime now; the servers keep running.
  const cpu = {
    proxy: options.proxyPid ? processTreeCpuSeconds(options.proxyPid) - proxy0 : 0,
    upstream: cpuSeconds(options.upstreamPid) - upstream0,
    wrk: reapedChildrenCpuSeconds() - wrk0,
    foreign: 0,
  };
  cpu.foreign = Math.max(0, machineCpuSeconds().busy - machine0.busy - cpu.proxy - cpu.upstream - cpu.wrk);
  const out = wrk.output();
  if (code !== 0) throw new Error(`wrk ${options.url} exited with ${code}:\n${out}`);
  return { ...parseWrk(out, options.url), cpu };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** The `p`% latency of a `wrk --latency` output, in milliseconds. */
export function wrkLatencyMs(out: string, p: string): number {
  const match = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
  if (!match) throw new Error(`no ${p}% latency in the wrk output:\n${out}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function parseWrk(out: string, url: string): Omit<WrkResult, 'cpu'> {
  const requests = out.match(/^\s*(\d+) requests in/m);
  const rps = out.match(/^Requests\/sec:\s+([\d.]+)/m);
  if (!requests || !rps) throw new Error(`unexpected wrk output for ${url}:\n${out}`);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests: Number(requests[1]),
    rps: Number(rps[1]),
    p50Ms: wrkLatencyMs(out, '50'),
    p99Ms: wrkLatencyMs(out, '99'),
    errors: non2xx + socketErrors,
  };
}

/** The parseArgs options of a benchmark made of interleaved wrk rounds. */
export const WRK_RUN_OPTIONS = {
  rounds: { type: 'string', default: '3' },
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '32,1' },
} as const;

/** {@link WRK_RUN_OPTIONS} as checked numbers; throws naming a bad option. */
export function wrkRunSettings(args: { rounds: string; duration: string; warmup: string; connections: string }): {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number[];
} {
  return {
    rounds: positiveInt('rounds', args.rounds),
    durationS: positiveInt('duration', args.duration),
    warmupS: positiveInt('warmup', args.warmup),
    connections: args.connections.split(',').map((c) => positiveInt('connections', c.trim())),
  };
}
