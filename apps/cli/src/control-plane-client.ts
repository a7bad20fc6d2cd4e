/**
 * Calls to the control plane's REST API. A failed call becomes one Error whose message is what
 * a person needs: the control plane's own `message`, or why it could not be reached.
 */

/** How long a call may take before the CLI gives up. */
const TIMEOUT_MS = 60_000;

/** `base` (the control plane's base URL, possibly with a path prefix) joined with `path`. */
export function controlPlaneUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}

/** POSTs `body` as JSON and resolves to the parsed JSON answer of a 2xx response. */
export async function postJson(base: string, path: string, body: unknown): Promise<unknown> {
  const url = controlPlaneUrl(base, path);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') {
      throw new Error(`the control plane at ${base} did not answer within ${TIMEOUT_MS / 1000} s`);
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`cannot reach the control plane at ${base}: ${cause}`);
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
    throw new Error(typeof message === 'string' && message ? message : `${url.pathname} answered HTTP ${res.status}`);
  }
  if (json === undefined) throw new Error(`${url.pathname} answered HTTP ${res.status} without a JSON body`);
  return json;
}
