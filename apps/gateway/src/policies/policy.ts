/**
 * The contract between the pipeline and a policy (house-style "How a policy plugs into the
 * gateway"). A factory compiles a policy's configuration once per configuration push; the
 * compiled policy's hooks then run per message. Policies never write to the client: they return
 * verdicts and `pipeline.ts` answers.
 */
import type { JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { GatewayError } from '../errors.js';
import type { CallContext, ExchangeContext, McpCall } from '../pipeline/context.js';
import type { Verdict } from '../pipeline/verdict.js';

/** Which hook of a policy runs for a method. */
export type Phase = 'request' | 'response' | 'both';

/**
 * Method scoping, done by the pipeline: keys are exact methods (`tools/call`), a namespace
 * (`tools/` + `*`), a verb (`*` + `/list`) or `*`. The most specific key wins: exact,
 * then the longest namespace, then the verb, then `*`. Methods without a key are skipped.
 */
export type MethodScope = Readonly<Record<string, Phase>>;

/** A compiled policy: what runs per message. */
export interface Policy {
  readonly name: string;
  /** Absent: every method, both hooks. */
  readonly methods?: MethodScope;
  /**
   * For policies that call out (introspection, Redis): what a hook that throws means.
   * `fail-closed` (the default) answers 500; `fail-open` logs, counts and passes.
   */
  readonly failureMode?: 'fail-open' | 'fail-closed';
  onRequest?(
    ctx: CallContext,
    req: JsonRpcRequest | JsonRpcNotification,
  ): Verdict<JsonRpcRequest | JsonRpcNotification> | Promise<Verdict<JsonRpcRequest | JsonRpcNotification>>;
  onResponse?(ctx: CallContext, res: JsonRpcResponse): Verdict<JsonRpcResponse> | Promise<Verdict<JsonRpcResponse>>;
}

/** A decoded POST body: one message, or a batch of them. */
export type DecodeResult =
  { ok: true; batch: boolean; messages: DecodedMessage[] } | { ok: false; error: GatewayError; id: string | number | null };

/** A message with what it calls (requests and notifications; responses the client sends have none). */
export interface DecodedMessage {
  readonly message: JsonRpcMessage;
  readonly call: McpCall | undefined;
}

/**
 * The wire format of an MCP API, provided by the policy that owns it (mcp-support). The pipeline
 * decodes a POST body with it once, before the ordered policies run, and describes a message
 * again after a policy mutated it.
 */
export interface MessageCodec {
  decode(exchange: ExchangeContext, body: Buffer): DecodeResult;
  describe(message: JsonRpcRequest | JsonRpcNotification): { ok: true; call: McpCall } | { ok: false; error: GatewayError };
}

/** What {@link PolicyFactory.compile} returns. */
export interface CompiledPolicyResult {
  policy: Policy;
  /** A bad user value the policy replaced with its safe behaviour, for the operator. */
  warnings: string[];
  /** Only for the policy that owns the MCP wire format. */
  codec?: MessageCodec;
}

/** Builds a policy from its configuration (validated against its catalog schema when it has one). */
export interface PolicyFactory<C = Record<string, unknown>> {
  /** The policy template asset id, e.g. `mcp-support`. */
  readonly type: string;
  /** Throws an Error naming the field when the configuration cannot be used at all. */
  compile(config: C): CompiledPolicyResult;
}
