/**
 * One applied policy, from what the control plane sends (proto `Policy`: type, version,
 * configuration and managed JSON) to a policy ready to run. The gateway compiles every push with
 * it (its translate.ts); the control plane's policy simulation compiles the same way, so both run the
 * same code on the same input.
 *
 * The configuration is checked against the catalog template of that asset id and version (the
 * newest version when this build does not know it, with a warning), defaults filled in; a policy
 * whose template is MCP-only is refused on a plain HTTP API.
 */
import {
  compareVersions,
  formatConfigurationIssue,
  POLICY_TEMPLATES,
  type PolicyTemplateDefinition,
  validateConfiguration,
} from '#portico/policy-catalog';
import type { ChainPolicy } from './chain-policy.js';
import { compileMethodScope } from './method-scope.js';
import type { CompileContext } from './policy-contract/policy.js';
import type { PolicyRegistry } from './policies/registry.js';

/** The policy cannot be compiled; the message names the field or cause (prefixed with `where`). */
export class PolicyConfigError extends Error {
  override readonly name = 'PolicyConfigError';
}

/** What the control plane sends of an applied policy (proto `Policy`, without where it applies). */
export interface PolicyInput {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly configurationJson: string;
  /** '' when the control plane maintains nothing for the policy. */
  readonly managedJson: string;
  readonly mode: 'enforce' | 'shadow';
}

/** The catalog template with this asset id and version, else the newest version of that asset id. */
function templateFor(input: PolicyInput, where: string, warnings: string[]): PolicyTemplateDefinition | undefined {
  const versions = POLICY_TEMPLATES.filter((t) => t.assetId === input.type);
  const exact = versions.find((t) => t.version === input.version);
  if (exact || versions.length === 0) return exact;
  const newest = [...versions].sort((a, b) => compareVersions(b.version, a.version))[0];
  warnings.push(
    `${where}: version ${JSON.stringify(input.version)} is unknown to this gateway; configuration checked with ${newest?.version}`,
  );
  return newest;
}

/** `json` parsed as an object ('' is {}); `field` names it in the error. */
function jsonObject(json: string, where: string, field: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new PolicyConfigError(`${where}: ${field} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PolicyConfigError(`${where}: ${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Compiles `input` for an API of `kind`; `where` prefixes every message ("API 7: policy 12
 * (mcp-acl)"). Warnings (bad user values the policy replaced with its safe behaviour) are pushed
 * to `warnings`. Throws PolicyConfigError.
 */
export function compilePolicy(
  input: PolicyInput,
  kind: 'http' | 'mcp',
  where: string,
  context: Omit<CompileContext, 'managed' | 'apiKind'>,
  registry: PolicyRegistry,
  warnings: string[],
): ChainPolicy {
  const factory = registry.get(input.type);
  if (!factory) throw new PolicyConfigError(`${where}: unknown policy type ${JSON.stringify(input.type)}`);
  let configuration: Record<string, unknown> = jsonObject(input.configurationJson, where, 'configuration_json');
  const template = templateFor(input, where, warnings);
  if (template) {
    if (template.mcpOnly && kind !== 'mcp') throw new PolicyConfigError(`${where}: the policy applies to MCP APIs only`);
    const result = validateConfiguration(template, configuration);
    if (!result.valid) throw new PolicyConfigError(`${where}: ${result.issues.map(formatConfigurationIssue).join('; ')}`);
    configuration = result.configuration as Record<string, unknown>;
  }
  const managed = jsonObject(input.managedJson, where, 'managed_json');
  let compiled;
  try {
    compiled = factory.compile(configuration, { ...context, managed, apiKind: kind });
  } catch (error) {
    throw new PolicyConfigError(`${where}: ${(error as Error).message}`);
  }
  for (const warning of compiled.warnings) warnings.push(`${where}: ${warning}`);
  return Object.freeze({
    id: input.id,
    type: input.type,
    mode: input.mode,
    policy: compiled.policy,
    scope: compileMethodScope(compiled.policy.methods),
  });
}
