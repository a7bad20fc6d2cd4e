/**
 * What the gateway requires of an upstream's answer to an MCP POST carrying requests, so that no
 * client waits for a response that will never come:
 * - a 2xx answer (but 202 Accepted and 204) must be JSON or an event stream; anything else is
 *   answered 502 (`upstream-invalid`) with a JSON-RPC error for the request's id;
 * - a JSON answer must be JSON-RPC messages, else 502; requests of a batch it leaves unanswered
 *   get errors added to it;
 * - an event stream is followed until it has carried a response to every request; if it ends,
 *   fails or is ended by a gateway shutdown before that, the stream is closed with one JSON-RPC
 *   error event per unanswered request, naming the cause (pipeline.ts).
 * Events that are not JSON-RPC are passed on untouched: they answer nothing.
 */
import { isResponse, validateMessage, type JsonRpcId } from '#portico/mcp-jsonrpc';

/** Statuses whose body is the answer to the requests: 2xx but 202 (answered elsewhere) and 204. */
export function answersRequests(status: number): boolean {
  return status >= 200 && status < 300 && status !== 202 && status !== 204;
}

/** The requests of one POST that have not been answered yet. */
export class AwaitedAnswers {
  private readonly waiting: JsonRpcId[];

  constructor(ids: readonly JsonRpcId[]) {
    this.waiting = ids.slice();
  }

  /** True once every request has its response. */
  get done(): boolean {
    return this.waiting.length === 0;
  }

  /** The requests without a response, in the order they were sent. */
  get unanswered(): readonly JsonRpcId[] {
    return this.waiting;
  }

  /** Records the responses in a parsed message or batch; false when `value` is not JSON-RPC. */
  see(value: unknown): boolean {
    if (!Array.isArray(value)) return this.seeOne(value);
    if (value.length === 0) return false;
    for (const message of value) if (!this.seeOne(message)) return false;
    return true;
  }

  private seeOne(value: unknown): boolean {
    const checked = validateMessage(value);
    if (!checked.ok) return false;
    const message = checked.message;
    if (isResponse(message) && message.id !== null) {
      const at = this.waiting.indexOf(message.id);
      if (at !== -1) this.waiting.splice(at, 1);
    }
    return true;
  }
}
