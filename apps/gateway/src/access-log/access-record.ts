/**
 * What one client request to an API leaves in the access log: the pipeline fills an AccessRecord
 * as the exchange goes (the calls of an MCP POST, policy denials and failures, DLP
 * findings, the upstream's latency, the gateway's own error) and turns it into AccessEvents once
 * the answer ended: one per JSON-RPC request or notification of a POST (a batch gives several,
 * sharing the HTTP fields and the findings), else one for the HTTP exchange.
 *
 * The JSON-RPC outcome of an answer the gateway relays without parsing is read from its bytes as
 * they pass ({@link AccessRecord.sniff}): the first `"error": {"code": N}` of a chunk with no
 * `"result"` in it, and `"isError": true`. It is what a single-call exchange reports; a batch's
 * events carry no per-call outcome. Answers the gateway gives itself carry their own code.
 */
import type { AccessEvent, DlpFinding, PolicyVerdict } from '#portico/proto-ts';
import { IDENTITY_ATTRIBUTE, type Finding, type HookOutcome, type Identity, type McpCall } from '#portico/policy-engine';
import type { IncomingMessage } from 'node:http';
import { headerValue } from '../data-plane/headers.js';

const ERROR_KEY = Buffer.from('"error"');
const RESULT_KEY = Buffer.from('"result"');
const IS_ERROR_KEY = Buffer.from('"isError"');
const ERROR_CODE = /^"error"\s*:\s*\{\s*"code"\s*:\s*(-?\d{1,10})/;
const IS_ERROR_TRUE = /^"isError"\s*:\s*true/;

/** Where events go once built (the outbox of this process, or the primary's through IPC). */
export type AccessEventSink = (event: AccessEvent) => void;

export class AccessRecord {
  /** The API the request was routed to; '' until then (an unrouted request is not logged). */
  apiId = '';
  readonly timeUnixMs = Date.now();
  private readonly started = performance.now();
  private readonly writtenBefore: number;
  private upstreamStarted = 0;
  private upstreamLatencyUs: number | undefined;
  /** The JSON-RPC requests and notifications of a POST, in order. */
  calls: McpCall[] | undefined;
  requestBytes = 0;
  gatewayError = '';
  /** The upstream that answered (label, else id; a federated API's member); '' when none did. */
  upstreamName = '';
  /** The agent the gateway recognised the client as (pipeline/agent-access.ts); '' when none. */
  agent = '';
  errorCode: number | undefined;
  toolError = false;
  private verdicts: PolicyVerdict[] | undefined;
  private dlp: DlpFinding[] | undefined;
  /** Logged payloads (mcp-payload-logging) by JSON-RPC id text ('' for a notification). */
  private requestPayloads: Map<string, string> | undefined;
  private responsePayloads: Map<string, string> | undefined;

  constructor(req: IncomingMessage) {
    this.writtenBefore = req.socket.bytesWritten;
    const length = req.headers['content-length'];
    if (length !== undefined) this.requestBytes = Number(length) || 0;
  }

  /**
   * A hook outcome; only denials (enforced, or would-be in shadow mode) and failures are kept. A
   * mutation is what most authentication policies do to every request (their credential header
   * removed), so it is not news; what a DLP guardrail changed is in its finding.
   */
  verdict(policy: { readonly type: string; readonly id: string; readonly mode: string }, outcome: HookOutcome): void {
    if (outcome.kind === 'pass' || outcome.kind === 'mutate') return;
    (this.verdicts ??= []).push({
      policyType: policy.type,
      policyId: policy.id,
      verdict: outcome.kind,
      mode: policy.mode,
      errorKind: outcome.kind === 'reject' ? outcome.error.kind : '',
    });
  }

  finding(finding: Finding): void {
    if (finding.kind === 'payload') {
      const key = finding.id === undefined ? '' : JSON.stringify(finding.id);
      (finding.direction === 'request' ? (this.requestPayloads ??= new Map()) : (this.responsePayloads ??= new Map())).set(
        key,
        finding.text,
      );
      return;
    }
    (this.dlp ??= []).push({
      policyId: finding.policyId,
      direction: finding.direction,
      categories: [...finding.categories],
      action: finding.action,
    });
  }

  upstreamStart(): void {
    this.upstreamStarted = performance.now();
  }

  upstreamHead(): void {
    this.upstreamLatencyUs = Math.round((performance.now() - this.upstreamStarted) * 1000);
  }

  /** Reads the JSON-RPC outcome from a chunk of the upstream's answer (see the module comment). */
  readonly sniff = (chunk: Buffer): void => {
    const error = chunk.indexOf(ERROR_KEY);
    if (error !== -1 && this.errorCode === undefined && chunk.indexOf(RESULT_KEY) === -1) {
      const code = ERROR_CODE.exec(chunk.toString('latin1', error, error + 64));
      if (code) this.errorCode = Number(code[1]);
    }
    const isError = chunk.indexOf(IS_ERROR_KEY);
    if (isError !== -1 && IS_ERROR_TRUE.test(chunk.toString('latin1', isError, isError + 32))) this.toolError = true;
  };

  /**
   * The events of the exchange that just ended with `status`, `next` naming each; `exchange` is
   * what the pipeline knew of it (undefined when it answered before making one).
   */
  events(
    next: () => string,
    req: IncomingMessage,
    status: number,
    exchange:
      | {
          requestId: string;
          sessionId: string | undefined;
          restPath: string;
          clientAddress: string;
          attributes: Map<string, unknown>;
        }
      | undefined,
  ): AccessEvent[] {
    const identity = exchange?.attributes.get(IDENTITY_ATTRIBUTE) as Identity | undefined;
    const base: AccessEvent = {
      id: '',
      timeUnixMs: this.timeUnixMs,
      apiId: this.apiId,
      requestId: exchange?.requestId ?? '',
      sessionId: exchange?.sessionId ?? '',
      httpMethod: req.method ?? '',
      path: exchange?.restPath ?? '',
      httpStatus: status,
      mcpMethod: '',
      jsonrpcId: '',
      targetName: '',
      jsonrpcErrorCode: undefined,
      toolError: false,
      durationUs: Math.round((performance.now() - this.started) * 1000),
      upstreamLatencyUs: this.upstreamLatencyUs,
      bytesIn: this.requestBytes,
      bytesOut: Math.max(0, req.socket.bytesWritten - this.writtenBefore),
      clientId: identity?.clientId ?? '',
      clientName: identity?.clientName ?? '',
      principal: identity?.principal ?? '',
      userDomain: userDomain(identity),
      clientAddress: exchange?.clientAddress ?? '',
      userAgent: headerValue(req.headers, 'user-agent') ?? '',
      verdicts: this.verdicts ?? [],
      dlp: this.dlp ?? [],
      gatewayError: this.gatewayError,
      requestPayload: '',
      responsePayload: '',
      upstreamName: this.upstreamName,
      agent: this.agent,
    };
    const calls = this.calls;
    if (calls === undefined || calls.length === 0) return [{ ...base, id: next() }];
    const single = calls.length === 1;
    return calls.map((call) => {
      const jsonrpcId = call.id === undefined ? '' : JSON.stringify(call.id);
      return {
        ...base,
        id: next(),
        mcpMethod: call.method,
        jsonrpcId,
        requestPayload: this.requestPayloads?.get(jsonrpcId) ?? '',
        responsePayload: this.responsePayloads?.get(jsonrpcId) ?? '',
        targetName: call.target?.name ?? '',
        jsonrpcErrorCode: single ? this.errorCode : undefined,
        toolError: single && this.toolError,
      };
    });
  }
}

/** The domain of the user: of the token's `email` claim, else of a principal that is an address. */
function userDomain(identity: Identity | undefined): string {
  if (identity === undefined) return '';
  const email = identity.claims?.['email'];
  const address = typeof email === 'string' && email.includes('@') ? email : identity.principal;
  const at = address?.lastIndexOf('@') ?? -1;
  return at === -1 ? '' : address!.slice(at + 1).toLowerCase();
}
