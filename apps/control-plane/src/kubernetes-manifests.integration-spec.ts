/**
 * deploy/kubernetes, checked without a cluster. The bases' files are read as they are, and each
 * overlay is rendered by `kubectl kustomize` (a real process; skipped, and said so, where kubectl is
 * not installed). Every object must be a Kubernetes kind and validate against its schema
 * (kubernetes-models); an unknown kind fails. The schemas ignore fields they do not know, so what
 * the deployment relies on (Secrets, probes, the migration Job, drain timing, pod security) is
 * asserted by name. The variables set must be ones the README documents. The NetworkPolicies are
 * judged by what they admit: a small evaluator of their rules answers whether a given peer reaches
 * a given port of a pod, for the peers that matter (anywhere outside, this namespace, another one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as models from 'kubernetes-models';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, IContainerPort, INamespace, IPodSpec, IService } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { dockerfileStages, envOf as dockerfileEnv } from '../test/support/dockerfile.js';
import { documentedVariables } from '../test/support/readme-variables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const KUBERNETES = path.join(root, 'deploy/kubernetes');
const NAMESPACE = 'portico';
/** An address outside the cluster (TEST-NET-3). */
const OUTSIDE = '203.0.113.7';
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

/** The gateway image's ENV settings. */
const gatewayImageEnv = dockerfileEnv(dockerfileStages('apps/gateway/Dockerfile').at(-1)!);

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

/** What the checks look at: objects, and the ConfigMaps (with their data) they may reference. */
interface Source {
  name: string;
  objects: K8sObject[];
  configMaps: { name: string; data: Record<string, string> }[];
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
      (k.configMapGenerator ?? []).map((g) => ({
        name: g.name,
        data: Object.fromEntries((g.literals ?? []).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
      })),
    ),
  };
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const OVERLAYS = readdirSync(path.join(KUBERNETES, 'overlays')).sort();

const kustomize = (dir: string) => spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });

/** An overlay as `kubectl kustomize` renders it. */
function overlaySource(name: string): Source {
  const rendered = kustomize(path.join(KUBERNETES, 'overlays', name));
  if (rendered.status !== 0) return { name, objects: [], configMaps: [], error: rendered.stderr || String(rendered.error) };
  const objects = yamlDocuments(rendered.stdout, `overlay ${name}`);
  const configMaps = (objects.filter((o) => o.kind === 'ConfigMap') as IConfigMap[]).map((c) => ({
    name: c.metadata!.name!,
    data: c.data ?? {},
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

/** The settings a source gives a ConfigMap (overlays' merges applied). */
const configValues = (source: Source, name: string) =>
  source.configMaps
    .filter((c) => c.name === name || c.name.startsWith(`${name}-`))
    .reduce<Record<string, string>>((all, c) => ({ ...all, ...c.data }), {});

type LabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];
/** Who connects: an address outside the cluster, or a pod of this namespace or of another one. */
type Peer = { ip: string } | { namespace: 'this' | 'other'; labels: Record<string, string> };

/** matchLabels only: a selector with expressions is not judged here (it throws, naming them). */
function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions: not evaluated by this test; use matchLabels');
  return matches(selector?.matchLabels, labels);
}

function inBlock(block: { cidr: string; except?: string[] }, ip: string): boolean {
  const list = (cidrs: string[]) => {
    const blocks = new BlockList();
    for (const cidr of cidrs) {
      const [address, prefix] = cidr.split('/');
      blocks.addSubnet(address!, Number(prefix), isIPv6(address!) ? 'ipv6' : 'ipv4');
    }
    return blocks;
  };
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
  return list([block.cidr]).check(ip, family) && !list(block.except ?? []).check(ip, family);
}

/**
 * Whether the NetworkPolicies of a source let `peer` connect to TCP `port` of a pod with `labels`
 * and container `ports` (named ports resolve against them), as the NetworkPolicy API defines it: a
 * pod no Ingress policy selects admits everything; otherwise some rule of a policy selecting it
 * must match both the port and the peer. Pods are never matched by ipBlock (the API leaves that to
 * the network plugin).
 */
function admits(
  policies: INetworkPolicy[],
  pod: { labels: Record<string, string>; ports: IContainerPort[] },
  port: number,
  peer: Peer,
): boolean {
  const namespaceLabels = (namespace: 'this' | 'other') => ({
    'kubernetes.io/metadata.name': namespace === 'this' ? NAMESPACE : 'elsewhere',
  });
  const applying = policies.filter(
    (p) => selects(p.spec!.podSelector, pod.labels) && (p.spec!.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    (policy.spec!.ingress ?? []).some((rule) => {
      const portMatches =
        !rule.ports?.length ||
        rule.ports.some(
          (p) =>
            (p.protocol ?? 'TCP') === 'TCP' &&
            (p.port === undefined ||
              (typeof p.port === 'number'
                ? port >= p.port && port <= (p.endPort ?? p.port)
                : pod.ports.some((c) => c.name === p.port && c.containerPort === port))),
        );
      const peerMatches =
        !rule.from?.length ||
        rule.from.some((from) =>
          'ip' in peer
            ? from.ipBlock !== undefined && inBlock(from.ipBlock, peer.ip)
            : from.ipBlock === undefined &&
              (from.namespaceSelector
                ? selects(from.namespaceSelector, namespaceLabels(peer.namespace))
                : peer.namespace === 'this') &&
              (from.podSelector ? selects(from.podSelector, peer.labels) : true),
        );
      return portMatches && peerMatches;
    }),
  );
}

describe('deploy/kubernetes', () => {
  it('lists every manifest beside each kustomization, and only files that exist', () => {
    const dirs = ['base', 'components', 'overlays'].flatMap((d) =>
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

  it('judges a NetworkPolicy that opens the admin port to all as open (the policy check can fail)', () => {
    const policy = structuredClone(named(ofKind<INetworkPolicy>(sources[0]!, 'NetworkPolicy'), 'portico-gateway'));
    const pod = { labels: { 'app.kubernetes.io/name': 'portico-gateway' }, ports: [{ name: 'admin', containerPort: 8090 }] };
    expect(admits([policy], pod, 8090, { ip: OUTSIDE })).toBe(false);
    for (const rule of policy.spec!.ingress!) delete rule.from;
    expect(admits([policy], pod, 8090, { ip: OUTSIDE })).toBe(true);
  });

  if (kubectl) {
    it(`renders every overlay with kubectl kustomize (${OVERLAYS.join(', ')})`, () => {
      expect(overlays.map((s) => ({ overlay: s.name, error: s.error }))).toEqual(
        OVERLAYS.map((overlay) => ({ overlay, error: undefined })),
      );
    });

    it('refuses to render an overlay that does not set PORTICO_PUBLIC_URL, and takes the Ingress host from it', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'portico-overlay-'));
      try {
        const relative = (p: string) => path.relative(dir, path.join(KUBERNETES, p));
        const overlay = (literals: string[]) =>
          writeFileSync(
            path.join(dir, 'kustomization.yaml'),
            [
              `resources: [${relative('base/control-plane')}]`,
              `components: [${relative('components/public-url')}]`,
              'configMapGenerator:',
              '  - name: portico-control-plane',
              '    behavior: merge',
              `    literals: [${literals.join(', ')}]`,
            ].join('\n'),
          );
        overlay(['PORTICO_LOG_LEVEL=debug']);
        const unset = kustomize(dir);
        expect({ status: unset.status, names: /data\.PORTICO_PUBLIC_URL/.test(unset.stderr) }).toEqual({
          status: 1,
          names: true,
        });
        overlay(['PORTICO_PUBLIC_URL=https://api.corp.test']);
        const set = kustomize(dir);
        expect(set.stderr).toBe('');
        const ingress = yamlDocuments(set.stdout, 'overlay').find((o) => o.kind === 'Ingress') as IIngress;
        expect([ingress.spec?.rules?.[0]?.host, ...(ingress.spec?.tls?.[0]?.hosts ?? [])]).toEqual([
          'api.corp.test',
          'api.corp.test',
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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

  it('gateway: reads the registration Secret, mounted whole and read-only where the image looks, and writes to an emptyDir', () => {
    const spec = podSpec(gateway());
    const c = container(spec);
    const volume = (name: string | undefined) => spec.volumes?.find((v) => v.name === name);
    // The image's command (a --dir would override PORTICO_GATEWAY_DIR) and the image's directory.
    expect({ command: c.command, args: c.args }).toEqual({ command: undefined, args: undefined });
    expect(envOf(c, 'PORTICO_GATEWAY_DIR')).toBeUndefined();
    const registrationDir = gatewayImageEnv.PORTICO_GATEWAY_DIR;
    expect(registrationDir).toBe('/registration');
    const registration = c.volumeMounts?.find((m) => m.mountPath === registrationDir);
    // No subPath (a subPath mount never sees the Secret change) and no items: the whole Secret.
    expect(registration).toEqual({ name: registration?.name, mountPath: registrationDir, readOnly: true });
    expect(volume(registration?.name)?.secret).toEqual({ secretName: 'portico-gateway-registration', defaultMode: 0o400 });
    // The state directory is set here, and is the image's: an emptyDir the gateway may write.
    const stateDir = envOf(c, 'PORTICO_GATEWAY_STATE_DIR')?.value;
    expect(stateDir).toBe(gatewayImageEnv.PORTICO_GATEWAY_STATE_DIR);
    expect(stateDir).not.toBe(registrationDir);
    const state = c.volumeMounts?.find((m) => m.mountPath === stateDir);
    expect(state?.readOnly).toBeFalsy();
    expect(volume(state?.name)?.emptyDir).toBeDefined();
    expect((c.volumeMounts ?? []).filter((m) => m.subPath !== undefined || m.subPathExpr !== undefined)).toEqual([]);
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

  it('control plane: gateways dial the sync port by its in-cluster Service name', () => {
    const settings = configValues(source, 'portico-control-plane');
    const [host, port] = settings.PORTICO_SYNC_PUBLIC_ADDRESS!.split(':');
    expect({ host, port }).toEqual({ host: 'portico-control-plane', port: '8443' });
    expect(named(ofKind<IService>(source, 'Service'), host!).spec?.ports?.map((p) => p.port)).toContain(8443);
    expect(settings.PORTICO_SYNC_TLS_HOSTNAMES!.split(',')).toContain(host);
  });

  it('control plane: an Ingress sends one host to the REST port, with TLS, and nothing to the sync port', () => {
    const ingress = named(ofKind<IIngress>(source, 'Ingress'), 'portico-control-plane');
    const rules = ingress.spec?.rules ?? [];
    expect(rules).toHaveLength(1);
    const backends = (rules[0]!.http?.paths ?? []).map((p) => ({ path: p.path, pathType: p.pathType, ...p.backend.service }));
    expect(backends).toEqual([{ path: '/', pathType: 'Prefix', name: 'portico-control-plane', port: { name: 'http' } }]);
    const service = named(ofKind<IService>(source, 'Service'), 'portico-control-plane');
    expect(service.spec?.ports?.find((p) => p.name === 'http')?.port).toBe(8080);
    expect(ingress.spec?.tls).toEqual([{ hosts: [rules[0]!.host], secretName: 'portico-control-plane-tls' }]);
  });

  if (source.name === 'base') {
    it('control plane: leaves PORTICO_PUBLIC_URL to the overlays (what browsers reach is theirs to say)', () => {
      expect(configValues(source, 'portico-control-plane')).not.toHaveProperty('PORTICO_PUBLIC_URL');
    });
  } else {
    it('control plane: PORTICO_PUBLIC_URL is an https URL outside the cluster, the host of the Ingress', () => {
      const url = new URL(configValues(source, 'portico-control-plane').PORTICO_PUBLIC_URL ?? 'unset:');
      // The Ingress sends every path of its host to the API as it is: no port, no path prefix.
      expect({ protocol: url.protocol, port: url.port, pathname: url.pathname }).toEqual({
        protocol: 'https:',
        port: '',
        pathname: '/',
      });
      const services = ofKind<IService>(source, 'Service').map((s) => s.metadata!.name);
      expect(services).not.toContain(url.hostname.split('.')[0]);
      expect(url.hostname).not.toMatch(/\.(svc|cluster\.local|local)$/);
      const ingress = named(ofKind<IIngress>(source, 'Ingress'), 'portico-control-plane');
      expect([ingress.spec?.rules?.[0]?.host, ...(ingress.spec?.tls?.[0]?.hosts ?? [])]).toEqual([url.hostname, url.hostname]);
    });
  }

  describe('NetworkPolicies', () => {
    const policies = () => ofKind<INetworkPolicy>(source, 'NetworkPolicy');
    /** The pods of a Deployment: their labels and container ports. */
    const pods = (name: string) => {
      const d = deployment(source, name);
      return { labels: d.spec!.template.metadata!.labels!, ports: container(podSpec(d)).ports ?? [] };
    };
    const portNamed = (name: string, portName: string) => pods(name).ports.find((p) => p.name === portName)!.containerPort;
    const gatewayPod = { namespace: 'this', labels: pods('portico-gateway').labels } as const;
    const otherPod = { namespace: 'this', labels: { 'app.kubernetes.io/name': 'something-else' } } as const;
    /** Whether `port` of the Deployment's pods admits: outside, a pod of another namespace, a pod of this one, a gateway of this one. */
    const fromEverywhere = (name: string, port: number) =>
      ([{ ip: OUTSIDE }, { ...otherPod, namespace: 'other' }, otherPod, gatewayPod] as Peer[]).map((peer) =>
        admits(policies(), pods(name), port, peer),
      );
    const OPEN = [true, true, true, true];

    it('gateway: its API ports are open to anyone, its admin port to this namespace only, nothing else', () => {
      const admin = portNamed('portico-gateway', 'admin');
      expect(String(admin)).toBe(envOf(container(podSpec(gateway())), 'PORTICO_GATEWAY_ADMIN_PORT')?.value);
      const api = pods('portico-gateway').ports.filter((p) => p.name !== 'admin');
      expect(api.length).toBeGreaterThan(0);
      for (const { containerPort } of api) expect(fromEverywhere('portico-gateway', containerPort)).toEqual(OPEN);
      expect(fromEverywhere('portico-gateway', admin)).toEqual([false, false, true, true]);
      expect(fromEverywhere('portico-gateway', 9229)).toEqual([false, false, false, false]);
    });

    it('control plane: REST is open to anyone, gateway sync to gateway pods of any namespace only', () => {
      expect(fromEverywhere('portico-control-plane', portNamed('portico-control-plane', 'http'))).toEqual(OPEN);
      const sync = portNamed('portico-control-plane', 'sync');
      expect(fromEverywhere('portico-control-plane', sync)).toEqual([false, false, false, true]);
      expect(admits(policies(), pods('portico-control-plane'), sync, { ...gatewayPod, namespace: 'other' })).toBe(true);
    });
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
    const names = [
      ...containers.flatMap((c) => (c.env ?? []).map((e) => e.name)),
      ...source.configMaps.flatMap((c) => Object.keys(c.data)),
    ];
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
