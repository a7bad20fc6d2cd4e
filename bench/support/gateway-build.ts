/**
 * The gateway compiled as production runs it (tsc to JavaScript, not tsx: esbuild's keepNames
 * wraps every closure in a `__name()` call, which distorts per-request costs), for the benches
 * that run its data plane without a control plane (data-plane-quick.ts, federation.ts).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchProcess, REPO_ROOT, startProcess, tempDir } from './processes.js';

/**
 * Compiles the gateway of the repository copy at `root` (apps/gateway/src, every lib's src except the
 * test helpers) together with that copy's bench/servers/, into a temporary directory laid out like the
 * repository (package.json imports, node_modules link), and returns that directory.
 */
export async function buildGateway(name: string, root: string): Promise<string> {
  const dir = await tempDir(`build-${name}`);
  await cp(path.join(root, 'apps/gateway/src'), path.join(dir, 'apps/gateway/src'), { recursive: true });
  for (const lib of await readdir(path.join(root, 'libs'))) {
    if (lib === 'testing') continue;
    await cp(path.join(root, 'libs', lib, 'src'), path.join(dir, 'libs', lib, 'src'), { recursive: true });
  }
  await mkdir(path.join(dir, 'bench'));
  // The copy's own servers: they call its gateway code as it was.
  await cp(path.join(root, 'bench/servers'), path.join(dir, 'bench/servers'), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), await readFile(path.join(REPO_ROOT, 'package.json')));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: path.join(REPO_ROOT, 'tsconfig.base.json'),
      compilerOptions: { outDir: 'dist', rootDir: '.', sourceMap: false },
      include: ['apps/gateway/src/**/*.ts', 'libs/*/src/**/*.ts', 'bench/servers/*.ts'],
      // fault-proxies.ts (bench/faults.ts) runs under tsx with the test helpers, which are not copied.
      exclude: ['**/*.spec.ts', '**/*.integration-spec.ts', 'bench/servers/fault-proxies.ts'],
    }),
  );
  const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  // Type errors do not stop the emit; a tree that does not compile fails when its server starts.
  await promisify(execFile)(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')]).catch((err: { stdout?: string }) =>
    console.error(`tsc reported errors for ${name} (${root}):\n${err.stdout ?? ''}`),
  );
  return dir;
}

/**
 * Starts `script`, a compiled server of `buildDir`'s bench/servers, with `args`, and waits for its
 * `listening on port <n>`. With `cpuProfDir` it runs under `node --cpu-prof` (one directory per
 * process: node writes one profile per thread).
 */
export async function startCompiledServer(
  name: string,
  buildDir: string,
  script: string,
  args: string[],
  options: { cpuProfDir?: string; env?: Record<string, string> } = {},
): Promise<BenchProcess> {
  const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.cpuProfDir, name)] : [];
  const child = startProcess(name, process.execPath, [...prof, path.join(buildDir, 'dist/bench/servers', script), ...args], {
    env: options.env ?? {},
  });
  await child.waitForOutput(/listening on port \d+/);
  return child;
}
