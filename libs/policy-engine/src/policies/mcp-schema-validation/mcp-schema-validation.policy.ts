/**
 * `mcp-schema-validation` (contract §10.5): MCP messages checked before they reach the upstream.
 *
 * - Every client request and notification of a method the MCP specification defines is checked
 *   against the specification's schema for it (the MCP SDK's); methods it does not define pass.
 * - With `validateToolSchema`, the arguments of tools/call are checked against the tool's
 *   `inputSchema` (ajv; JSON Schema 2020-12, or draft-07 when the schema's `$schema` says so).
 *   Schemas are learned from the tools/list answers that pass this policy (kept across pushes);
 *   a call of a tool this gateway process has no schema for makes it fetch the list from the
 *   upstream (upstream-tool-list.ts); a tool the upstream does not list, or an upstream that does
 *   not answer, leaves the call to the upstream unchecked (it answers for tools it does not have).
 *   The names are the upstream's as this policy sees them: apply it after mcp-tool-mapping.
 * A failure is −32602 `Invalid params: <path>: <reason>`, the path naming the failing member
 * (`params.name`, `arguments.days`); the upstream never sees the message.
 */
import type { JsonRpcNotification, JsonRpcRequest } from '#portico/mcp-jsonrpc';
import { ClientNotificationSchema, ClientRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { upstreamToolList } from '../upstream-tool-list.js';

type Schema = { safeParse(value: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } };

function byMethod(options: readonly unknown[]): ReadonlyMap<string, Schema> {
  return new Map(
    options.map((option) => {
      const schema = option as Schema & { shape: { method: { value: string } } };
      return [schema.shape.method.value, schema];
    }),
  );
}

const REQUESTS = byMethod(ClientRequestSchema.options);
const NOTIFICATIONS = byMethod(ClientNotificationSchema.options);

/** `a.b[2].c` for a path of keys and indexes. */
function dotted(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function invalid(message: string): Verdict<never> {
  return { kind: 'reject', error: { kind: 'invalid-params', message: `Invalid params: ${message}` } };
}

const TOOL_LIMIT = 10_000;
const draft07 = new Ajv({ strict: false, allErrors: false });
const draft2020 = new Ajv2020({ strict: false, allErrors: false });

/** A validator for a tool's inputSchema, or undefined when the schema does not compile. */
function compileInputSchema(schema: Record<string, unknown>): ValidateFunction | undefined {
  const ajv = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07') ? draft07 : draft2020;
  try {
    return ajv.compile(schema);
  } catch {
    return undefined;
  }
}

export const mcpSchemaValidationFactory: PolicyFactory<{ validateToolSchema?: boolean }> = {
  type: 'mcp-schema-validation',
  compile(config, ctx) {
    const validateTools = config.validateToolSchema === true;
    // Tool name -> its compiled inputSchema, as the last tools/list answer through this API showed it.
    const tools = ctx.state('input-schemas', () => new Map<string, { source: string; validate: ValidateFunction | undefined }>());

    const learn = (listed: unknown): void => {
      if (!Array.isArray(listed)) return;
      for (const tool of listed as { name?: unknown; inputSchema?: unknown }[]) {
        if (typeof tool?.name !== 'string' || typeof tool.inputSchema !== 'object' || tool.inputSchema === null) continue;
        const source = JSON.stringify(tool.inputSchema);
        if (tools.get(tool.name)?.source === source) continue;
        if (tools.size >= TOOL_LIMIT) tools.clear();
        tools.set(tool.name, { source, validate: compileInputSchema(tool.inputSchema as Record<string, unknown>) });
      }
    };

    const toolList = upstreamToolList(ctx, learn);

    const checkArguments = (name: string, args: Readonly<Record<string, unknown>> | undefined): Verdict<never> | undefined => {
      const validate = tools.get(name)?.validate;
      if (!validate || validate(args ?? {})) return undefined;
      const error = validate.errors?.[0];
      const path = error?.instancePath ? `arguments${error.instancePath.replace(/\//g, '.')}` : 'arguments';
      return invalid(`${path}: ${error?.message ?? 'does not match the tool input schema'}`);
    };
    return {
      warnings: [],
      policy: {
        name: 'mcp-schema-validation',
        methods: { '*': 'request', 'tools/list': 'both' },
        usesUpstream: validateTools,
        onRequest(call, message: JsonRpcRequest | JsonRpcNotification) {
          const schema = (call.call.kind === 'request' ? REQUESTS : NOTIFICATIONS).get(call.call.method);
          if (schema) {
            const checked = schema.safeParse(message);
            const issue = checked.success ? undefined : checked.error?.issues[0];
            if (issue) return invalid(`${dotted(issue.path)}: ${issue.message}`);
          }
          if (!validateTools || call.call.method !== 'tools/call' || call.call.target === undefined) return PASS;
          const { name } = call.call.target;
          const args = call.call.arguments;
          const fetching = tools.has(name) ? undefined : toolList.fetch(call.exchange);
          if (!fetching) return checkArguments(name, args) ?? PASS;
          return fetching.then(() => checkArguments(name, args) ?? PASS);
        },
        onResponse(_call, response) {
          if (validateTools && 'result' in response) learn((response.result as { tools?: unknown } | null)?.tools);
          return PASS;
        },
      },
    };
  },
};
