/**
 * The console's REST client: openapi-fetch typed by `generated/schema.d.ts`, which is generated
 * from the control plane's OpenAPI document at every build (paths, parameters and bodies are
 * checked against it). Every call carries the session's bearer token; a 401 ends the session.
 * `call` turns the result into data or a thrown ApiError.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { session } from '../session/session';
import { ApiError, type ErrorBody } from './errors';
import type { paths } from './generated/schema';

export const api = createClient<paths>({ baseUrl: window.location.origin });

const bearer: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // A 401 ends the session when it answers the current token (or there is none any more, past
    // its expiry); a late answer to a request sent with an earlier token (a poll from before a new
    // sign-in) must not sign the new session out.
    const token = session.token();
    if (response.status === 401 && (!token || request.headers.get('authorization') === `Bearer ${token}`)) session.expire();
    return response;
  },
};
api.use(bearer);

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The data of a finished call, typed as `T` (the caller names the answer: resources.ts derives
 * those names from the document), or an ApiError.
 */
export async function call<T>(pending: Promise<FetchResult>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw new ApiError(response.status, (error ?? undefined) as ErrorBody | undefined);
  return data as T;
}
