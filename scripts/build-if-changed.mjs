// `npm start`'s build: the steps of `npm run build` (Prisma client, protobuf code, the console's API
// types and the web console, tsc into dist/)
// whose inputs changed since they last ran in this checkout, and none when nothing did
// (`portico: build up to date, not building`). Run from the repository root (npm does that).
//
// A step runs when there is no record of it, when one of its input files changed (by content, not
// modification time: a checkout that rewrites the same bytes is no change; an added or deleted
// file is one), when its definition below changed, or when its outputs are not what it left
// (deleted, or rewritten by something else, such as another branch's `npm run build`). Each step
// that succeeds is recorded in dist/.build-state.json: the SHA-256 of each input file and of its
// outputs. Steps run in order and are checked just before they would run, because generated code
// is an input of the TypeScript step. A step that fails stops the build with its exit code; the
// next run tries it again.
//
// The TypeScript step's inputs are what tsconfig.build.json compiles: every file under its
// `include` roots (also JSON modules, imported from source) less its `exclude` patterns, plus the
// tsconfig files and package.json (`imports`). package-lock.json is an input of every step (tool
// versions). tsc runs with --incremental, its build info in dist/: after a change it re-checks the
// files affected, not all of them; when dist/ is not what it left, the build info goes and tsc
// compiles everything.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const STATE_FILE = 'dist/.build-state.json';
const BUILD_INFO = 'dist/.tsbuildinfo';
const node = process.execPath;

const tsconfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8'));

const STEPS = [
  {
    name: 'the Prisma client',
    command: [node, 'scripts/prisma-generate.mjs'],
    inputs: ['prisma/schema.prisma', 'prisma.config.ts', 'scripts/prisma-generate.mjs', 'package-lock.json'],
    outputs: ['apps/control-plane/src/generated/prisma'],
  },
  {
    name: 'the protobuf code',
    command: [node, '../node_modules/@bufbuild/buf/bin/buf', 'generate'],
    cwd: 'proto',
    inputs: ['proto', 'package-lock.json'],
    outputs: ['libs/proto-ts/src/gen'],
  },
  {
    // from the OpenAPI document of the control plane's sources (which the Prisma and protobuf code
    // above are part of); the console step below rebuilds only when the types' content changed
    name: "the console's API types",
    command: [
      node,
      '--conditions=portico-source',
      '--import',
      './libs/testing/src/swc-register.mjs',
      'scripts/console-api-types.ts',
    ],
    inputs: ['apps/control-plane/src', 'libs/*/src', 'scripts/console-api-types.ts', 'package.json', 'package-lock.json'],
    exclude: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'],
    outputs: ['apps/console/src/api/generated'],
  },
  {
    // type-checked, then bundled by Vite into apps/console/dist (served by the control plane)
    name: 'the web console',
    commands: [
      [node, 'node_modules/typescript/bin/tsc', '-p', 'apps/console/tsconfig.json'],
      [node, 'node_modules/vite/bin/vite.js', 'build', '--config', 'apps/console/vite.config.ts', '--logLevel', 'warn'],
    ],
    inputs: ['apps/console', 'package-lock.json'],
    exclude: ['apps/console/dist'],
    outputs: ['apps/console/dist'],
  },
  {
    name: 'dist/ (tsc)',
    command: [
      node,
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.build.json',
      '--incremental',
      '--tsBuildInfoFile',
      BUILD_INFO,
    ],
    // what tsc compiles: the `include` patterns up to their first `**` (also JSON modules, imported
    // from source), less `exclude`
    inputs: [
      'tsconfig.build.json',
      'tsconfig.base.json',
      'package.json',
      'package-lock.json',
      ...tsconfig.include.map((pattern) => pattern.split('/**')[0]),
    ],
    exclude: tsconfig.exclude ?? [],
    outputs: ['dist'],
    // tsc's record of the outputs it wrote: wrong once they are not those (it would then skip
    // files it thinks are written), so it is removed and tsc compiles everything
    cache: BUILD_INFO,
  },
];

/** Files the build writes besides the steps' outputs: not outputs themselves. */
const BOOKKEEPING = new Set([STATE_FILE, BUILD_INFO]);

const started = performance.now();
const state = existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, 'utf8')) : {};
let built = 0;
for (const step of STEPS) {
  const id = JSON.stringify(step);
  const inputs = hashFiles(step.inputs, step.exclude);
  const record = state[step.name];
  const outputsKept = record?.outputs === hashOf(hashFiles(step.outputs));
  const reason = staleness(record, id, inputs, outputsKept);
  if (!reason) continue;
  console.error(`portico: building ${step.name}: ${reason}`);
  if (step.cache && !(record?.id === id && outputsKept)) rmSync(step.cache, { force: true });
  let result;
  for (const [command, ...args] of step.commands ?? [step.command]) {
    result = spawnSync(command, args, { cwd: step.cwd, stdio: 'inherit' });
    if (result.status !== 0) break;
  }
  if (result.status !== 0) {
    console.error(`portico: building ${step.name} failed (${result.signal ?? `exit code ${result.status}`})`);
    process.exit(result.status || 1);
  }
  built++;
  state[step.name] = { id, inputs, outputs: hashOf(hashFiles(step.outputs)) };
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify(state)}\n`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.error(built ? `portico: built in ${seconds} s` : `portico: build up to date, not building (checked in ${seconds} s)`);

/** Why a step with `record` must run now, or undefined when it need not. */
function staleness(record, id, inputs, outputsKept) {
  if (!record) return 'no earlier build here';
  if (record.id !== id) return 'its definition changed';
  const changed = [...new Set([...Object.keys(inputs), ...Object.keys(record.inputs)])].filter(
    (file) => inputs[file] !== record.inputs[file],
  );
  if (changed.length)
    return `${changed[0]} ${changeOf(changed[0])}${changed.length > 1 ? ` (and ${changed.length - 1} more)` : ''}`;
  if (!outputsKept) return 'its outputs changed since it ran';
  return undefined;

  function changeOf(file) {
    if (!(file in record.inputs)) return 'was added';
    return file in inputs ? 'changed' : 'was deleted';
  }
}

/**
 * SHA-256 of every file in `paths` — files, or directories walked (node_modules skipped), `*`
 * segments standing for any directory — by path relative to the root, less those `exclude`
 * (tsconfig patterns) matches.
 */
function hashFiles(paths, exclude = []) {
  const excluded = exclude.map(globRegExp);
  const hashes = {};
  for (const file of paths.flatMap((p) => expand(p.split('/'), '.')).flatMap(filesUnder)) {
    if (BOOKKEEPING.has(file) || excluded.some((re) => re.test(file))) continue;
    hashes[file] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return hashes;
}

function hashOf(hashes) {
  return createHash('sha256').update(JSON.stringify(hashes)).digest('hex');
}

/** The existing paths matching `segments` (names, or `*` for any directory) under `dir`. */
function expand(segments, dir) {
  if (segments.length === 0) return [dir];
  const [head, ...rest] = segments;
  const names =
    head === '*'
      ? readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
      : [head];
  return names
    .map((name) => path.posix.join(dir, name))
    .filter((child) => existsSync(child))
    .flatMap((child) => expand(rest, child));
}

/** `file` itself, or every file under directory `file` (node_modules skipped), sorted. */
function filesUnder(file) {
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file)
    .filter((entry) => entry !== 'node_modules')
    .sort()
    .flatMap((entry) => filesUnder(path.posix.join(file, entry)));
}

/**
 * A tsconfig pattern as a regular expression over relative paths: `**` any directories, `*` and
 * `?` within a name; a pattern matching a directory matches what is under it, as in tsc.
 */
function globRegExp(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}(?:/.*)?$`);
}
