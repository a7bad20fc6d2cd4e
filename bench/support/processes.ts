/**
 * Child processes of a benchmark run, and what /proc says about processes and the machine.
 *
 * Every process a bench starts goes through {@link startProcess} and is stopped by its PID when
 * the run ends — normally, on an error, or on SIGINT/SIGTERM — followed by the cleanups
 * registered with {@link onCleanup} (databases, temporary directories), newest first. Nothing is
 * ever killed by name.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root (bench/ sits directly under it). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Kernel clock ticks per second, the unit of the CPU times in /proc/<pid>/stat. */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Bytes of output kept per process, for error messages. */
const OUTPUT_TAIL = 64 * 1024;

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** The last 64 KiB of stdout and stderr. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const processes: BenchProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

/** Starts `command` (cwd: the repository root) and registers it for the end-of-run cleanup. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): BenchProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: cannot start ${command}`);
  const pid = child.pid;
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let alive = true;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      alive = false;
      for (const listener of listeners) listener();
      resolve(code ?? signal ?? 'unknown');
    }),
  );

  const started: BenchProcess = {
    name,
    pid,
    child,
    exited,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`${name} printed nothing matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          const match = output.match(pattern);
          if (match) finish(undefined, match);
          else if (!alive) finish(new Error(`${name} exited before printing ${pattern}:\n${output}`));
        };
        const finish = (err?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(match!);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (!alive) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  processes.push(started);
  return started;
}

/** A temporary directory, removed at the end of the run. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `portico-bench-${prefix}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Registers `fn` to run at the end of the run, after every process was stopped (newest first). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

async function cleanUp(): Promise<void> {
  for (const p of processes.splice(0).reverse()) {
    await p.stop().catch((err: Error) => console.error(`stopping ${p.name} (pid ${p.pid}) failed: ${err.message}`));
  }
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

/**
 * Runs a benchmark: `body`, then the cleanup, whatever happens (also on SIGINT/SIGTERM). An
 * error is printed without a stack trace and the exit code is 1.
 */
export async function runBench(body: () => Promise<void>): Promise<void> {
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping every process this run started`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await body();
  } catch (err) {
    process.exitCode = 1;
    console.error(`benchmark failed: ${(err as Error).message}`);
  } finally {
    if (!interrupted) await cleanUp();
  }
  // gRPC channels and keep-alive sockets must not hold the process open after the report.
  if (!interrupted) process.exit();
}

/** utime + stime of `pid`, in seconds. */
export function cpuSeconds(pid: number): number {
  // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** cpuSeconds of `pid` and of its live children: a gateway's primary with its workers. */
export function processTreeCpuSeconds(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + processTreeCpuSeconds(child), cpuSeconds(pid));
}

/** CPU seconds of this process's children that exited and were reaped (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/** Busy and total CPU seconds of the whole machine, all cores (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / CLOCK_TICKS, total: (busy + idle! + iowait!) / CLOCK_TICKS };
}

/** A `Vm*` figure of /proc/<pid>/status in KiB (VmRSS: resident now, VmHWM: peak resident). */
export function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** {@link memoryKiB} of `pid` plus its live children's (a gateway's primary and its workers): summed VmRSS, so shared pages count once per process. */
export function processTreeMemoryKiB(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + processTreeMemoryKiB(child), memoryKiB(pid));
}

/** Open file descriptors (sockets included) of `pid` and its live children. */
export function processTreeDescriptors(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + processTreeDescriptors(child), readdirSync(`/proc/${pid}/fd`).length);
}

/** Established TCP connections (IPv4 and IPv6) whose local port is `port`: the accepted side of a server's connections. */
export function establishedConnections(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      // state 01 = ESTABLISHED (include/net/tcp_states.h)
      if (state === '01' && local?.endsWith(`:${hexPort}`)) count++;
    }
  }
  return count;
}

/**
 * utime + stime so far (seconds) and the command name of every process on the machine, by PID
 * (/proc/<pid>/stat); processes that exit while it reads are left out.
 */
export function allProcessesCpu(): Map<number, { comm: string; seconds: number }> {
  const all = new Map<number, { comm: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(entry), {
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** PIDs of the direct children of `pid`. */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Waits until the machine is quiet — less than `maxBusyShare` of all cores busy over 5 s — for at
 * most `maxWaitS` seconds; returns the last busy share seen. Other work on a shared machine
 * otherwise lands in the figures.
 */
export async function waitForQuiet(maxWaitS: number, maxBusyShare = 0.15): Promise<number> {
  const deadline = Date.now() + maxWaitS * 1000;
  for (;;) {
    const before = machineCpuSeconds();
    await sleep(5_000);
    const after = machineCpuSeconds();
    const share = (after.busy - before.busy) / (after.total - before.total);
    if (share < maxBusyShare || Date.now() > deadline) return share;
    console.error(`machine busy (${Math.round(share * 100)}% of all cores); waiting for it to settle`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
