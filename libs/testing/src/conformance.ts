/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.13, the last that
 * runs on Node 20), run as a child process against a server URL. Results come from the
 * `checks.json` file each scenario writes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One check of a scenario, as checks.json has it. */
export interface ConformanceCheck {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO';
  errorMessage?: string;
}

export interface ConformanceRun {
  /** Scenario name -> its checks. */
  scenarios: Map<string, ConformanceCheck[]>;
  /** What the suite printed (for failure messages). */
  output: string;
}

function entryPoint(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
}

/** `passed` when no check of the scenario failed. */
export function scenarioOutcome(checks: ConformanceCheck[]): 'passed' | 'failed' {
  return checks.some((check) => check.status === 'FAILURE') ? 'failed' : 'passed';
}

/** Runs every active server scenario against `url`. The exit code is ignored: failures are data. */
export async function runConformanceSuite(url: string, timeoutMs = 120_000): Promise<ConformanceRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portico-conformance-'));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [entryPoint(), 'server', '--url', url, '-o', dir], {
        env: { ...process.env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the conformance suite did not finish within ${timeoutMs} ms:\n${text}`));
      }, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const scenarios = new Map<string, ConformanceCheck[]>();
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      // <dir>/server-<scenario>-<ISO timestamp with ':' and '.' as '-'>/checks.json
      const match = entry.isDirectory() ? /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(entry.name) : null;
      if (!match?.[1]) continue;
      const checks = JSON.parse(await readFile(path.join(dir, entry.name, 'checks.json'), 'utf8')) as ConformanceCheck[];
      scenarios.set(match[1], checks);
    }
    return { scenarios, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
