/**
 * The plan: what `apply` must do to make an environment what a portico.yaml declares, as a list
 * of changes in the order they run. `diff` shows it, `apply` runs it. Every lookup by name
 * (targets, TLS contexts, policy templates) is made here, so a file naming something that does
 * not exist fails before anything is written.
 *
 * What is compared, and how deletions work:
 * - assets and client applications (organization-wide) are created and updated, never deleted:
 *   other environments may use them;
 * - instances are matched by label; an instance, policy, API key or contract the file does not
 *   name is kept, and deleted (a key or contract revoked) only with `--prune`;
 * - a declared instance's policies are matched by template, in order; the chain is then put in
 *   the declared order, policies kept without `--prune` after it;
 * - an instance without `deployment` is undeployed.
 */
import type { InstanceSpec, PolicySpec, PorticoFile, TlsContextName } from '../desired-state/model.js';
import {
  type CurrentInstance,
  type CurrentPolicy,
  type EnvironmentState,
  readOwnAsset,
  type Target,
} from '../environment-state/read-state.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { RestClient } from '../session/rest-client.js';
import { configurationChanges, sameJson, show, withDefaults } from './configuration-diff.js';

export interface PlanOptions {
  prune: boolean;
  rotateSecrets: boolean;
}

/** What running changes needs and leaves behind. */
export interface ApplyContext {
  client: RestClient;
  state: EnvironmentState;
  /** client applications by name, filled as they are created */
  applicationIds: Map<string, number>;
  /** ids of instances and policies created by earlier changes of the same run */
  created: Map<string, number>;
  /** API keys created: the key is answered once */
  apiKeys: { instance: string; name: string; key: string }[];
}

export interface Change {
  action: 'create' | 'update' | 'delete';
  /** what it changes, e.g. `instance demo policy 2 (rate-limiting)` */
  resource: string;
  /** one line per field: `upstream.uri: "http://a/" → "http://b/"` */
  details: string[];
  /** once a change of a group fails, the group's later changes are skipped */
  group: string;
  run(ctx: ApplyContext): Promise<unknown>;
}

export interface Plan {
  changes: Change[];
  /** what the file does not name and is kept (without --prune) */
  kept: string[];
}

type Resolved = { secretGroupId: string; tlsContextId: string };

export async function planChanges(
  file: PorticoFile,
  state: EnvironmentState,
  client: RestClient,
  options: PlanOptions,
): Promise<Plan> {
  const problems: string[] = [];
  const planner = new Planner(file, state, options, problems);
  const changes = [
    ...(await planner.assets(client)),
    ...planner.applications(),
    ...planner.prunedInstances(),
    ...file.instances.flatMap((spec) => planner.instance(spec)),
  ];
  if (problems.length) throw new CliError(EXIT.failed, problems.join('\n'));
  return { changes, kept: planner.kept };
}

class Planner {
  readonly kept: string[] = [];
  private readonly org: string;

  constructor(
    private readonly file: PorticoFile,
    private readonly state: EnvironmentState,
    private readonly options: PlanOptions,
    private readonly problems: string[],
  ) {
    this.org = state.organizationId;
  }

  async assets(client: RestClient): Promise<Change[]> {
    const { paths } = this.state;
    const changes: Change[] = [];
    for (const asset of this.file.assets) {
      const resource = `asset ${asset.assetId}@${asset.version}`;
      const current = await readOwnAsset(client, this.state, asset.assetId, asset.version);
      if (!current) {
        changes.push({
          action: 'create',
          resource,
          details: [`name: ${show(asset.name)}`],
          group: resource,
          run: async ({ client }) => {
            const form = new FormData();
            form.set('name', asset.name);
            form.set('type', 'mcp');
            if (asset.description) form.set('description', asset.description);
            form.set('properties.platform', 'portico');
            await client.post(paths.publish(this.org, asset.assetId, asset.version), form, { 'x-sync-publication': 'true' });
          },
        });
        continue;
      }
      const details = fieldChanges({ name: [asset.name, current.name], description: [asset.description, current.description] });
      if (details.length) {
        changes.push({
          action: 'update',
          resource,
          details,
          group: resource,
          run: ({ client }) =>
            client.patch(
              `/exchange/api/v1/organizations/${this.org}/assets/${this.org}/${asset.assetId}/${asset.version}/metadata`,
              { name: asset.name, description: asset.description ?? '' },
            ),
        });
      }
    }
    return changes;
  }

  applications(): Change[] {
    const { paths } = this.state;
    return this.file.clientApplications.flatMap((app): Change[] => {
      const resource = `client application ${app.name}`;
      const current = this.state.applications.find((a) => a.name === app.name);
      const body = { name: app.name, description: app.description ?? null, redirectUri: app.redirectUris ?? [] };
      if (!current) {
        return [
          {
            action: 'create',
            resource,
            details: [],
            group: resource,
            run: async (ctx) => {
              const created = await ctx.client.post<{ id: number }>(paths.applications, body);
              ctx.applicationIds.set(app.name, created.id);
            },
          },
        ];
      }
      const details = fieldChanges({
        description: [app.description, current.description],
        redirectUris: [app.redirectUris ?? [], current.redirectUri],
      });
      if (!details.length) return [];
      return [
        {
          action: 'update',
          resource,
          details,
          group: resource,
          run: ({ client }) => client.patch(`${paths.applications}/${current.id}`, body),
        },
      ];
    });
  }

  /** Instances the file does not name: deleted with --prune, else listed as kept. */
  prunedInstances(): Change[] {
    const labels = new Set(this.file.instances.map((i) => i.label));
    return this.state.instances
      .filter((api) => api.label === null || !labels.has(api.label))
      .flatMap((api) => {
        const resource = `instance ${api.label ?? `(no label, id ${api.id})`}`;
        return this.unnamed(resource, resource, [], ({ client }) => client.delete(this.state.paths.api(api.id)));
      });
  }

  /** What the file does not name: deleted (`run`) with --prune, else listed as kept. */
  private unnamed(resource: string, group: string, details: string[], run: Change['run']): Change[] {
    if (this.options.prune) return [{ action: 'delete', resource, details, group, run }];
    this.kept.push(resource);
    return [];
  }

  instance(spec: InstanceSpec): Change[] {
    const resource = `instance ${spec.label}`;
    const current = this.state.instances.find((api) => api.label === spec.label);
    const upstreamTls = this.tlsContext(spec.upstream.tlsContext, `${resource}: upstream.tlsContext`);
    const inboundTls = this.tlsContext(spec.inboundTlsContext, `${resource}: inboundTlsContext`);
    const target = spec.deployment && this.target(spec.deployment.target, `${resource}: deployment.target`);
    const policies = spec.policies.map((p, i) => this.template(p, `${resource}: policies[${i}]`));
    if (!current) return this.newInstance(spec, resource, target, upstreamTls, inboundTls);
    const id = current.id;
    return [
      ...this.instanceFields(spec, current, resource, upstreamTls, inboundTls),
      ...this.policyChain(spec, current, resource, policies),
      ...this.deployment(spec, current.deployment, () => id, resource, target),
      ...this.apiKeys(spec, current, resource),
      ...this.contracts(spec, current, resource),
    ];
  }

  /** A new instance: created with its upstream TLS, policies, deployment, keys and contracts, in that order. */
  private newInstance(
    spec: InstanceSpec,
    resource: string,
    target: Target | undefined,
    upstreamTls?: Resolved,
    inboundTls?: Resolved,
  ): Change[] {
    const { paths } = this.state;
    const key = `instance:${spec.label}`;
    const id = (ctx: ApplyContext) => ctx.created.get(key)!;
    const create: Change = {
      action: 'create',
      resource,
      details: [`asset: ${assetName(spec, this.org)}`, `upstream: ${spec.upstream.uri}`, `proxyUri: ${spec.proxyUri}`],
      group: resource,
      run: async (ctx) => {
        const created = await ctx.client.post<{ id: number }>(paths.apis, {
          technology: 'flexGateway',
          instanceLabel: spec.label,
          spec: { groupId: spec.asset.groupId ?? this.org, assetId: spec.asset.assetId, version: spec.asset.version },
          endpoint: {
            deploymentType: 'HY',
            type: 'mcp',
            isCloudHub: null,
            uri: spec.upstream.uri,
            proxyUri: spec.proxyUri,
            ...(inboundTls ? { tlsContexts: { inbound: inboundTls } } : {}),
          },
          endpointUri: spec.endpointUri ?? null,
          description: spec.description ?? null,
          tags: spec.tags ?? [],
        });
        ctx.created.set(key, created.id);
        if (upstreamTls) {
          const { upstreams } = await ctx.client.get<{ upstreams: { id: string }[] }>(paths.upstreams(created.id));
          await ctx.client.patch(`${paths.upstreams(created.id)}/${upstreams[0]!.id}`, { tlsContext: upstreamTls });
        }
      },
    };
    return [
      create,
      ...spec.policies.map((p, i) => this.createPolicy(spec, p, i, resource, id)),
      ...this.deployment(spec, null, id, resource, target),
      ...spec.apiKeys.map((k) => this.createKey(spec, k, resource, id)),
      ...spec.contracts.map((c) => this.createContract(spec, c.application, resource, id)),
    ];
  }

  private instanceFields(
    spec: InstanceSpec,
    current: CurrentInstance,
    resource: string,
    upstreamTls?: Resolved,
    inboundTls?: Resolved,
  ): Change[] {
    const { paths } = this.state;
    const changes: Change[] = [];
    const groupId = spec.asset.groupId ?? this.org;
    if (groupId !== current.asset.groupId || spec.asset.assetId !== current.asset.assetId) {
      this.problems.push(
        `${resource}: its asset is ${current.asset.assetId}; an instance cannot change asset (give it another label to replace it)`,
      );
    }
    const apiFields = fieldChanges({
      'asset.version': [spec.asset.version, current.asset.version],
      proxyUri: [spec.proxyUri, current.proxyUri],
      inboundTlsContext: [tlsText(spec.inboundTlsContext), tlsText(current.inboundTlsContext)],
      endpointUri: [spec.endpointUri, current.endpointUri],
      description: [spec.description, current.description],
      tags: [spec.tags ?? [], current.tags],
    });
    if (apiFields.length) {
      changes.push({
        action: 'update',
        resource,
        details: apiFields,
        group: resource,
        run: ({ client }) =>
          client.patch(paths.api(current.id), {
            assetVersion: spec.asset.version,
            endpoint: { proxyUri: spec.proxyUri, tlsContexts: { inbound: inboundTls ?? null } },
            endpointUri: spec.endpointUri ?? null,
            description: spec.description ?? null,
            tags: spec.tags ?? [],
          }),
      });
    }
    const upstream = current.upstream;
    const upstreamFields = fieldChanges({
      'upstream.uri': [spec.upstream.uri, upstream?.uri],
      'upstream.tlsContext': [tlsText(spec.upstream.tlsContext), tlsText(upstream?.tlsContext)],
    });
    if (upstreamFields.length && upstream) {
      changes.push({
        action: 'update',
        resource,
        details: upstreamFields,
        group: resource,
        run: ({ client }) =>
          client.patch(`${paths.upstreams(current.id)}/${upstream.id}`, {
            uri: spec.upstream.uri,
            tlsContext: upstreamTls ?? null,
          }),
      });
    }
    return changes;
  }

  /**
   * Policies matched by template in order; unmatched declared ones created, unmatched current
   * ones deleted (--prune) or kept; then one reorder when the chain would not be in the
   * declared order.
   */
  private policyChain(
    spec: InstanceSpec,
    current: CurrentInstance,
    resource: string,
    templates: (Template | undefined)[],
  ): Change[] {
    const { paths } = this.state;
    const unmatched = [...current.policies];
    const matches = spec.policies.map((p) => {
      const i = unmatched.findIndex((c) => c.assetId === p.policy && (p.groupId === undefined || c.groupId === p.groupId));
      return i < 0 ? undefined : unmatched.splice(i, 1)[0];
    });
    const changes: Change[] = [];
    spec.policies.forEach((p, i) => {
      const match = matches[i];
      if (!match) {
        changes.push(this.createPolicy(spec, p, i, resource, () => current.id));
        return;
      }
      const template = templates[i];
      if (template) changes.push(...this.updatePolicy(p, match, template, i, resource, current.id));
    });
    const kept = this.options.prune ? [] : unmatched;
    const target = [...spec.policies.map((_, i) => matches[i]?.id ?? -1 - i), ...kept.map((p) => p.id)];
    const afterCreates = [
      ...current.policies.filter((p) => target.includes(p.id)).map((p) => p.id),
      ...spec.policies.map((_, i) => (matches[i] ? undefined : -1 - i)).filter((x): x is number => x !== undefined),
    ];
    if (target.join() !== afterCreates.join()) {
      changes.push({
        action: 'update',
        resource: `${resource} policy order`,
        details: [`order: ${spec.policies.map((p) => p.policy).join(', ')}${kept.length ? ', then the kept ones' : ''}`],
        group: resource,
        run: ({ client, created }) => {
          const ids = target.map((id) => (id > 0 ? id : created.get(`policy:${spec.label}:${-1 - id}`)!));
          return client.patch(
            paths.policies(current.id),
            ids.map((id, i) => ({ id, order: i + 1 })),
          );
        },
      });
    }
    // Deleted last: a chain never goes without a policy the file replaces before its successor is in.
    for (const extra of unmatched) {
      changes.push(
        ...this.unnamed(`${resource} policy ${extra.assetId} (id ${extra.id})`, resource, [], ({ client }) =>
          client.delete(`${paths.policies(current.id)}/${extra.id}`),
        ),
      );
    }
    return changes;
  }

  private createPolicy(
    spec: InstanceSpec,
    p: PolicySpec,
    i: number,
    resource: string,
    apiId: (ctx: ApplyContext) => number,
  ): Change {
    const template = this.template(p, '');
    return {
      action: 'create',
      resource: `${resource} policy ${i + 1} (${p.policy})`,
      details: [
        `version: ${template?.version ?? p.version ?? '(latest)'}`,
        ...(p.mode !== 'enforce' ? [`mode: ${p.mode}`] : []),
        ...(p.disabled ? ['disabled: true'] : []),
      ],
      group: resource,
      run: async (ctx) => {
        const created = await ctx.client.post<{ id: number }>(this.state.paths.policies(apiId(ctx)), {
          groupId: template!.groupId,
          assetId: template!.assetId,
          assetVersion: template!.version,
          configurationData: p.configuration,
          mode: p.mode,
          disabled: p.disabled,
        });
        ctx.created.set(`policy:${spec.label}:${i}`, created.id);
      },
    };
  }

  private updatePolicy(
    p: PolicySpec,
    current: CurrentPolicy,
    template: Template,
    i: number,
    resource: string,
    apiId: number,
  ): Change[] {
    const configuration = configurationChanges(
      withDefaults(template.configuration, p.configuration),
      current.configuration,
      p.secretPaths,
      this.options.rotateSecrets,
    );
    const details = [
      ...fieldChanges({
        version: [template.version, current.assetVersion],
        mode: [p.mode, current.mode],
        disabled: [p.disabled, current.disabled],
      }),
      ...configuration.map((c) => `configuration.${c.path}: ${c.from} → ${c.to}`),
    ];
    if (!details.length) return [];
    return [
      {
        action: 'update',
        resource: `${resource} policy ${i + 1} (${p.policy})`,
        details,
        group: resource,
        run: ({ client }) =>
          client.patch(`${this.state.paths.policies(apiId)}/${current.id}`, {
            assetVersion: template.version,
            configurationData: p.configuration,
            mode: p.mode,
            disabled: p.disabled,
          }),
      },
    ];
  }

  private deployment(
    spec: InstanceSpec,
    current: CurrentInstance['deployment'],
    apiId: (ctx: ApplyContext) => number,
    resource: string,
    target: Target | undefined,
  ): Change[] {
    const { paths } = this.state;
    const deployed = current?.expectedStatus === 'deployed' ? current : null;
    const wanted = spec.deployment;
    if (!wanted) {
      if (!deployed) return [];
      return [
        {
          action: 'delete',
          resource: `${resource} deployment`,
          details: [`target: ${deployed.targetName}`],
          group: resource,
          run: (ctx) => ctx.client.delete(`${paths.deployments(apiId(ctx))}/${deployed.id}`),
        },
      ];
    }
    if (!target) return [];
    const gatewayVersion =
      wanted.gatewayVersion ??
      (deployed && deployed.targetId === target.id ? deployed.gatewayVersion : target.version) ??
      '1.0.0';
    const body = {
      type: 'HY',
      targetId: target.id,
      targetName: target.name,
      gatewayVersion,
      environmentId: this.state.environment.id,
      expectedStatus: 'deployed',
    };
    if (!current) {
      return [
        {
          action: 'create',
          resource: `${resource} deployment`,
          details: [`target: ${target.name}`],
          group: resource,
          run: (ctx) => ctx.client.post(paths.deployments(apiId(ctx)), { ...body, overwrite: false }),
        },
      ];
    }
    const details = fieldChanges({
      target: [target.name, deployed?.targetName],
      gatewayVersion: [gatewayVersion, deployed?.gatewayVersion],
    });
    if (!details.length) return [];
    return [
      {
        action: 'update',
        resource: `${resource} deployment`,
        details,
        group: resource,
        run: (ctx) => ctx.client.patch(`${paths.deployments(apiId(ctx))}/${current.id}`, body),
      },
    ];
  }

  private apiKeys(spec: InstanceSpec, current: CurrentInstance, resource: string): Change[] {
    return this.byName(
      spec.apiKeys.map((k) => [k.name, () => this.createKey(spec, k, resource, () => current.id)]),
      current.apiKeys.map((key) => [
        key.name,
        () =>
          this.unnamed(`${resource} API key ${key.name}`, resource, ['revoked'], ({ client }) =>
            client.delete(`${this.state.paths.apiKeys(current.id)}/${key.id}`),
          ),
      ]),
    );
  }

  /** Declared items missing from the current ones created, current ones not declared left to `unnamed`. */
  private byName(declared: [string, () => Change][], current: [string, () => Change[]][]): Change[] {
    const declaredNames = new Set(declared.map(([name]) => name));
    const currentNames = new Set(current.map(([name]) => name));
    return [
      ...declared.filter(([name]) => !currentNames.has(name)).map(([, create]) => create()),
      ...current.filter(([name]) => !declaredNames.has(name)).flatMap(([, remove]) => remove()),
    ];
  }

  private createKey(
    spec: InstanceSpec,
    key: { name: string; expiresAt?: string },
    resource: string,
    apiId: (ctx: ApplyContext) => number,
  ): Change {
    return {
      action: 'create',
      resource: `${resource} API key ${key.name}`,
      details: key.expiresAt ? [`expiresAt: ${key.expiresAt}`] : [],
      group: resource,
      run: async (ctx) => {
        const created = await ctx.client.post<{ key: string }>(this.state.paths.apiKeys(apiId(ctx)), {
          name: key.name,
          ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
        });
        ctx.apiKeys.push({ instance: spec.label, name: key.name, key: created.key });
      },
    };
  }

  private contracts(spec: InstanceSpec, current: CurrentInstance, resource: string): Change[] {
    return this.byName(
      spec.contracts.map((c) => [c.application, () => this.createContract(spec, c.application, resource, () => current.id)]),
      current.contracts.map((contract) => [
        contract.applicationName,
        () =>
          this.unnamed(`${resource} contract with ${contract.applicationName}`, resource, ['revoked'], ({ client }) =>
            client.post(`${this.state.paths.contracts(current.id)}/${contract.id}/revoke`),
          ),
      ]),
    );
  }

  private createContract(
    spec: InstanceSpec,
    application: string,
    resource: string,
    apiId: (ctx: ApplyContext) => number,
  ): Change {
    const declared = this.file.clientApplications.some((a) => a.name === application);
    const existing = this.state.applications.find((a) => a.name === application);
    if (!declared && !existing)
      this.problems.push(
        `${resource}: contracts: client application "${application}" not found (declare it under clientApplications)`,
      );
    return {
      action: 'create',
      resource: `${resource} contract with ${application}`,
      details: [],
      group: resource,
      run: async (ctx) => {
        const applicationId = ctx.applicationIds.get(application) ?? existing?.id;
        if (applicationId === undefined) throw new CliError(EXIT.failed, `client application "${application}" was not created`);
        await ctx.client.post(this.state.paths.contracts(apiId(ctx)), { applicationId, acceptedTerms: true });
      },
    };
  }

  private target(name: string, where: string) {
    const target = this.state.targets.find((t) => t.name === name);
    if (!target && where) {
      const names = this.state.targets.map((t) => t.name).join(', ') || 'none';
      this.problems.push(`${where}: gateway target "${name}" not found in ${this.state.environment.name} (it has: ${names})`);
    }
    return target;
  }

  private tlsContext(name: TlsContextName | undefined, where: string): Resolved | undefined {
    if (!name) return undefined;
    const found = this.state.tlsContexts.find(
      (t) => t.name.secretGroup === name.secretGroup && t.name.tlsContext === name.tlsContext,
    );
    if (!found) this.problems.push(`${where}: TLS context ${tlsText(name)} not found in ${this.state.environment.name}`);
    return found && { secretGroupId: found.secretGroupId, tlsContextId: found.tlsContextId };
  }

  /** The catalog template a policy names (its latest version unless the file gives one). */
  private template(p: PolicySpec, where: string): Template | undefined {
    const found = this.state.catalog.find((t) => t.assetId === p.policy && (p.groupId === undefined || t.groupId === p.groupId));
    if (!found) {
      if (where) this.problems.push(`${where}: policy template "${p.policy}" is not in the catalog`);
      return undefined;
    }
    return { ...found, version: p.version ?? found.version };
  }
}

type Template = EnvironmentState['catalog'][number];

function assetName(spec: InstanceSpec, org: string): string {
  return `${spec.asset.groupId && spec.asset.groupId !== org ? `${spec.asset.groupId}/` : ''}${spec.asset.assetId}@${spec.asset.version}`;
}

function tlsText(name: TlsContextName | undefined): string | undefined {
  return name && `${name.secretGroup}/${name.tlsContext}`;
}

/** `field: from → to` for each [desired, current] pair that differs (absent, null and [] alike where both are). */
function fieldChanges(fields: Record<string, [unknown, unknown]>): string[] {
  return Object.entries(fields).flatMap(([field, [desired, current]]) => {
    const d = desired ?? null;
    const c = current ?? null;
    return sameJson(d, c) ? [] : [`${field}: ${show(c)} → ${show(d)}`];
  });
}
