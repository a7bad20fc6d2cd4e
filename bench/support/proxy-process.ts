/** Starts bench/servers/fault-proxies.ts (its own process) and drives it over its control port. */
import path from 'node:path';
import type { FaultMode } from './fault-proxy.js';
import { type BenchProcess, REPO_ROOT, startProcess } from './processes.js';

export interface ProxyProcess {
  readonly process: BenchProcess;
  /** The ports clients use instead of the real ones. */
  readonly ports: { redis: number; postgres: number; upstream: number };
  down(target: 'redis' | 'postgres' | 'upstream'): Promise<void>;
  up(target: 'redis' | 'postgres' | 'upstream'): Promise<void>;
  /** The upstream proxy's mode; `garbage` sends every new connection to the garbage upstream. */
  upstreamMode(mode: FaultMode | { kind: 'garbage' }): Promise<void>;
  /** Answers the garbage upstream gave so far. */
  garbageServed(): Promise<number>;
}

/** Proxies in front of Redis, Postgres and the upstream at these ports of 127.0.0.1. */
export async function startProxyProcess(targets: { redis: number; postgres: number; upstream: number }): Promise<ProxyProcess> {
  const child = startProcess(
    'fault proxies',
    process.execPath,
    ['--conditions=portico-source', '--import', 'tsx', path.join(REPO_ROOT, 'bench/servers/fault-proxies.ts')],
    {
      env: {
        REDIS_PORT: String(targets.redis),
        POSTGRES_PORT: String(targets.postgres),
        UPSTREAM_PORT: String(targets.upstream),
      },
    },
  );
  const [, json] = await child.waitForOutput(/proxies (\{.*\})/);
  const { control, ...ports } = JSON.parse(json!) as { redis: number; postgres: number; upstream: number; control: number };
  const order = async (method: string, urlPath: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${control}${urlPath}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`fault proxies: ${method} ${urlPath}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    process: child,
    ports,
    down: async (target) => void (await order('POST', `/${target}/down`)),
    up: async (target) => void (await order('POST', `/${target}/up`)),
    upstreamMode: async (mode) => void (await order('POST', '/upstream/mode', mode)),
    garbageServed: async () => (await order('GET', '/garbage')).served as number,
  };
}
