/**
 * `mcp-tool-mapping` (contract §10.5, seed 003's tool toggles): renames tools both ways,
 * overrides their descriptions, and disables tools.
 *
 * - tools/list answers (each page, JSON or SSE): a tool matched by a mapping (the first that
 *   matches) is shown under its mapped name and description, or dropped when the mapping says
 *   `enabled: false`; other tools are untouched.
 * - tools/call: a mapped name is called upstream under its source name; a source name that is
 *   renamed or disabled is answered as a tool that does not exist (mcp-features.ts), so a
 *   client reaches a tool only the way tools/list shows it. Names are mapped in tool-name-map.ts.
 * - `logMappings`: every renamed call is logged (client name → upstream name).
 */
import type { JsonRpcRequest } from '#portico/mcp-jsonrpc';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { unknownItem } from '../mcp-features.js';
import { type ToolMappingConfig, ToolNameMap } from './tool-name-map.js';

interface ToolMappingPolicyConfig {
  toolMappings: ToolMappingConfig[];
  logMappings?: boolean;
}

export const mcpToolMappingFactory: PolicyFactory<ToolMappingPolicyConfig> = {
  type: 'mcp-tool-mapping',
  compile(config, ctx) {
    // Learned names hold for these mappings only: a push that changes them starts afresh.
    const fingerprint = JSON.stringify(config.toolMappings);
    const learned = ctx.state('learned-names', () => ({ fingerprint, names: new Map<string, string>() }));
    if (learned.fingerprint !== fingerprint) {
      learned.fingerprint = fingerprint;
      learned.names.clear();
    }
    const names = new ToolNameMap(config.toolMappings, learned.names);
    const log = config.logMappings === true;
    return {
      warnings: names.warnings,
      policy: {
        name: 'mcp-tool-mapping',
        methods: { 'tools/call': 'request', 'tools/list': 'response' },
        onRequest(call, message) {
          const name = call.call.target?.name;
          if (name === undefined) return PASS;
          const source = names.source(name);
          if (source === undefined) return { kind: 'reject', error: unknownItem('tools', name, 'mcp-tool-mapping') };
          if (source === name) return PASS;
          if (log) call.exchange.logger.info({ tool: name, upstreamTool: source }, 'tool mapped');
          const request = message as JsonRpcRequest;
          return { kind: 'mutate', message: { ...request, params: { ...request.params, name: source } } };
        },
        onResponse(_call, response) {
          if (!('result' in response)) return PASS;
          const result = response.result as { tools?: unknown } | null;
          if (!Array.isArray(result?.tools)) return PASS;
          let changed = false;
          const tools: unknown[] = [];
          for (const tool of result.tools as Record<string, unknown>[]) {
            const mapped = typeof tool?.name === 'string' ? names.forward(tool.name) : undefined;
            if (!mapped) {
              tools.push(tool);
              continue;
            }
            changed = true;
            if (!mapped.enabled) continue;
            if (mapped.name !== tool.name) names.learn(mapped.name, tool.name as string);
            tools.push({
              ...tool,
              name: mapped.name,
              ...(mapped.description === undefined ? {} : { description: mapped.description }),
            });
          }
          return changed ? { kind: 'mutate', message: { ...response, result: { ...result, tools } } } : PASS;
        },
      },
    };
  },
};
