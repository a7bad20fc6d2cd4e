/**
 * A Node child process of a test, run from the repository root: its output is kept for failure
 * messages, it is awaited when stopped, and a start that never becomes ready kills it (a child
 * left running would keep jest from exiting).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export interface TestChildProcess {
  readonly child: ChildProcess;
  /** Everything it wrote (stdout + stderr). */
  output(): string;
  /** Sends `signal` unless it has exited; resolves with the exit code once it has. */
  signal(signal: NodeJS.Signals): Promise<number | null>;
  /**
   * Polls `probe` until it holds. Throws, naming `what` and with the output, when the process
   * exits first or `timeoutMs` passes (it is killed then).
   */
  waitUntilReady(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void>;
}

/** `node <args>` in the repository root with `env` on top of this process's (NODE_OPTIONS cleared). */
export function spawnNode(args: string[], env: Record<string, string>): TestChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let running = true;
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signalName) => {
      running = false;
      // A child that dies on its own is a finding: show why, whatever the test then reports.
      if (!stopping) process.stderr.write(`\n[${args.join(' ')}] exited on its own (${signalName ?? code}):\n${output}\n`);
      resolve(code);
    }),
  );
  const signal = (name: NodeJS.Signals) => {
    stopping = true;
    if (running) child.kill(name);
    return exited;
  };
  return {
    child,
    output: () => output,
    signal,
    async waitUntilReady(what, probe, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running) throw new Error(`${what} exited before it was ready:\n${output}`);
        if (await probe().catch(() => false)) return;
        if (Date.now() > deadline) {
          await signal('SIGKILL');
          throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
