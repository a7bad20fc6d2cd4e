/**
 * `mcp-acl` (seed 002's ACL policy): exposes only what a rule allows.
 *
 * A rule names a feature (tools, prompts, resources), the MCP methods it allows for it, which
 * names it covers (ANY; LITERAL: exactly `namePattern`; REGEX: `namePattern` matching the whole
 * name, RE2) and an optional CEL `condition` (expressions.ts) over the caller, the request and
 * the message. A method is allowed for a name when some rule of its feature lists the method,
 * covers the name and its condition holds. Hence:
 * - no rules: clients still initialize, ping and get notifications, every list is empty and
 *   every call, read and get is refused;
 * - a list answer keeps the items whose name the list method is allowed for (each page as it
 *   passes, JSON or SSE);
 * - a call of an item its list hides is answered as if the item did not exist (mcp-features.ts);
 *   a call of an item that is listed but not callable (a rule with only `tools/list`) is a
 *   policy denial, −32602 `Access denied to: <name>` with POLICY_DENIED data.
 * Resources are named by URI (templates by their URI template). `completion/complete` is allowed
 * for a prompt or resource template its list shows, else answered as if it did not exist.
 */
import { compileExpression, compileFullMatch, type ExpressionActivation, type PolicyExpression } from '#portico/policy-catalog';
import type { ExchangeContext } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { expressionActivation, type McpSubject } from '../expression-activation.js';
import { memoized } from '../../name-memo.js';
import {
  CALL_METHODS,
  completionRef,
  type Feature,
  filterList,
  LIST_METHODS,
  LIST_OF,
  LISTS_AND_CALLS,
  refusedCall,
  unknownItem,
} from '../mcp-features.js';

interface AclRuleConfig {
  feature: Feature;
  methods: string[];
  namePatternType?: 'ANY' | 'LITERAL' | 'REGEX';
  namePattern?: string;
  condition?: string;
}

interface Rule {
  readonly feature: Feature;
  readonly methods: readonly string[];
  covers(name: string): boolean;
  readonly condition: PolicyExpression | undefined;
}

function compileRule(config: AclRuleConfig, index: number): Rule {
  const where = `rules[${index}]`;
  let covers: (name: string) => boolean;
  switch (config.namePatternType ?? 'ANY') {
    case 'ANY':
      covers = () => true;
      break;
    case 'LITERAL': {
      const literal = config.namePattern;
      if (literal === undefined) throw new Error(`${where}.namePattern is required for LITERAL`);
      covers = (name) => name === literal;
      break;
    }
    case 'REGEX': {
      if (config.namePattern === undefined) throw new Error(`${where}.namePattern is required for REGEX`);
      const pattern = compileFullMatch(config.namePattern);
      covers = memoized((name) => pattern.test(name));
      break;
    }
  }
  let condition: PolicyExpression | undefined;
  if (config.condition !== undefined) {
    try {
      condition = compileExpression(config.condition);
    } catch (error) {
      throw new Error(`${where}.condition: ${(error as Error).message}`);
    }
  }
  return { feature: config.feature, methods: config.methods, covers, condition };
}

/** The rules by the feature and method they allow (compiled once, so a call looks only at its own). */
class Acl {
  private readonly byMethod = new Map<string, Rule[]>();

  constructor(rules: readonly Rule[]) {
    for (const rule of rules) {
      for (const method of rule.methods) {
        const list = this.byMethod.get(method) ?? [];
        list.push(rule);
        this.byMethod.set(method, list);
      }
    }
  }

  /** Whether `method` (of `feature`) is allowed for `subject.name`; `activation` is made on first need. */
  allows(feature: Feature, subject: McpSubject & { name: string }, activation: () => ExpressionActivation): boolean {
    const rules = this.byMethod.get(subject.method);
    if (!rules) return false;
    for (const rule of rules) {
      if (rule.feature !== feature || !rule.covers(subject.name)) continue;
      if (!rule.condition || rule.condition.holds(activation())) return true;
    }
    return false;
  }
}

/** Memoises the activation of one hook call (its `mcp` object is the subject, changed in place while filtering). */
function lazyActivation(exchange: ExchangeContext, subject: McpSubject): () => ExpressionActivation {
  let activation: ExpressionActivation | undefined;
  return () => (activation ??= expressionActivation(exchange, subject));
}

export const mcpAclFactory: PolicyFactory<{ rules?: AclRuleConfig[] }> = {
  type: 'mcp-acl',
  compile(config) {
    const acl = new Acl((config.rules ?? []).map(compileRule));
    return {
      warnings: [],
      policy: {
        name: 'mcp-acl',
        methods: { ...LISTS_AND_CALLS, 'completion/complete': 'request' },
        onRequest(ctx, message) {
          if (ctx.call.method === 'completion/complete') {
            const ref = completionRef(message.params);
            if (!ref) return PASS;
            const subject = { method: ref.listMethod, name: ref.name };
            if (acl.allows(ref.feature, subject, lazyActivation(ctx.exchange, subject))) return PASS;
            return { kind: 'reject', error: unknownItem(ref.feature, ref.name, 'mcp-acl') };
          }
          const feature = CALL_METHODS[ctx.call.method];
          const name = ctx.call.target?.name;
          if (!feature || name === undefined) return PASS;
          const subject = { method: ctx.call.method, name, arguments: ctx.call.arguments };
          const activation = lazyActivation(ctx.exchange, subject);
          if (acl.allows(feature, subject, activation)) return PASS;
          // Listed but not callable: say so. Not listed: as if it did not exist.
          subject.method = LIST_OF[feature];
          const listed = acl.allows(feature, subject, activation);
          return refusedCall(listed, feature, name, 'mcp-acl');
        },
        onResponse(ctx, response) {
          const method = ctx.call.method;
          const list = LIST_METHODS[method];
          if (!list) return PASS;
          const subject = { method, name: '' };
          const activation = lazyActivation(ctx.exchange, subject);
          return filterList(method, response, (name) => {
            subject.name = name;
            return acl.allows(list.feature, subject, activation);
          });
        },
      },
    };
  },
};
