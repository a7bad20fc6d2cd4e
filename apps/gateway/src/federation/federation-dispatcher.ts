/**
 * A Federation behind undici's dispatch(): what the pipeline's UpstreamCall sends to a pool goes
 * to the federation instead, and its answer comes back through the same handler calls a pool
 * makes (start, head, data with pause/resume, end or error). The pipeline cannot tell the
 * difference, which is the point: policies, relaying, limits and access logs work unchanged.
 */
import type { PassThrough } from 'node:stream';
import { Dispatcher } from 'undici';
import type { Federation } from './federation.js';

/** The DispatchController a handler pauses, resumes and aborts the federation's answer with. */
class Controller implements Dispatcher.DispatchController {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  private readonly abortController = new AbortController();
  private waiting: (() => void) | undefined;

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.abortController.abort(reason);
    this.resume();
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

export class FederationDispatcher extends Dispatcher {
  constructor(private readonly federation: Federation) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new Controller();
    handler.onRequestStart?.(controller, {});
    if (!controller.aborted) void this.run(options, handler, controller);
    return true;
  }

  private async run(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    controller: Controller,
  ): Promise<void> {
    try {
      const answer = await this.federation.serve({
        method: options.method,
        path: options.path,
        headers: headerRecord(options.headers),
        body: await bodyOf(options.body),
        signal: controller.signal,
      });
      if (controller.aborted) return;
      handler.onResponseStart?.(controller, answer.status, answer.headers, '');
      if (answer.events) {
        for await (const event of answer.events) {
          if (controller.aborted) return;
          handler.onResponseData?.(controller, Buffer.from(event));
          await controller.ready();
        }
      } else if (answer.body) {
        handler.onResponseData?.(controller, Buffer.from(answer.body));
      }
      if (!controller.aborted) handler.onResponseEnd?.(controller, {});
    } catch (err) {
      if (!controller.aborted) handler.onResponseError?.(controller, err instanceof Error ? err : new Error(String(err)));
    }
  }
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

async function bodyOf(body: Dispatcher.DispatchOptions['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as PassThrough) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
