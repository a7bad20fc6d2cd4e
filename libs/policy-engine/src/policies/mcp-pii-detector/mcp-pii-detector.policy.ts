/**
 * `mcp-pii-detector`, the DLP guardrail: finds sensitive data (detectors.ts: `entities` and
 * `customPatterns`) in the data MCP carries — the `params` and the `result` of tools/call,
 * resources/read, prompts/get and completion/complete: tool arguments and results (text and
 * structured content), resource contents, prompt messages — in JSON answers and event streams
 * alike (each event is one whole message: a value cannot straddle two). Lists (tool
 * descriptions and the like) and the handshake are not data and are not scanned.
 *
 * `action`:
 * - `Block` (the default, as API Manager's detector): a request is answered with a policy denial
 *   (−32602) and never reaches the server; an answer is replaced by a policy denial (−32603).
 * - `Redact`: each finding becomes `[REDACTED:<category>]` and the message goes on.
 * - `Log`: the message goes on unchanged.
 * `scanRequests` / `scanResponses` (both on by default) choose the directions. Every finding is
 * logged with its categories and the action taken, never the value found.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { CallContext } from '../../policy-contract/context.js';
import type { Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { type CustomPattern, type PiiCategory, PiiScanner, redact } from './detectors.js';

export interface PiiDetectorConfig {
  entities: PiiCategory[];
  customPatterns?: CustomPattern[];
  action?: 'Block' | 'Redact' | 'Log';
  scanRequests?: boolean;
  scanResponses?: boolean;
}

const POLICY = 'mcp-pii-detector';
// The methods whose params and results carry data.
const DATA_METHODS = ['tools/call', 'resources/read', 'prompts/get', 'completion/complete'];
const ACTIONS = { Block: 'blocked', Redact: 'redacted', Log: 'detected' } as const;

/**
 * `value` with the findings in its strings redacted when `redacting` (copied only where it
 * changed), the categories found added to `found`. Keys and non-string values are not scanned.
 */
function inspect(value: unknown, scanner: PiiScanner, redacting: boolean, found: Set<string>): unknown {
  if (typeof value === 'string') {
    const findings = scanner.scan(value);
    if (findings.length === 0) return value;
    for (const finding of findings) found.add(finding.category);
    return redacting ? redact(value, findings) : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = inspect(value[i], scanner, redacting, found);
      if (next !== value[i]) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = inspect(item, scanner, redacting, found);
    if (next !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return out ?? value;
}

export const mcpPiiDetectorFactory: PolicyFactory<PiiDetectorConfig> = {
  type: POLICY,
  compile(config, compileContext) {
    const scanner = new PiiScanner(config.entities, config.customPatterns);
    const action = config.action ?? 'Block';
    const redacting = action === 'Redact';

    const policyId = compileContext.policyId;
    /** What `value` holds: its redacted copy and the categories found (none: undefined). */
    const examine = (ctx: CallContext, direction: 'request' | 'response', value: unknown) => {
      const found = new Set<string>();
      const next = inspect(value, scanner, redacting, found);
      if (found.size === 0) return undefined;
      const categories = [...found];
      ctx.exchange.record({ kind: 'dlp', policyId, direction, categories, action: ACTIONS[action] });
      ctx.exchange.logger.info(
        { policy: POLICY, direction, method: ctx.call.method, categories, action: ACTIONS[action] },
        `sensitive data ${ACTIONS[action]}`,
      );
      return { next, list: categories.join(', ') };
    };

    const policy: Policy = {
      name: POLICY,
      methods: Object.fromEntries(
        DATA_METHODS.map((method) => [
          method,
          config.scanRequests === false ? 'response' : config.scanResponses === false ? 'request' : 'both',
        ]),
      ),
      onRequest(ctx, message): Verdict<JsonRpcRequest | JsonRpcNotification> {
        if (config.scanRequests === false || message.params === undefined) return PASS;
        const seen = examine(ctx, 'request', message.params);
        if (seen === undefined || action === 'Log') return PASS;
        if (redacting) return { kind: 'mutate', message: { ...message, params: seen.next as typeof message.params } };
        return {
          kind: 'reject',
          error: {
            kind: 'policy-denied',
            policy: POLICY,
            code: ErrorCode.InvalidParams,
            message: `The request contains sensitive data (${seen.list}) and was not sent`,
          },
        };
      },
      onResponse(ctx, response): Verdict<JsonRpcResponse> {
        if (config.scanResponses === false || !('result' in response)) return PASS;
        const seen = examine(ctx, 'response', response.result);
        if (seen === undefined || action === 'Log') return PASS;
        if (redacting) return { kind: 'mutate', message: { ...response, result: seen.next } };
        return {
          kind: 'reject',
          error: {
            kind: 'policy-denied',
            policy: POLICY,
            code: ErrorCode.InternalError,
            message: `The answer contains sensitive data (${seen.list}) and was withheld`,
          },
        };
      },
    };
    return { warnings: [], policy };
  },
};
