/**
 * deploy/systemd: the units parsed and their hardening asserted by name, and, where systemd-analyze
 * is installed (a real process; skipped, and said so, elsewhere), `systemd-analyze verify` (no
 * unknown key, bad value, unresolvable specifier such as a `%d` systemd does not know, or missing
 * binary) and `systemd-analyze security --offline` (the overall exposure stays at most 2.0 of 10).
 * Both run on copies whose ExecStart names the node binary running the tests, so they judge the
 * units, not where this machine keeps Node.js; a broken copy shows each check can fail. The
 * variables set must be ones the README documents.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentedVariables } from '../test/support/readme-variables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SYSTEMD = path.join(root, 'deploy/systemd');
const UNITS = ['portico-control-plane.service', 'portico-gateway.service'];
/** The control plane gives closing the app 3 s (main.ts APP_CLOSE_TIMEOUT_MS); then Postgres stops. */
const CONTROL_PLANE_STOP_MS = 3_000;
/** Beyond the drain, what a stopping gateway needs: 1 s of stop grace, then flushing access events. */
const GATEWAY_STOP_MARGIN_MS = 5_000;
/** `systemd-analyze security --threshold`: the exposure level times ten. */
const MAX_EXPOSURE = 20;

/** A unit file as section -> key -> values, in order (a key may repeat; an empty value is kept). */
type Unit = Map<string, Map<string, string[]>>;

function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (!section || eq < 0) throw new Error(`not a unit line: ${trimmed}`);
    const key = trimmed.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), trimmed.slice(eq + 1).trim()]);
  }
  return unit;
}

const texts = new Map(UNITS.map((name) => [name, readFileSync(path.join(SYSTEMD, name), 'utf8')]));
const units = new Map(UNITS.map((name) => [name, parseUnit(texts.get(name)!)]));
const service = (name: string) => units.get(name)!.get('Service')!;
const last = (name: string, key: string) => service(name).get(key)?.at(-1);
/** The unit's Environment= assignments. */
function environment(name: string): Map<string, string> {
  const pairs = (service(name).get('Environment') ?? []).flatMap((value) => value.split(/\s+/));
  return new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
/** `40s`, `1min 30s`, `2min`: systemd's time spans, in milliseconds. */
function timeSpanMs(span: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, min: 60_000, m: 60_000 };
  return [...span.matchAll(/(\d+)\s*(ms|sec|s|min|m)?/g)].reduce((sum, [, n, unit]) => sum + Number(n) * units[unit ?? 's']!, 0);
}

const DOCUMENTED = documentedVariables();

describe.each(UNITS)('deploy/systemd/%s', (name) => {
  const app = name.replace(/^portico-|\.service$/g, '');

  it('runs the built app with the node binary, restarted on failure', () => {
    expect(last(name, 'ExecStart')).toBe(`/usr/bin/node /opt/portico/dist/apps/${app}/src/main.js`);
    expect(readFileSync(path.join(root, `apps/${app}/src/main.ts`), 'utf8')).toBeTruthy();
    expect(last(name, 'Restart')).toBe('on-failure');
    expect(units.get(name)!.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('runs as a transient user with nothing writable but its state directory', () => {
    const expected: Record<string, string> = {
      DynamicUser: 'yes',
      StateDirectory: `portico-${app}`,
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      SystemCallArchitectures: 'native',
      UMask: '0077',
    };
    expect(Object.fromEntries(Object.keys(expected).map((key) => [key, last(name, key)]))).toEqual(expected);
    expect(service(name).get('RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6 AF_NETLINK']);
    expect(service(name).get('SystemCallFilter')).toEqual(['@system-service', '~@privileged']);
  });

  it('leaves MemoryDenyWriteExecute off, saying why (V8 compiles to W+X memory)', () => {
    expect(service(name).has('MemoryDenyWriteExecute')).toBe(false);
    expect(texts.get(name)).toMatch(/# Not MemoryDenyWriteExecute=yes: V8's JIT/);
  });

  it('stops with SIGTERM to the main process, and waits longer than its shutdown takes', () => {
    expect(last(name, 'KillSignal')).toBe('SIGTERM');
    expect(last(name, 'KillMode')).toBe('mixed');
    const stopMs = timeSpanMs(last(name, 'TimeoutStopSec') ?? '');
    const needed =
      app === 'gateway'
        ? Number(environment(name).get('PORTICO_GATEWAY_DRAIN_MS')) + GATEWAY_STOP_MARGIN_MS
        : CONTROL_PLANE_STOP_MS;
    expect(needed).toBeGreaterThan(0);
    expect(stopMs).toBeGreaterThan(needed);
  });

  it('writes to its state directory and sets only variables the README documents', () => {
    const env = environment(name);
    expect(env.get(app === 'gateway' ? 'PORTICO_GATEWAY_STATE_DIR' : 'PORTICO_DATA_DIR')).toBe(`%S/portico-${app}`);
    const example = readFileSync(path.join(SYSTEMD, `${app}.env.example`), 'utf8');
    const exampleNames = [...example.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
    expect(exampleNames.length).toBeGreaterThan(0);
    const names = [...env.keys(), ...exampleNames].filter((n) => n !== 'NODE_ENV');
    expect(names.filter((n) => !DOCUMENTED.has(n))).toEqual([]);
  });

  if (app === 'gateway') {
    it('reads the registration from the credentials directory, where systemd puts it read-only', () => {
      expect(service(name).get('LoadCredential')).toEqual(['registration.yaml:/etc/portico/gateway/registration.yaml']);
      // %d: the credentials directory (/run/credentials/<unit>), read straight from there.
      expect(environment(name).get('PORTICO_GATEWAY_DIR')).toBe('%d');
      expect(service(name).has('ExecStartPre')).toBe(false);
    });
  }
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;

if (!analyze) it.todo('verify and rate the units: systemd-analyze is not installed here');

(analyze ? describe : describe.skip)('systemd-analyze', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'portico-units-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of `name` in the temp dir (same file name: it is the unit name), ExecStart on this node, `edit` applied. */
  function copy(name: string, edit: (text: string) => string = (t) => t): string {
    const file = path.join(dir, name);
    writeFileSync(file, edit(texts.get(name)!.replaceAll('/usr/bin/node ', `${process.execPath} `)));
    return file;
  }
  const run = (...args: string[]) => {
    const result = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  };

  it.each(UNITS)('verify finds nothing to say about %s', (name) => {
    expect(run('verify', copy(name))).toEqual({ status: 0, output: '' });
  });

  it('verify reports a misspelt option (the check can fail)', () => {
    const file = copy(UNITS[1]!, (text) => text.replace('ProtectHome=yes', 'ProtectHom=yes'));
    expect(run('verify', file).output).toMatch(/Unknown key( name)? 'ProtectHom'/);
  });

  it('verify reports a specifier Environment= cannot resolve (so %d is one it can)', () => {
    const file = copy(UNITS[1]!, (text) => text.replace('PORTICO_GATEWAY_DIR=%d', 'PORTICO_GATEWAY_DIR=%Q'));
    expect(run('verify', file).output).toMatch(/Failed to resolve specifiers in PORTICO_GATEWAY_DIR=%Q/);
  });

  it.each(UNITS)(`security rates the exposure of %s at most ${MAX_EXPOSURE / 10}`, (name) => {
    const { status, output } = run('security', '--offline=yes', `--threshold=${MAX_EXPOSURE}`, '--no-pager', copy(name));
    expect({ status, overall: /Overall exposure level.*/.exec(output)?.[0] }).toEqual({ status: 0, overall: expect.any(String) });
  });

  it('security rejects a unit without the hardening (the check can fail)', () => {
    const bare = copy(UNITS[1]!, (text) => text.split('# Hardening')[0]!.replace(/^DynamicUser=yes$/m, ''));
    expect(run('security', '--offline=yes', `--threshold=${MAX_EXPOSURE}`, '--no-pager', bare).status).not.toBe(0);
  });
});
