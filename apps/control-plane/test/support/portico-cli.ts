/**
 * Runs the `portico` CLI as a child process from its TypeScript source, the way a person runs
 * it; the control plane's tests never import the CLI (module boundaries). The child gets the
 * test's environment without any variable the CLI reads, plus what the test sets.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
const CLI = path.join(REPO_ROOT, 'apps/cli/src/main.ts');

/** Variables the CLI reads: a test sets the ones it means, never inherits them. */
const CLI_VARIABLES = [
  'PORTICO_URL',
  'PORTICO_TOKEN',
  'PORTICO_CLIENT_ID',
  'PORTICO_CLIENT_SECRET',
  'PORTICO_PASSWORD',
  'PORTICO_PROFILE',
  'PORTICO_CONFIG_DIR',
  'XDG_CONFIG_HOME',
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** written to stdin, which then ends (stdin is a pipe, never a terminal) */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs `node <nodeArgs>` with the sources' loader; resolves when it exits (the control plane may run in this process). */
export function runNode(nodeArgs: string[], { input = '', env = {}, cwd = REPO_ROOT }: RunOptions = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  for (const name of CLI_VARIABLES) delete childEnv[name];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=portico-source', '--import', path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs'), ...nodeArgs],
      { cwd, env: { ...childEnv, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(input);
  });
}

/** Runs `portico <args>`. */
export const portico = (args: string[], options: RunOptions = {}) => runNode([CLI, ...args], options);
