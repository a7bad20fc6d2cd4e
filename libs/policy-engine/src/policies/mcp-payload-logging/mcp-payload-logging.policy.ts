/**
 * `mcp-payload-logging`: the instance's opt-in to payloads in its access logs. Every JSON-RPC
 * request and notification (`logRequests`) and every response to a request (`logResponses`) is
 * recorded on the exchange's access event as the policy sees it, redacted of `redactEntities`
 * with the DLP guardrail's detectors whatever the chain's order or the guardrail's action (a
 * payload in a log never holds what the detectors find), and cut at `maxPayloadBytes`. It never
 * changes or stops traffic.
 */
import type { JsonRpcId } from '#portico/mcp-jsonrpc';
import type { CallContext } from '../../policy-contract/context.js';
import type { MethodScope, Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { PII_CATEGORIES, type PiiCategory, PiiScanner, redact } from '../mcp-pii-detector/detectors.js';

export interface PayloadLoggingConfig {
  logRequests?: boolean;
  logResponses?: boolean;
  maxPayloadBytes?: number;
  redactEntities?: PiiCategory[];
}

const TRUNCATED = '…[truncated]';

export const mcpPayloadLoggingFactory: PolicyFactory<PayloadLoggingConfig> = {
  type: 'mcp-payload-logging',
  compile(config) {
    const scanner = new PiiScanner(config.redactEntities ?? PII_CATEGORIES);
    const maxBytes = config.maxPayloadBytes ?? 4096;
    const requests = config.logRequests !== false;
    const responses = config.logResponses !== false;

    /** Records `message` for the access log: serialised, redacted, cut. */
    const record = (ctx: CallContext, direction: 'request' | 'response', id: JsonRpcId | undefined, message: unknown) => {
      const json = JSON.stringify(message);
      const text = redact(json, scanner.scan(json));
      ctx.exchange.record({
        kind: 'payload',
        direction,
        id,
        text: Buffer.byteLength(text) <= maxBytes ? text : Buffer.from(text).subarray(0, maxBytes).toString() + TRUNCATED,
      });
      return PASS;
    };

    const policy: Policy = {
      name: 'mcp-payload-logging',
      methods: { '*': requests && responses ? 'both' : requests ? 'request' : 'response' } as MethodScope,
      ...(requests
        ? { onRequest: (ctx, message) => record(ctx, 'request', 'id' in message ? message.id : undefined, message) }
        : {}),
      ...(responses ? { onResponse: (ctx, response) => record(ctx, 'response', response.id ?? undefined, response) } : {}),
    };
    return { warnings: [], policy };
  },
};
