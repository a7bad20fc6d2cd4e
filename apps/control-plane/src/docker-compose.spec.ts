/**
 * docker-compose.yml and the control-plane Dockerfile, checked statically: no Docker engine runs
 * on the build machines, so these are what keep `docker compose up` honest.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[] };
  ports?: string[];
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const dockerfile = readFileSync(path.join(root, 'apps/control-plane/Dockerfile'), 'utf8');

/** A volume entry as `{ source, target, bind }` (short syntax `source:target[:mode]`). */
function mount(volume: NonNullable<Service['volumes']>[number]) {
  if (typeof volume !== 'string') {
    return { source: volume.source, target: volume.target, bind: volume.type === 'bind' };
  }
  const [source, target] = volume.split(':');
  return { source, target, bind: /^[./~]/.test(source ?? '') };
}

/** Dockerfile instructions as [keyword, rest], continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => [line.split(/\s+/)[0]!.toUpperCase(), line.slice(line.split(/\s+/)[0]!.length).trim()] as const);

describe('docker-compose.yml', () => {
  it('runs Postgres, Redis, the control plane, a gateway and a sample MCP server', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['control-plane', 'gateway', 'mcp-server', 'postgres', 'redis']);
  });

  it('runs the gateway from the control-plane image in gateway mode, without the control plane secrets', () => {
    const gateway = compose.services.gateway!;
    expect(gateway.image).toBe(compose.services['control-plane']!.image);
    expect(gateway.command).toEqual(['node', 'scripts/start.mjs']);
    expect(gateway.environment?.PORTICO_CONTROL_PLANE_URL).toBe('http://control-plane:8080');
    expect(gateway.depends_on).toEqual({
      'control-plane': { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(gateway.environment?.PORTICO_REDIS_URL).toBe('redis://redis:6379');
    // The control plane's volume holds its secret.key: no other service mounts it.
    expect((gateway.volumes ?? []).map((v) => mount(v).source)).toEqual(['gateway-data']);
    expect(dockerfile).toContain('COPY scripts/start.mjs ./scripts/start.mjs');
  });

  it('gives every service a health check', () => {
    const without = services.filter(([, s]) => !s.healthcheck?.test || s.healthcheck.test.length === 0).map(([n]) => n);
    expect(without).toEqual([]);
  });

  it('starts a service only once what it depends on is healthy', () => {
    const problems = services.flatMap(([name, s]) => {
      if (Array.isArray(s.depends_on)) return [`${name}: depends_on without conditions`];
      return Object.entries(s.depends_on ?? {}).flatMap(([dep, { condition }]) => [
        ...(condition === 'service_healthy' ? [] : [`${name} -> ${dep}: condition ${condition}`]),
        ...(compose.services[dep]?.healthcheck ? [] : [`${name} -> ${dep}: no health check to wait for`]),
      ]);
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
    expect((cp.volumes ?? []).map(mount)).toContainEqual({ source: 'portico-data', target: '/data', bind: false });
  });

  it('builds the control plane from its Dockerfile instead of installing into the checkout', () => {
    const cp = compose.services['control-plane']!;
    expect(cp.build).toEqual({ context: '.', dockerfile: 'apps/control-plane/Dockerfile' });
    expect(JSON.stringify(cp.command ?? '')).not.toMatch(/npm (ci|install)/);
    expect(cp.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(cp.ports).toContain('8080:8080');
  });
});

describe('apps/control-plane/Dockerfile', () => {
  const stages = instructions.reduce<(typeof instructions)[]>(
    (acc, instruction) => (instruction[0] === 'FROM' ? [...acc, [instruction]] : (acc.at(-1)!.push(instruction), acc)),
    [],
  );
  const runtime = stages.at(-1)!;

  it('is multi-stage: the runtime stage takes only the build output from the build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.filter(([k, rest]) => k === 'COPY' && rest.startsWith('--from='))).toEqual([
      ['COPY', '--from=build /src/dist ./dist'],
    ]);
  });

  it('installs from the lockfile inside the image, production dependencies only at runtime', () => {
    expect(stages[0]!.some(([k, rest]) => k === 'RUN' && /\bnpm ci\b/.test(rest))).toBe(true);
    expect(runtime.some(([k, rest]) => k === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(rest))).toBe(true);
  });

  it('builds and runs on Node 24 LTS (Node 20 is past its end of life)', () => {
    expect(stages.map((stage) => stage[0]![1].split(/\s+/)[0])).toEqual(stages.map(() => 'node:24-bookworm-slim'));
  });

  it('runs as a non-root user', () => {
    const users = runtime.filter(([k]) => k === 'USER').map(([, user]) => user);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies only paths that exist in the repository, and starts the built control plane', () => {
    const sources = instructions
      .filter(([k, rest]) => k === 'COPY' && !rest.startsWith('--from='))
      .flatMap(([, rest]) => rest.split(/\s+/).slice(0, -1));
    expect(sources.filter((source) => !existsSync(path.join(root, source)))).toEqual([]);
    expect(runtime.at(-1)).toEqual(['CMD', '["node", "dist/apps/control-plane/src/main.js"]']);
  });
});
