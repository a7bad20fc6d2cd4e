/**
 * deploy/kubernetes, checked without a cluster. The bases' files are read as they are, and each
 * overlay is rendered by `kubectl kustomize` (a real process; skipped, and said so, where kubectl is
 * not installed). Every object must be a Kubernetes kind and validate against its schema
 * (kubernetes-models); an unknown kind fails. The schemas ignore fields they do not know, so what
 * the deployment relies on (Secrets, probes, the migration Job, drain timing, pod security) is
 * asserted by name. The variables set must be ones the README documents.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as models from 'kubernetes-models';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, INamespace, IPodSpec, IService } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { documentedVariables } from '../test/support/readme-variables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const KUBERNETES = path.join(root, 'deploy/kubernetes');
const NAMESPACE = 'portico';
/** Beyond preStop and the drain, what a stopping gateway needs: 1 s of stop grace, then flushing access events. */
const GATEWAY_STOP_MARGIN_MS = 5_000;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

const isModel = (value: unknown): value is ModelClass => typeof value === 'function' && 'kind' in value && 'apiVersion' in value;
/** The classes in a module of kubernetes-models: `v1` (the core group) holds them, `apps` holds `v1`, `v1beta1`... */
const modelsIn = (module: object): ModelClass[] =>
  Object.values(module).flatMap((value) =>
    isModel(value) ? [value] : typeof value === 'object' && value !== null ? modelsIn(value) : [],
  );
/** Every kubernetes-models class, by `apiVersion/kind`. */
const MODELS = new Map(modelsIn(models).map((model) => [`${model.apiVersion}/${model.kind}`, model]));

const DOCUMENTED = documentedVariables();

function yamlDocuments(text: string, origin: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length) throw new Error(`${origin}: ${document.errors[0]!.message}`);
    const value = document.toJS() as K8sObject | null;
    return value === null ? [] : [value];
  });
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { name: string; literals?: string[] }[];
}

const readKustomization = (dir: string) =>
  yamlDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'), dir)[0] as Kustomization;

/** What the checks look at: objects, and the ConfigMaps (with their keys) they may reference. */
interface Source {
  name: string;
  objects: K8sObject[];
  configMaps: { name: string; keys: string[] }[];
  /** Why the source could not be read or rendered. */
  error?: string;
}

/** The bases as written: their listed resource files, and the ConfigMaps their generators make. */
function baseSource(): Source {
  const dirs = readdirSync(path.join(KUBERNETES, 'base')).map((name) => path.join(KUBERNETES, 'base', name));
  const kustomizations = dirs.map(readKustomization);
  return {
    name: 'base',
    objects: dirs.flatMap((dir, i) =>
      (kustomizations[i]!.resources ?? []).flatMap((file) =>
        yamlDocuments(readFileSync(path.join(dir, file), 'utf8'), path.join(dir, file)),
      ),
    ),
    configMaps: kustomizations.flatMap((k) =>
      (k.configMapGenerator ?? []).map((g) => ({ name: g.name, keys: (g.literals ?? []).map((l) => l.split('=')[0]!) })),
    ),
  };
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const OVERLAYS = readdirSync(path.join(KUBERNETES, 'overlays')).sort();

/** An overlay as `kubectl kustomize` renders it. */
function overlaySource(name: string): Source {
  const rendered = spawnSync('kubectl', ['kustomize', path.join(KUBERNETES, 'overlays', name)], { encoding: 'utf8' });
  if (rendered.status !== 0) return { name, objects: [], configMaps: [], error: rendered.stderr || String(rendered.error) };
  const objects = yamlDocuments(rendered.stdout, `overlay ${name}`);
  const configMaps = (objects.filter((o) => o.kind === 'ConfigMap') as IConfigMap[]).map((c) => ({
    name: c.metadata!.name!,
    keys: Object.keys(c.data ?? {}),
  }));
  return { name, objects, configMaps };
}

const sources: Source[] = [baseSource(), ...(kubectl ? OVERLAYS.map(overlaySource) : [])];
const overlays = sources.filter((s) => s.name !== 'base');

const ofKind = <T>(source: Source, kind: string) => source.objects.filter((o) => o.kind === kind) as T[];
const named = <T extends { metadata?: { name?: string } }>(objects: T[], name: string) => {
  const found = objects.find((o) => o.metadata?.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};
const deployment = (source: Source, name: string) => named(ofKind<IDeployment>(source, 'Deployment'), name);
const podSpec = (d: { spec?: { template: { spec?: IPodSpec } } }) => d.spec!.template.spec!;
const container = (spec: IPodSpec) => spec.containers[0]!;
const envOf = (c: IContainer, name: string) => c.env?.find((e) => e.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);

/** Every pod template of a source (Deployments and Jobs): its owner's name, spec and labels. */
const podSpecs = (source: Source) =>
  [...ofKind<IDeployment>(source, 'Deployment'), ...ofKind<IJob>(source, 'Job')].map((o) => ({
    owner: `${o.kind}/${o.metadata!.name}`,
    spec: podSpec(o),
    labels: o.spec?.template.metadata?.labels,
  }));

describe('deploy/kubernetes', () => {
  it('lists every manifest beside each kustomization, and only files that exist', () => {
    const dirs = ['base', 'overlays'].flatMap((d) =>
      readdirSync(path.join(KUBERNETES, d)).map((n) => path.join(KUBERNETES, d, n)),
    );
    for (const dir of dirs) {
      const listed = (readKustomization(dir).resources ?? []).filter((r) => r.endsWith('.yaml'));
      const present = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      expect({ dir, listed: listed.sort() }).toEqual({ dir, listed: present.sort() });
    }
  });

  it('validates a broken object as invalid (the schema check can fail)', () => {
    const broken = structuredClone(deployment(sources[0]!, 'portico-gateway'));
    (podSpec(broken).containers[0] as unknown as { ports: unknown[] }).ports = [{ containerPort: 'eighty' }];
    expect(() => new (MODELS.get('apps/v1/Deployment')!)(broken).validate()).toThrow(/containerPort must be integer/);
  });

  if (kubectl) {
    it(`renders every overlay with kubectl kustomize (${OVERLAYS.join(', ')})`, () => {
      expect(overlays.map((s) => ({ overlay: s.name, error: s.error }))).toEqual(
        OVERLAYS.map((overlay) => ({ overlay, error: undefined })),
      );
    });
  } else {
    it.todo(`render the overlays (${OVERLAYS.join(', ')}): kubectl is not installed here`);
  }
});

describe.each(sources)('$name', (source) => {
  const controlPlane = () => deployment(source, 'portico-control-plane');
  const gateway = () => deployment(source, 'portico-gateway');

  it('has only objects of Kubernetes kinds that validate against their schemas', () => {
    expect(source.objects.length).toBeGreaterThan(0);
    const problems = source.objects.flatMap((object) => {
      const model = MODELS.get(`${object.apiVersion}/${object.kind}`);
      if (!model) return [`${object.apiVersion}/${object.kind} ${object.metadata?.name}: unknown kind`];
      try {
        new model(object).validate();
        return [];
      } catch (err) {
        return [`${object.kind} ${object.metadata?.name}: ${(err as Error).message}`];
      }
    });
    expect(problems).toEqual([]);
  });

  it('commits no Secret: the database URL, the keys and the registration are created apart', () => {
    expect(ofKind(source, 'Secret')).toEqual([]);
  });

  it('control plane: DATABASE_URL, PORTICO_SECRET_KEY and PORTICO_ADMIN_PASSWORD come from Secrets', () => {
    const c = container(podSpec(controlPlane()));
    for (const [name, secret, key] of [
      ['DATABASE_URL', 'portico-database', 'url'],
      ['PORTICO_SECRET_KEY', 'portico-control-plane-keys', 'secret-key'],
      ['PORTICO_ADMIN_PASSWORD', 'portico-control-plane-keys', 'admin-password'],
    ] as const) {
      expect({ name, ...envOf(c, name) }).toEqual({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    }
  });

  it('control plane: ready on /readyz, alive on /healthz, both on the REST port', () => {
    const c = container(podSpec(controlPlane()));
    const http = c.ports?.find((p) => p.name === 'http');
    expect(http?.containerPort).toBe(8080);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('control plane: one Service for REST (8080) and gateway sync (8443), selecting its pods only', () => {
    const service = named(ofKind<IService>(source, 'Service'), 'portico-control-plane');
    const c = container(podSpec(controlPlane()));
    const ports = (service.spec?.ports ?? []).map((p) => ({
      port: p.port,
      container: c.ports?.find((cp) => cp.name === p.targetPort)?.containerPort,
    }));
    expect(ports).toEqual([
      { port: 8080, container: 8080 },
      { port: 8443, container: 8443 },
    ]);
    const selected = podSpecs(source).filter((p) => matches(service.spec?.selector, p.labels));
    expect(selected.map((p) => p.owner)).toEqual(['Deployment/portico-control-plane']);
  });

  it('migrations: a Job runs db-migrate once, with the Deployment image and only the database URL', () => {
    const job = named(ofKind<IJob>(source, 'Job'), 'portico-migrate');
    const spec = podSpec(job);
    const c = container(spec);
    expect(c.command).toEqual(['node', 'dist/apps/control-plane/src/db-migrate.js']);
    expect(existsSync(path.join(root, 'apps/control-plane/src/db-migrate.ts'))).toBe(true);
    expect(c.image).toBe(container(podSpec(controlPlane())).image);
    expect(c.env).toEqual([envOf(container(podSpec(controlPlane())), 'DATABASE_URL')]);
    expect(spec.restartPolicy).toBe('OnFailure');
    expect(job.spec?.completions ?? 1).toBe(1);
    expect(job.spec?.parallelism ?? 1).toBe(1);
    // ... and the replicas leave them to it.
    expect(envOf(container(podSpec(controlPlane())), 'PORTICO_MIGRATE_ON_START')?.value).toBe('false');
  });

  it('gateway: the registration Secret is mounted read-only into a writable state directory', () => {
    const spec = podSpec(gateway());
    const c = container(spec);
    const dir = envOf(c, 'PORTICO_GATEWAY_DIR')?.value;
    const volume = (name: string | undefined) => spec.volumes?.find((v) => v.name === name);
    const stateMount = c.volumeMounts?.find((m) => m.mountPath === dir);
    expect(stateMount?.readOnly).toBeFalsy();
    expect(volume(stateMount?.name)?.emptyDir).toBeDefined();
    const registration = c.volumeMounts?.find((m) => m.mountPath === `${dir}/registration.yaml`);
    expect(registration).toMatchObject({ readOnly: true, subPath: 'registration.yaml' });
    expect(volume(registration?.name)?.secret).toEqual({
      secretName: 'portico-gateway-registration',
      defaultMode: 0o400,
      items: [{ key: 'registration.yaml', path: 'registration.yaml' }],
    });
  });

  it('gateway: probes on the admin listener, which listens on the pod address', () => {
    const c = container(podSpec(gateway()));
    expect(envOf(c, 'PORTICO_GATEWAY_ADMIN_HOST')?.value).toBe('0.0.0.0');
    const admin = c.ports?.find((p) => p.name === 'admin');
    expect(String(admin?.containerPort)).toBe(envOf(c, 'PORTICO_GATEWAY_ADMIN_PORT')?.value);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
  });

  it('gateway: drains within the grace period, after preStop has taken it out of the endpoints', () => {
    const spec = podSpec(gateway());
    const c = container(spec);
    const preStopMs = (c.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    const drainMs = Number(envOf(c, 'PORTICO_GATEWAY_DRAIN_MS')?.value);
    expect(preStopMs).toBeGreaterThanOrEqual(5_000);
    expect(drainMs).toBeGreaterThan(0);
    expect(spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(preStopMs + drainMs + GATEWAY_STOP_MARGIN_MS);
  });

  it('gateway: a HorizontalPodAutoscaler owns the replica count', () => {
    const hpa = named(ofKind<IHorizontalPodAutoscaler>(source, 'HorizontalPodAutoscaler'), 'portico-gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'portico-gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas!);
    expect(gateway().spec?.replicas).toBeUndefined();
    // Utilization is a share of the request: without one the autoscaler has nothing to go on.
    expect(container(podSpec(gateway())).resources?.requests?.cpu).toBeDefined();
  });

  it('gives every Deployment a PodDisruptionBudget selecting its pods', () => {
    const budgets = ofKind<IPodDisruptionBudget>(source, 'PodDisruptionBudget');
    const uncovered = ofKind<IDeployment>(source, 'Deployment')
      .filter((d) => !budgets.some((b) => matches(b.spec?.selector?.matchLabels, d.spec?.template.metadata?.labels)))
      .map((d) => d.metadata!.name);
    expect(uncovered).toEqual([]);
    expect(budgets.every((b) => b.spec?.maxUnavailable === 1)).toBe(true);
  });

  it('runs every pod under the restricted pod security profile, with a read-only root filesystem', () => {
    const problems = podSpecs(source).flatMap(({ owner, spec }) => {
      const checks: [string, boolean][] = [
        ['runAsNonRoot', spec.securityContext?.runAsNonRoot === true && (spec.securityContext.runAsUser ?? 1) > 0],
        ['seccomp RuntimeDefault', spec.securityContext?.seccompProfile?.type === 'RuntimeDefault'],
        ['no service account token', spec.automountServiceAccountToken === false],
        ...spec.containers.flatMap((c): [string, boolean][] => [
          [`${c.name}: no privilege escalation`, c.securityContext?.allowPrivilegeEscalation === false],
          [`${c.name}: drops ALL capabilities`, JSON.stringify(c.securityContext?.capabilities) === '{"drop":["ALL"]}'],
          [`${c.name}: read-only root filesystem`, c.securityContext?.readOnlyRootFilesystem === true],
          [`${c.name}: a writable /tmp`, (c.volumeMounts ?? []).some((m) => m.mountPath === '/tmp')],
          [`${c.name}: a memory limit`, c.resources?.limits?.memory !== undefined],
        ]),
      ];
      return checks.filter(([, ok]) => !ok).map(([check]) => `${owner}: ${check}`);
    });
    expect(problems).toEqual([]);
  });

  it('references only ConfigMaps it has, and sets only variables the README documents', () => {
    const containers = podSpecs(source).flatMap(({ spec }) => spec.containers);
    const refs = containers.flatMap((c) => (c.envFrom ?? []).map((e) => e.configMapRef?.name));
    const known = source.configMaps.map((c) => c.name);
    expect(refs.filter((ref) => !known.includes(ref!))).toEqual([]);
    const names = [...containers.flatMap((c) => (c.env ?? []).map((e) => e.name)), ...source.configMaps.flatMap((c) => c.keys)];
    expect(names.filter((name) => !DOCUMENTED.has(name))).toEqual([]);
  });

  if (source.name === 'base' || source.name === 'production') {
    it('runs at least 2 control-plane replicas, and at least 2 gateways', () => {
      expect(controlPlane().spec?.replicas).toBeGreaterThanOrEqual(2);
      const hpa = named(ofKind<IHorizontalPodAutoscaler>(source, 'HorizontalPodAutoscaler'), 'portico-gateway');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    });
  }

  if (source.name !== 'base') {
    it(`puts everything in the namespace ${NAMESPACE}, which enforces restricted pod security`, () => {
      const namespace = named(ofKind<INamespace>(source, 'Namespace'), NAMESPACE);
      expect(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const elsewhere = source.objects.filter((o) => o.kind !== 'Namespace' && o.metadata?.namespace !== NAMESPACE);
      expect(elsewhere.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([]);
    });
  }
});
