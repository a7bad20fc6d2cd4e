/**
 * A PorticoFile written as portico.yaml: defaults left out, each masked secret written as a
 * `{fromEnv: PORTICO_SECRET_<LABEL>_<POLICY>_<FIELD>}` reference, and a header naming the
 * schema (for editors) and the variables the file needs.
 */
import { stringify } from 'yaml';
import type { InstanceSpec, PolicySpec, PorticoFile } from './model.js';

export const SCHEMA_URL = 'https://portico.dev/schemas/portico-file-v1.json';

export function porticoYaml(file: PorticoFile): string {
  const variables: string[] = [];
  const document = {
    apiVersion: file.apiVersion,
    environment: file.environment,
    ...(file.assets.length ? { assets: file.assets } : {}),
    ...(file.clientApplications.length ? { clientApplications: file.clientApplications } : {}),
    instances: file.instances.map((i) => instanceDocument(i, variables)),
  };
  const header = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    `# Exported from ${file.environment}. Apply with: portico apply -f <this file>`,
    ...(variables.length
      ? ['# Secrets are not exported; apply reads them from these environment variables:', ...variables.map((v) => `#   ${v}`)]
      : []),
  ];
  return `${header.join('\n')}\n${stringify(document, { lineWidth: 0 })}`;
}

function instanceDocument(spec: InstanceSpec, variables: string[]) {
  const { label, asset, upstream, proxyUri, policies, apiKeys, contracts, ...rest } = spec;
  return {
    label,
    asset: asset.groupId ? asset : `${asset.assetId}@${asset.version}`,
    upstream: upstream.tlsContext ? upstream : upstream.uri,
    proxyUri,
    ...rest,
    ...(policies.length
      ? { policies: policies.map((p, i) => policyDocument(policyName(spec.label, policies, i), p, variables)) }
      : {}),
    ...(apiKeys.length ? { apiKeys } : {}),
    ...(contracts.length ? { contracts } : {}),
  };
}

/** `<label>_<policy>`, with the policy's place when the chain holds the template more than once. */
function policyName(label: string, policies: readonly PolicySpec[], i: number): string {
  const p = policies[i]!;
  return policies.filter((q) => q.policy === p.policy).length > 1 ? `${label}_${p.policy}_${i + 1}` : `${label}_${p.policy}`;
}

function policyDocument(name: string, p: PolicySpec, variables: string[]) {
  const configuration = structuredClone(p.configuration);
  for (const pointer of p.secretPaths) {
    let variable = `PORTICO_SECRET_${name}_${pointer.slice(1)}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
    // Names that only differ in punctuation meet here: each secret keeps a variable of its own.
    for (let n = 2; variables.includes(variable); n++) variable = `${variable.replace(/_\d+$/, '')}_${n}`;
    variables.push(variable);
    setAt(configuration, pointer, { fromEnv: variable });
  }
  return {
    policy: p.policy,
    ...(p.version ? { version: p.version } : {}),
    ...(p.groupId ? { groupId: p.groupId } : {}),
    ...(p.mode !== 'enforce' ? { mode: p.mode } : {}),
    ...(p.disabled ? { disabled: true } : {}),
    ...(Object.keys(configuration).length ? { configuration } : {}),
  };
}

function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const keys = pointer
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: any = root;
  for (const key of keys.slice(0, -1)) node = node[key];
  node[keys.at(-1)!] = value;
}
