/**
 * MCP Support: the policy every MCP API needs (an MCP API without it answers 503, see errors.ts).
 * Applying it is what makes the pipeline treat the API as MCP (mcp-codec.ts decodes
 * every POST body once for all policies); its own hook counts calls in `portico_mcp_calls_total`.
 */
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';

/** Client-to-server methods of MCP (2025-11-25 and 2026-07-28); others are counted as `other`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'server/discover',
  'subscriptions/listen',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

/** The `mcp-support` factory: no configuration; counts calls. */
export const mcpSupportFactory: PolicyFactory = {
  type: 'mcp-support',
  compile() {
    return {
      warnings: [],
      policy: {
        name: 'mcp-support',
        methods: { '*': 'request' },
        onRequest(ctx) {
          const method = KNOWN_METHODS.has(ctx.call.method) ? ctx.call.method : 'other';
          ctx.exchange.metrics.countMcpCall(ctx.exchange.api.id, method);
          return PASS;
        },
      },
    };
  },
};
