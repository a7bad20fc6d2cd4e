/**
 * A Federation behind undici's dispatch(): what the pipeline's UpstreamCall sends to a pool goes
 * to the federation instead, and its answer comes back through the same handler calls a pool
 * makes (start, head, data with pause/resume, end or error). The pipeline cannot tell the
 * difference, which is the point: policies, relaying, limits and access logs work unchanged.
 */
import type { PassThrough } from 'node:stream';
import { Dispatcher } from 'undici';
import type { Federation } from './federation.js';

/**
 * The DispatchController a handler pauses, resumes and aborts the federation's answer with. As
 * with a pool, an abort ends in exactly one `onResponseError` (UpstreamCall settles on it), and
 * nothing reaches the handler after that.
 */
class Controller implements Dispatcher.DispatchController {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  /** The handler heard the end (or an error): nothing more goes to it. */
  finished = false;
  private readonly abortController = new AbortController();
  private waiting: (() => void) | undefined;

  constructor(private readonly handler: Dispatcher.DispatchHandler) {}

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.abortController.abort(reason);
    this.resume();
    queueMicrotask(() => this.fail(reason));
  }

  /** Ends the exchange with `err`, once. */
  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onResponseError?.(this, err);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** Resolves once the handler is ready for more (at once when it is not paused). */
  ready(): Promise<void> {
    return this.paused ? new Promise((resolve) => (this.waiting = resolve)) : Promise.resolve();
  }
}

/** No answer head within the request's headersTimeout: undici's own error for it, so it maps to a 504 alike. */
class HeadersTimeout extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
  constructor() {
    super('the federated endpoint did not answer in time');
  }
}

export class FederationDispatcher extends Dispatcher {
  constructor(private readonly federation: Federation) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new Controller(handler);
    handler.onRequestStart?.(controller, {});
    if (!controller.aborted) void this.run(options, handler, controller).catch((err: unknown) => controller.fail(asError(err)));
    return true;
  }

  private async run(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    controller: Controller,
  ): Promise<void> {
    const deadline =
      options.headersTimeout && options.headersTimeout > 0
        ? setTimeout(() => controller.abort(new HeadersTimeout()), options.headersTimeout)
        : undefined;
    let answer;
    try {
      answer = await this.federation.serve({
        method: options.method,
        path: options.path,
        headers: headerRecord(options.headers),
        body: await bodyOf(options.method, options.body),
        signal: controller.signal,
      });
    } catch (err) {
      return controller.fail(asError(err));
    } finally {
      clearTimeout(deadline);
    }
    if (controller.aborted) return;
    handler.onResponseStart?.(controller, answer.status, answer.headers, '');
    try {
      if (answer.events) {
        for await (const event of answer.events) {
          if (controller.aborted) return;
          handler.onResponseData?.(controller, Buffer.from(event));
          await controller.ready();
        }
      } else if (answer.body) {
        handler.onResponseData?.(controller, Buffer.from(answer.body));
      }
    } catch (err) {
      return controller.fail(asError(err));
    }
    if (controller.aborted || controller.finished) return;
    controller.finished = true;
    handler.onResponseEnd?.(controller, {});
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** undici's header forms (flat list, record or iterable) as a lower-case record. */
function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) record[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return record;
  }
  const entries = Symbol.iterator in headers ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers);
  for (const [name, value] of entries)
    if (value !== undefined) record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  return record;
}

/** The body of a POST (read and limited by the pipeline); any other method's is not read, and let go. */
async function bodyOf(method: string, body: Dispatcher.DispatchOptions['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (method !== 'POST') {
    if (typeof (body as PassThrough).destroy === 'function') (body as PassThrough).destroy();
    return undefined;
  }
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as PassThrough) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
