/**
 * A real gateway process for end-to-end tests: `apps/gateway/src/main.ts` run from its registration
 * directory, exactly as in production (sync stream, listeners, last good config on disk), so tests
 * can stop, kill, pause and restart it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './ports.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

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
  const child = spawn(
    process.execPath,
    ['--conditions=portico-source', '--import', 'tsx', 'apps/gateway/src/main.ts', '--dir', options.dir],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORTICO_GATEWAY_ADMIN_PORT: String(adminPort),
        PORTICO_GATEWAY_LISTEN_HOST: options.listenHost ?? '127.0.0.1',
        PORTICO_GATEWAY_REPLICA_ID: replicaId,
        PORTICO_LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const get = (p: string) => fetch(`${adminUrl}${p}`, { signal: AbortSignal.timeout(5_000) });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive) throw new Error(`the gateway exited during start:\n${output}`);
    if (
      await get('/healthz').then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const status = async () => (await get('/status')).json() as Promise<Record<string, any>>;
  return {
    adminUrl,
    replicaId,
    child,
    status,
    readiness: async () => (await get('/readyz')).status,
    async waitForStatus(predicate, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const current = await status();
        if (predicate(current)) return current;
        if (Date.now() > until) throw new Error(`gateway status never matched; last: ${JSON.stringify(current)}\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (alive) child.kill('SIGTERM');
      return exited;
    },
    async kill(signal = 'SIGKILL') {
      if (alive) child.kill(signal);
      await exited;
    },
    output: () => output,
  };
}
