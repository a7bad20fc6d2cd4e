/**
 * A process's root logger on a real terminal (a pseudo-terminal from util-linux `script`) prints
 * readable lines, and JSON when its stdout is a pipe: the check the processes make at start.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** A process that logs as the gateway and the control plane do: rootLogger of #portico/logging. */
const PROGRAM = [
  process.execPath,
  '--conditions=portico-source',
  '--import',
  './libs/testing/src/swc-register.mjs',
  '--input-type=module',
  '-e',
  "const { rootLogger } = await import('#portico/logging'); rootLogger('probe').info({ context: 'Probe' }, 'hello');",
];
const run = (file: string, args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(file, args, { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 30_000 });
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
/** PROGRAM with its stdout on a pseudo-terminal. */
const onTerminal = (env: Record<string, string> = {}) => run('script', ['-qec', PROGRAM.map(quote).join(' '), '/dev/null'], env);

describe('the root logger', () => {
  it('prints a readable line on a terminal', async () => {
    const { stdout } = await onTerminal();
    // eslint-disable-next-line no-control-regex
    const line = stdout.replace(/\x1b\[[0-9;]*m/g, '').trim();
    expect(line).toMatch(/^\[[\d:.]+\] INFO \(probe\/\d+\): \[Probe\] hello$/);
  });

  it('prints JSON on a terminal with PORTICO_LOG_FORMAT=json, and into a pipe', async () => {
    for (const { stdout } of [await onTerminal({ PORTICO_LOG_FORMAT: 'json' }), await run(PROGRAM[0]!, PROGRAM.slice(1))]) {
      expect(JSON.parse(stdout.trim())).toMatchObject({ level: 30, name: 'probe', context: 'Probe', msg: 'hello' });
    }
  });
});
