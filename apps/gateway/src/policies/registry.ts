/**
 * The policies this gateway implements, by template asset id. A configuration naming any other
 * type is rejected by translate() (the push is NACKed and the last good config keeps serving).
 */
import { mcpSupportFactory } from './mcp-support/mcp-support.policy.js';
import type { PolicyFactory } from './policy.js';

/** Policy factories by type. */
export type PolicyRegistry = ReadonlyMap<string, PolicyFactory>;

export const POLICY_REGISTRY: PolicyRegistry = new Map<string, PolicyFactory>([[mcpSupportFactory.type, mcpSupportFactory]]);

/** The policy types this gateway implements (sent to the control plane as capabilities). */
export const POLICY_TYPES: readonly string[] = Object.freeze([...POLICY_REGISTRY.keys()]);
