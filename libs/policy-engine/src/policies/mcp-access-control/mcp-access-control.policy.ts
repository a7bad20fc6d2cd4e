/**
 * `mcp-access-control` (contract §10.3): Cedar rules over who calls what, evaluated by the Cedar
 * engine (`@cedar-policy/cedar-wasm`, the rules parsed once per push and cached by the engine).
 *
 * The request Cedar sees:
 * - principal: the identity an authentication policy established before this one (the exchange's
 *   `identity` attribute): `Client::"<client id>"` with `authType: ClientId`, `User::"<principal>"`
 *   with `Other`, with attributes `principal`, `client_name` and `properties` (`claims`, and the
 *   identity's other properties such as `slaId`), as Anypoint binds them. Without one it is
 *   `Anonymous::"anonymous"` with no attributes: only rules that do not look at the principal
 *   can permit it.
 * - action: `Action::"<MCP method>"` (`tools/call`, `tools/list`, `prompts/get`, …);
 * - resource: `Tool::"<name>"`, `Prompt::"<name>"` or `Resource::"<uri>"` (a list's items one by one);
 * - context: `remoteAddress`, and for calls `arguments` (JSON values Cedar has no type for, such
 *   as fractions and nulls, are left out).
 * Decisions: a call is permitted when Cedar allows its method on its item. A list keeps the items
 * Cedar allows either the list method or the item's call method on (so a rule that lets a tool be
 * called also shows it). Refused calls of listed items are denied with −32602 `Access denied to: x`
 * and POLICY_DENIED data; of items the list hides, answered as missing (mcp-features.ts). Cedar's
 * default is deny, and `forbid` wins over `permit`.
 * Rules that never read `context` get their decisions memoised per principal, action and item.
 */
import { cedarEngine } from '#portico/policy-catalog';
import { createHash } from 'node:crypto';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { CALL_METHODS, type Feature, filterList, LIST_METHODS, LIST_OF, LISTS_AND_CALLS, refusedCall } from '../mcp-features.js';

interface AccessControlConfig {
  rules: string[];
  authType?: 'ClientId' | 'Other';
}

type CedarValue = boolean | number | string | CedarValue[] | { [key: string]: CedarValue };

const DECISIONS_LIMIT = 4096;

const RESOURCE_TYPE: Readonly<Record<Feature, string>> = { tools: 'Tool', prompts: 'Prompt', resources: 'Resource' };

/** The call method of a feature's items (a list shows what may be called). */
const CALL_OF: Readonly<Record<Feature, string>> = { tools: 'tools/call', prompts: 'prompts/get', resources: 'resources/read' };

/** `value` as Cedar can take it: integers, strings, booleans, sets and records; the rest left out. */
function cedarValue(value: unknown): CedarValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(cedarValue).filter((v): v is CedarValue => v !== undefined);
  if (typeof value === 'object' && value !== null) {
    const record: Record<string, CedarValue> = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = cedarValue(item);
      if (converted !== undefined) record[key] = converted;
    }
    return record;
  }
  return undefined;
}

interface Principal {
  readonly uid: { type: string; id: string };
  readonly attrs: Record<string, CedarValue>;
  /** Identifies the principal and its attributes, for the memo ('' when there is no memo). */
  readonly key: string;
}

const ANONYMOUS: Principal = { uid: { type: 'Anonymous', id: 'anonymous' }, attrs: {}, key: 'Anonymous' };

/** The principal of the exchange; `keyed`: with the memo key (only policies with a memo need one). */
function principalOf(exchange: ExchangeContext, authType: 'ClientId' | 'Other', keyed: boolean): Principal {
  const identity = exchange.attributes.get(IDENTITY_ATTRIBUTE) as Identity | undefined;
  const id = authType === 'ClientId' ? identity?.clientId : identity?.principal;
  if (!identity || id === undefined) return ANONYMOUS;
  const attrs = cedarValue({
    principal: identity.principal ?? id,
    client_name: identity.clientName ?? '',
    properties: { ...identity.properties, claims: identity.claims ?? {} },
  }) as Record<string, CedarValue>;
  const uid = { type: authType === 'ClientId' ? 'Client' : 'User', id };
  return { uid, attrs, key: keyed ? JSON.stringify([uid, attrs]) : '' };
}

export const mcpAccessControlFactory: PolicyFactory<AccessControlConfig> = {
  type: 'mcp-access-control',
  compile(config) {
    const cedar = cedarEngine();
    const staticPolicies = Object.fromEntries(config.rules.map((rule, i) => [`rules[${i}]`, rule]));
    // The engine keeps parsed sets by id for the life of the process: the same rules share one.
    const setId = createHash('sha256').update(JSON.stringify(staticPolicies)).digest('hex');
    const parsed = cedar.preparsePolicySet(setId, { staticPolicies });
    if (parsed.type === 'failure') throw new Error(`rules: ${parsed.errors.map((e) => e.message).join('; ')}`);
    const authType = config.authType ?? 'ClientId';
    const readsContext = config.rules.some((rule) => /\bcontext\b/.test(rule));

    // Decisions of rules that never read the context, by principal, action and item; a full
    // memo starts over, so many principals cannot grow it.
    const decisions = readsContext ? undefined : new Map<string, boolean>();
    const allows = (
      principal: Principal,
      action: string,
      feature: Feature,
      name: string,
      context: Record<string, CedarValue>,
    ): boolean => {
      const key = decisions ? `${principal.key}\u0000${action}\u0000${name}` : '';
      const known = decisions?.get(key);
      if (known !== undefined) return known;
      const answer = cedar.statefulIsAuthorized({
        principal: principal.uid,
        action: { type: 'Action', id: action },
        resource: { type: RESOURCE_TYPE[feature], id: name },
        context,
        entities: [{ uid: principal.uid, attrs: principal.attrs, parents: [] }],
        preparsedPolicySetId: setId,
      });
      const decision = answer.type === 'success' && answer.response.decision === 'allow';
      if (decisions) {
        if (decisions.size >= DECISIONS_LIMIT) decisions.clear();
        decisions.set(key, decision);
      }
      return decision;
    };

    return {
      warnings: [],
      policy: {
        name: 'mcp-access-control',
        methods: LISTS_AND_CALLS,
        onRequest(ctx) {
          const feature = CALL_METHODS[ctx.call.method];
          const name = ctx.call.target?.name;
          if (!feature || name === undefined) return PASS;
          const principal = principalOf(ctx.exchange, authType, decisions !== undefined);
          const context: Record<string, CedarValue> = { remoteAddress: ctx.exchange.clientAddress };
          const args = cedarValue(ctx.call.arguments);
          if (args !== undefined) context.arguments = args;
          if (allows(principal, ctx.call.method, feature, name, context)) return PASS;
          const listed = allows(principal, LIST_OF[feature], feature, name, context);
          return refusedCall(listed, feature, name, 'mcp-access-control');
        },
        onResponse(ctx, response) {
          const list = LIST_METHODS[ctx.call.method];
          if (!list) return PASS;
          const principal = principalOf(ctx.exchange, authType, decisions !== undefined);
          const context: Record<string, CedarValue> = { remoteAddress: ctx.exchange.clientAddress };
          return filterList(
            ctx.call.method,
            response,
            (name) =>
              allows(principal, ctx.call.method, list.feature, name, context) ||
              allows(principal, CALL_OF[list.feature], list.feature, name, context),
          );
        },
      },
    };
  },
};
