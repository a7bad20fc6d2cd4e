/**
 * `mcp-tool-pinning`: tool definitions pinned against "rug pulls" (a tool whose description or
 * schema changes after it was trusted).
 *
 * A tool's definition is the fields a model reads and acts on (name, title, description,
 * inputSchema, outputSchema, annotations), hashed as `pinnedToolDefinition` does. The control
 * plane keeps the approved hashes per instance and sends them as managed data: `pins` (name →
 * hash) and `pending` (names with a recorded change awaiting an operator's decision).
 *
 * Each tools/list answer passing the policy is checked tool by tool:
 * - the pinned hash: the tool passes;
 * - no pin yet: trusted on first use (reported; the control plane pins it), unless
 *   `approveNewTools`, which treats it as changed;
 * - another hash: reported once per definition (the control plane records the change with a
 *   diff) and, with `onChange: hide` (the default), removed from the list; a tools/call of it is
 *   answered as for a tool that does not exist. With `onChange: report` it stays usable.
 * A tool with a pending change is hidden the same way, whatever this process last saw, so a
 * change one gateway process sees reaches every replica and worker with the next push.
 *
 * A call is judged by what this process last saw the upstream list. When it saw nothing for the
 * tool, or saw it more than 10 s ago, it first fetches the list from the upstream
 * (upstream-tool-list.ts, at most once per 10 s). A tool the upstream does not list is left to
 * the upstream (it answers for tools it does not have), unless `approveNewTools`.
 * The names and definitions are those this policy sees: apply it last, nearest the upstream, to
 * pin the upstream's own definitions rather than mcp-tool-mapping's renames.
 */
import { pinnedToolDefinition } from '#portico/mcp-jsonrpc';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { filterList, unknownItem } from '../mcp-features.js';
import { upstreamToolList } from '../upstream-tool-list.js';

const POLICY = 'mcp-tool-pinning';
/** Tools remembered per applied policy (observed hashes, reported definitions). */
const TOOL_LIMIT = 10_000;
/** How long a call trusts what this process saw listed before it asks the upstream again. */
const OBSERVATION_TTL_MS = 10_000;

interface ToolPinningConfig {
  onChange?: 'hide' | 'report';
  approveNewTools?: boolean;
}

/** The control plane's managed data: pins (name → hash) and the names with a pending change. */
function managedPins(managed: Readonly<Record<string, unknown>>): {
  pins: ReadonlyMap<string, string>;
  pending: ReadonlySet<string>;
} {
  const pins = typeof managed.pins === 'object' && managed.pins !== null ? Object.entries(managed.pins) : [];
  const pending = Array.isArray(managed.pending) ? managed.pending : [];
  return {
    pins: new Map(pins.filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    pending: new Set(pending.filter((name): name is string => typeof name === 'string')),
  };
}

export const mcpToolPinningFactory: PolicyFactory<ToolPinningConfig> = {
  type: POLICY,
  compile(config, ctx) {
    const hide = config.onChange !== 'report';
    const approveNewTools = config.approveNewTools === true;
    const { pins, pending } = managedPins(ctx.managed);
    const { clock } = ctx;
    // Name -> the hash of the definition the upstream last listed, and when (kept across pushes).
    const observed = ctx.state('observed', () => new Map<string, { sha256: string; at: number }>());
    // `name\0hash` of the definitions already reported (kept across pushes: a push after an
    // approval must not report them again).
    const reported = ctx.state('reported', () => new Set<string>());

    const approved = (name: string, sha256: string): boolean => {
      if (pending.has(name)) return false;
      const pin = pins.get(name);
      return pin === undefined ? !approveNewTools : pin === sha256;
    };

    /** Records what the upstream lists now; whether the tool may be shown. */
    const check = (tool: Record<string, unknown>): boolean => {
      const name = tool.name as string;
      const { definition, sha256 } = pinnedToolDefinition(tool);
      if (observed.size >= TOOL_LIMIT && !observed.has(name)) observed.clear();
      observed.set(name, { sha256, at: clock.now() });
      if (pins.get(name) !== sha256) {
        const key = `${name}\0${sha256}`;
        if (!reported.has(key)) {
          if (reported.size >= TOOL_LIMIT) reported.clear();
          reported.add(key);
          ctx.report({ kind: 'tool-definition', name, sha256, definition });
        }
      }
      return !hide || approved(name, sha256);
    };

    const learn = (tools: unknown): void => {
      if (!Array.isArray(tools)) return;
      for (const tool of tools as unknown[]) {
        if (typeof tool === 'object' && tool !== null && typeof (tool as { name?: unknown }).name === 'string')
          check(tool as Record<string, unknown>);
      }
    };
    const toolList = upstreamToolList(ctx, learn);

    /** Whether a call of `name` must be answered as for an unknown tool. */
    const hidden = (name: string): boolean => {
      const seen = observed.get(name);
      if (seen) return !approved(name, seen.sha256);
      return pending.has(name) || (approveNewTools && !pins.has(name));
    };
    const judge = (name: string) =>
      hidden(name) ? { kind: 'reject' as const, error: unknownItem('tools', name, POLICY) } : PASS;

    return {
      warnings: [],
      policy: {
        name: POLICY,
        methods: { 'tools/list': 'response', 'tools/call': 'request' },
        usesUpstream: true,
        onRequest(call) {
          const name = call.call.target?.name;
          if (!hide || name === undefined) return PASS;
          const seen = observed.get(name);
          const stale = seen === undefined || clock.now() - seen.at > OBSERVATION_TTL_MS;
          const fetching = stale ? toolList.fetch(call.exchange) : undefined;
          return fetching ? fetching.then(() => judge(name)) : judge(name);
        },
        onResponse(_call, response) {
          return filterList('tools/list', response, (_name, tool) => check(tool));
        },
      },
    };
  },
};
