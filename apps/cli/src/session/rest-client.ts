/**
 * Calls to the control plane's public REST API. A failed call is one CliError whose message is
 * what a person needs — the control plane's own `message`, or why it could not be reached — and
 * whose exit code says which kind of failure it was (see exit-codes.ts).
 */
import { CliError, EXIT } from '../exit-codes.js';

/** How long one call may take before the CLI gives up. */
const TIMEOUT_MS = 60_000;

/** A call the control plane answered with a non-2xx status. */
export class RestError extends CliError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
    authenticated: boolean,
  ) {
    super(status === 401 && authenticated ? EXIT.unauthenticated : EXIT.failed, message);
    this.name = 'RestError';
  }
}

/** `base` (the control plane's base URL, possibly with a path prefix) joined with `path`. */
export function controlPlaneUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}

export interface RequestOptions {
  /** a JSON body, or FormData sent as multipart */
  body?: unknown;
  headers?: Record<string, string>;
}

/** The control plane at `baseUrl`, called with `token` when one is given. */
export class RestClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  get<T = any>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>('POST', path, { body, headers });
  }

  patch<T = any>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /** Resolves to the parsed JSON answer of a 2xx response (undefined when it has no body). */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = controlPlaneUrl(this.baseUrl, path);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | FormData | undefined;
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new CliError(EXIT.unreachable, `the control plane at ${this.baseUrl} did not answer within ${TIMEOUT_MS / 1000} s`);
      }
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new CliError(EXIT.unreachable, `cannot reach the control plane at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message = (json as { message?: unknown } | undefined)?.message;
      const reason = typeof message === 'string' && message ? message : `answered HTTP ${res.status}`;
      const hint = res.status === 401 && this.token ? ' (run `portico login`)' : '';
      throw new RestError(res.status, method, url.pathname, `${reason}${hint}`, Boolean(this.token));
    }
    if (json === undefined && text) throw new CliError(EXIT.failed, `${method} ${url.pathname} answered a body that is not JSON`);
    return json as T;
  }
}
