/**
 * What an MCP backend is made of, as the composer (backend-composer.service.ts) builds it for a
 * library install and for a custom MCP: an Exchange `mcp` asset, a Flex API instance in front of
 * the remote URL, the policy chain (MCP Support first, then one Upstream Credential per secret
 * header, then one Header Injection for the other headers) and a deployment. Pure: names,
 * versions and policy bodies.
 */
import { POLICY_GROUP_ID, policyTemplateVersions } from '#portico/policy-catalog';
import type { ApplyPolicyBody } from '../policies/policies.dto.js';
import type { UpstreamHeader } from './install-inputs.js';

/** A secret the gateway sends upstream: `<name>: [<prefix> ]<value>`. */
export interface Credential {
  name: string;
  prefix?: string;
  value: string;
}

export interface BackendPlan {
  /**
   * The Exchange asset describing the server, `base` its asset id. An asset of that id and
   * version made for the same server (`marker`) by an earlier install is reused; one made for
   * another server makes the id `<base>-<hash of marker>`.
   */
  asset: { base: string; name: string; description: string; version: string; marker: string };
  /** the MCP endpoint the gateway reaches */
  remoteUrl: string;
  targetId: string;
  /** when given, it must be free in the environment */
  instanceLabel?: string;
  /** the label when none is given (numbered while taken) */
  labelBase: string;
  /** when given, its port and base path must be free on the target; else one is chosen */
  proxyUri?: string;
  credentials: Credential[];
  injectedHeaders: UpstreamHeader[];
  tags: string[];
  description: string;
}

/** The listener port chosen when no proxyUri is given: the gateway's usual API port. */
export const DEFAULT_LISTENER_PORT = 8081;

/** Lowercase letters, digits and single dashes, at most 60 characters: an asset id and base path. */
export function slugOf(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'mcp-server';
}

/** The slug of a server.json name's last segment (`io.github.github/github-mcp-server` → `github-mcp-server`). */
export function serverSlug(name: string): string {
  return slugOf(name.slice(name.lastIndexOf('/') + 1));
}

/**
 * An Exchange version (x.y.z[-prerelease]) for a server.json version, which the registry only
 * recommends to be semantic: `1.2` → `1.2.0`, `v2` → `2.0.0`, `2025.9.25` stays; no number at all → `1.0.0`.
 */
export function assetVersionOf(version: string): string {
  if (/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/.test(version)) return version;
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!match) return '1.0.0';
  return [match[1], match[2] ?? '0', match[3] ?? '0'].map((n) => String(Number(n))).join('.');
}

function latest(assetId: string) {
  const version = policyTemplateVersions(POLICY_GROUP_ID, assetId).at(-1);
  if (!version) throw new Error(`policy template ${assetId} is not in the built-in catalog`);
  return { groupId: POLICY_GROUP_ID, assetId, assetVersion: version };
}

/** The policies of the backend, in their order. */
export function policyBodies(plan: Pick<BackendPlan, 'credentials' | 'injectedHeaders'>): ApplyPolicyBody[] {
  const bodies: ApplyPolicyBody[] = [{ ...latest('mcp-support'), configurationData: {} }];
  for (const credential of plan.credentials) {
    bodies.push({
      ...latest('upstream-credential'),
      label: credential.name,
      configurationData: {
        headerName: credential.name,
        ...(credential.prefix ? { prefix: credential.prefix } : {}),
        value: credential.value,
      },
    });
  }
  if (plan.injectedHeaders.length) {
    bodies.push({
      ...latest('header-injection'),
      configurationData: { inboundHeaders: plan.injectedHeaders.map((h) => ({ key: h.name, value: h.value })) },
    });
  }
  return bodies;
}
