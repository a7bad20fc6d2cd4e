/**
 * `npm start`'s build (scripts/build-if-changed.mjs) builds only what changed, and nothing on a
 * checkout that is built: run on a small copy of the repository's build (its package and tsconfig
 * files, Prisma config, proto settings, the console's build settings and scripts, the real tools
 * through a link to node_modules) with one Prisma model, one protobuf message, two control-plane
 * source files, a one-module console, and in place of scripts/console-api-types.ts (which needs the
 * whole control plane) a script writing the console's types from the routes one of those files
 * lists, so a full build takes seconds.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** The repository's files the build reads, copied as they are. */
const BUILD_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'tsconfig.build.json',
  'prisma.config.ts',
  'scripts/prisma-generate.mjs',
  'scripts/build-if-changed.mjs',
  'proto/buf.yaml',
  'proto/buf.gen.yaml',
  'apps/console/tsconfig.json',
  'apps/console/vite.config.ts',
  'libs/testing/src/swc-register.mjs',
  'libs/testing/src/swc-loader.mjs',
  'libs/testing/src/swc-options.mjs',
];
const SOURCE = 'apps/control-plane/src/main.ts';
const COMPILED = 'dist/apps/control-plane/src/main.js';
const ROUTES = 'apps/control-plane/src/routes.ts';
const CONSOLE_SOURCE = 'apps/console/src/main.ts';
const API_TYPES = 'apps/console/src/api/generated/schema.d.ts';

describe('npm start on a checkout (scripts/build-if-changed.mjs)', () => {
  let root: string;
  /** Runs the build in the copy; its report (stderr and stdout). */
  const build = async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/build-if-changed.mjs'], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 120_000,
    });
    return stderr + stdout;
  };
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  const compiled = () => readFile(path.join(root, COMPILED), 'utf8');

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'portico-start-build-'));
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    for (const file of BUILD_FILES) await cp(path.join(REPO_ROOT, file), path.join(root, file));
    const schema = await readFile(path.join(REPO_ROOT, 'prisma/schema.prisma'), 'utf8');
    const generator = schema.match(/^generator client \{[^}]*\}/m)![0];
    const datasource = schema.match(/^datasource db \{[^}]*\}/m)![0];
    await write('prisma/schema.prisma', `${generator}\n\n${datasource}\n\nmodel Probe {\n  id Int @id\n}\n`);
    await write(
      'proto/portico/probe/v1/probe.proto',
      'syntax = "proto3";\n\npackage portico.probe.v1;\n\nmessage Probe {\n  string name = 1;\n}\n',
    );
    await write(SOURCE, "export const greeting = 'hello';\n");
    await write(ROUTES, "export const routes = ['/probe'];\n");
    await write(
      'scripts/console-api-types.ts',
      [
        "import { mkdirSync, writeFileSync } from 'node:fs';",
        "import { routes } from '../apps/control-plane/src/routes.js';",
        "mkdirSync('apps/console/src/api/generated', { recursive: true });",
        `writeFileSync('${API_TYPES}', \`export type Route = \${routes.map((r) => JSON.stringify(r)).join(' | ')};\\n\`);`,
        '',
      ].join('\n'),
    );
    await write('apps/console/index.html', '<div id="root"></div><script type="module" src="/src/main.ts"></script>\n');
    await write(
      CONSOLE_SOURCE,
      "import type { Route } from './api/generated/schema';\nconst home: Route = '/probe';\ndocument.title = `probe ${home}`;\n",
    );
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('builds everything the first time', async () => {
    const report = await build();
    for (const step of ['the Prisma client', 'the protobuf code', "the console's API types", 'the web console', 'dist/ (tsc)']) {
      expect(report).toContain(`portico: building ${step}: no earlier build here`);
    }
    expect(report).toMatch(/portico: built in [\d.]+ s/);
    expect(await compiled()).toContain("'hello'");
  });

  it('builds nothing when nothing changed, a test file included', async () => {
    const before = (await stat(path.join(root, COMPILED))).mtimeMs;
    await write('apps/control-plane/src/main.spec.ts', 'export {};\n');

    const report = await build();
    expect(report).toMatch(/^portico: build up to date, not building \(checked in [\d.]+ s\)\n$/);
    expect((await stat(path.join(root, COMPILED))).mtimeMs).toBe(before);
  });

  it('compiles again after a source file changed, and rebuilds no console when its API types stay the same', async () => {
    await write(SOURCE, "export const greeting = 'hello again';\n");

    const report = await build();
    expect(report).toContain(`portico: building the console's API types: ${SOURCE} changed\n`);
    expect(report).toContain(`portico: building dist/ (tsc): ${SOURCE} changed\n`);
    expect(report).not.toContain('building the web console');
    expect(report).not.toContain('building the Prisma client');
    expect(report).not.toContain('building the protobuf code');
    expect(await compiled()).toContain("'hello again'");
  });

  it('rebuilds the console when a source change changed its API types', async () => {
    await write(ROUTES, "export const routes = ['/probe', '/probe/again'];\n");

    const report = await build();
    expect(report).toContain(`portico: building the console's API types: ${ROUTES} changed\n`);
    expect(report).toContain(`portico: building the web console: ${API_TYPES} changed\n`);
    expect(await readFile(path.join(root, API_TYPES), 'utf8')).toBe('export type Route = "/probe" | "/probe/again";\n');
  });

  it('builds the console again after a console file changed, and nothing else', async () => {
    await write(CONSOLE_SOURCE, "document.title = 'probe again';\n");

    const report = await build();
    expect(report).toMatch(
      /^portico: building the web console: apps\/console\/src\/main.ts changed\nportico: built in [\d.]+ s\n$/,
    );
    const page = await readFile(path.join(root, 'apps/console/dist/index.html'), 'utf8');
    const script = /src="\/console\/(assets\/[^"]+\.js)"/.exec(page)![1]!;
    expect(await readFile(path.join(root, 'apps/console/dist', script), 'utf8')).toContain('probe again');
  });

  it('compiles everything again when dist/ is not what it left, though no source changed', async () => {
    // tsc's incremental build info still says the file is written: the build must not trust it.
    await unlink(path.join(root, COMPILED));

    const report = await build();
    expect(report).toContain('portico: building dist/ (tsc): its outputs changed since it ran\n');
    expect(await compiled()).toContain("'hello again'");
  });

  it('generates again after the protobuf definitions changed', async () => {
    await write(
      'proto/portico/probe/v1/probe.proto',
      'syntax = "proto3";\n\npackage portico.probe.v1;\n\nmessage Probe {\n  string label = 1;\n}\n',
    );

    const report = await build();
    expect(report).toContain('portico: building the protobuf code: proto/portico/probe/v1/probe.proto changed\n');
    expect(report).toMatch(/portico: building dist\/ \(tsc\): libs\/proto-ts\/src\/gen\/\S+ changed/);
    expect(report).not.toContain('building the Prisma client');
    expect(await readFile(path.join(root, 'dist/libs/proto-ts/src/gen/portico/probe/v1/probe.js'), 'utf8')).toContain('label');
  });
});
