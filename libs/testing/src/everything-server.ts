/**
 * `@modelcontextprotocol/server-everything` as a child process on a free port, for tests that
 * need a full-featured third-party MCP server: `streamableHttp` (endpoint `/mcp`) or the legacy
 * `sse` transport (GET `/sse`, POST `/message?sessionId=…`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort } from './ports.js';

export interface EverythingServer {
  /** `http://127.0.0.1:<port>/mcp`, or `…/sse` for the legacy transport. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/`: what an upstream URL of an API points at. */
  readonly baseUrl: string;
  readonly port: number;
  /** Everything the process wrote so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

const LISTENING: Record<'streamableHttp' | 'sse', RegExp> = {
  streamableHttp: /listening on port (\d+)/,
  sse: /Server is running on port (\d+)/,
};

function entryPoint(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function spawnOnce(transport: 'streamableHttp' | 'sse', timeoutMs: number): Promise<EverythingServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [entryPoint(), transport], {
    env: { ...process.env, NODE_OPTIONS: '', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server-everything ${transport} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (LISTENING[transport].test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${transport} exited with ${code}:\n${output}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  return {
    url: `${baseUrl}${transport === 'sse' ? 'sse' : 'mcp'}`,
    baseUrl,
    port,
    output: () => output,
    async close() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Starts server-everything; retries when the free port was taken in between (EADDRINUSE). */
export async function startEverythingServer(
  transport: 'streamableHttp' | 'sse' = 'streamableHttp',
  timeoutMs = 30_000,
): Promise<EverythingServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(transport, timeoutMs);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|already in use/.test((err as Error).message)) throw err;
    }
  }
}
