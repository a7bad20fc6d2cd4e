/**
 * A real gateway process for end-to-end tests: `apps/gateway/src/main.ts` run from its registration
 * directory, exactly as in production (sync stream, listeners, last good config on disk), so tests
 * can stop, kill, pause and restart it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnNode } from './child-process.js';
import { freePort } from './ports.js';

export interface GatewayProcessOptions {
  /** registration directory (registration.yaml, last good config) */
  dir: string;
  /** address the API listeners bind; replicas on one machine need different loopback addresses */
  listenHost?: string;
  replicaId?: string;
  /** more PORTICO_GATEWAY_* variables */
  env?: Record<string, string>;
}

export interface GatewayProcess {
  readonly adminUrl: string;
  readonly replicaId: string;
  readonly child: ChildProcess;
  /** GET /status of the admin server */
  status(): Promise<Record<string, any>>;
  /** HTTP status of GET /readyz */
  readiness(): Promise<number>;
  /** Polls /status until `predicate` holds. */
  waitForStatus(predicate: (status: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const adminPort = await freePort();
  const replicaId = options.replicaId ?? `replica-${adminPort}`;
  const proc = spawnNode(['--conditions=portico-source', '--import', 'tsx', 'apps/gateway/src/main.ts', '--dir', options.dir], {
    PORTICO_GATEWAY_ADMIN_PORT: String(adminPort),
    PORTICO_GATEWAY_LISTEN_HOST: options.listenHost ?? '127.0.0.1',
    PORTICO_GATEWAY_REPLICA_ID: replicaId,
    PORTICO_LOG_LEVEL: 'info',
    ...options.env,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const get = (p: string) => fetch(`${adminUrl}${p}`, { signal: AbortSignal.timeout(5_000) });
  await proc.waitUntilReady('the gateway', async () => (await get('/healthz')).ok, 30_000);

  const status = async () => (await get('/status')).json() as Promise<Record<string, any>>;
  return {
    adminUrl,
    replicaId,
    child: proc.child,
    status,
    readiness: async () => (await get('/readyz')).status,
    async waitForStatus(predicate, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const current = await status();
        if (predicate(current)) return current;
        if (Date.now() > until)
          throw new Error(`gateway status never matched; last: ${JSON.stringify(current)}\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => proc.signal('SIGTERM'),
    async kill(signal = 'SIGKILL') {
      await proc.signal(signal);
    },
    output: proc.output,
  };
}
