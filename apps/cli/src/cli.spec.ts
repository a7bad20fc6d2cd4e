/**
 * What the README promises of the command line: every command answers `--help`, the README
 * names every command and every exit code, and its example file is the one in apps/cli/examples,
 * valid against the published schema.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { COMMANDS, runCli } from './cli.js';
import { loadPorticoFile } from './desired-state/load-file.js';
import { EXIT } from './exit-codes.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLE = path.join(REPO_ROOT, 'apps/cli/examples/portico.yaml');

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(argv: string[]) {
  const [out, err] = [capture(), capture()];
  const code = await runCli(argv, { out: out.stream, err: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('the portico command line', () => {
  it.each(COMMANDS.map((c) => [c.path.join(' ')]))('portico %s --help shows its usage', async (name) => {
    const result = await run([...name.split(' '), '--help']);
    expect(result).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: portico ${name}\\b`));
    expect(result.stdout).toContain('-h, --help');
  });

  it('lists every command in the overview, and the README names each and every exit code', async () => {
    const overview = await run(['--help']);
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const command of COMMANDS) {
      expect(overview.stdout).toContain(`portico ${command.path.join(' ')}`);
      expect(readme).toContain(`portico ${command.path.join(' ')}`);
    }
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`^\\| ${code} +\\| `, 'm'));
  });

  it('shows the example file in the README, and it is valid', async () => {
    const example = await readFile(EXAMPLE, 'utf8');
    expect(await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8')).toContain(example.trimEnd());
    const file = await loadPorticoFile(EXAMPLE);
    expect(file.instances.map((i) => [i.label, i.deployment?.target, i.policies.map((p) => p.policy)])).toEqual([
      ['demo', 'local-gateway', ['mcp-support']],
    ]);
  });

  it('prints the schema it validates with', async () => {
    const result = await run(['schema']);
    const schema = JSON.parse(
      await readFile(path.join(REPO_ROOT, 'apps/cli/src/desired-state/portico-file.schema.json'), 'utf8'),
    );
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toEqual(schema);
  });
});
