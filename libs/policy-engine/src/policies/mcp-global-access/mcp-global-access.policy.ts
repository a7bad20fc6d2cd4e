/**
 * `mcp-global-access-policy` (contract §10.4): Allow and Block rules on tool names, Block wins.
 *
 * A tool is exposed when no Block rule matches it and, if there are Allow rules at all, one of
 * them matches it. `literal` rules match the exact name, `pattern` rules are RE2 regular
 * expressions matching the whole name (as everywhere in Portico: `admin-.*`, not `admin-*`).
 * Tools that are not exposed are removed from tools/list answers (each page, JSON or SSE), and
 * calling one is answered as if it did not exist (mcp-features.ts), like the tool a client never
 * saw. Other features (prompts, resources) are not governed by this policy (use mcp-acl).
 */
import { compileFullMatch } from '#portico/policy-catalog';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { filterList, unknownItem } from '../mcp-features.js';
import { memoized } from '../../name-memo.js';

interface GlobalAccessRule {
  rule: 'Allow' | 'Block';
  matchType?: 'literal' | 'pattern';
  value: string;
}

type Matcher = (name: string) => boolean;

function matcher(rule: GlobalAccessRule): Matcher {
  if (rule.matchType === 'pattern') {
    const pattern = compileFullMatch(rule.value);
    return (name) => pattern.test(name);
  }
  return (name) => name === rule.value;
}

export const mcpGlobalAccessFactory: PolicyFactory<{ rules: GlobalAccessRule[] }> = {
  type: 'mcp-global-access-policy',
  compile(config) {
    const allow = config.rules.filter((r) => r.rule === 'Allow').map(matcher);
    const block = config.rules.filter((r) => r.rule === 'Block').map(matcher);
    const exposed = memoized(
      (name: string) => !block.some((matches) => matches(name)) && (allow.length === 0 || allow.some((matches) => matches(name))),
    );
    return {
      warnings: [],
      policy: {
        name: 'mcp-global-access-policy',
        methods: { 'tools/call': 'request', 'tools/list': 'response' },
        onRequest(ctx) {
          const name = ctx.call.target?.name;
          if (name === undefined || exposed(name)) return PASS;
          return { kind: 'reject', error: unknownItem('tools', name, 'mcp-global-access-policy') };
        },
        onResponse(ctx, response) {
          return filterList(ctx.call.method, response, exposed);
        },
      },
    };
  },
};
