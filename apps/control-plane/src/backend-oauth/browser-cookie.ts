/**
 * The cookie that ties a consent flow to the one browser its user follows it in: set when the
 * consent page's button is pressed (the first browser to press it owns the flow), required by
 * the sign-in callback and by the backend's callback, so neither a sign-in callback URL nor a
 * backend authorization URL handed to someone else's browser connects anything. One cookie per
 * flow (named after its state's hash), a fresh random value each time, kept by the flow as its
 * SHA-256. HttpOnly, SameSite=Lax (the callbacks are top-level redirects from other sites), on
 * Portico's OAuth routes only (under the public URL's path), Secure over https.
 */
import { parseCookie, stringifySetCookie } from 'cookie';
import { randomToken } from '../common/secrets.js';

const VALUE = /^[A-Za-z0-9_-]{43}$/;

const nameOf = (stateSha256: string) => `portico_oauth_${stateSha256.slice(0, 16)}`;

/** The flow's browser value in a Cookie header, when it holds a well-formed one. */
export function browserOf(cookieHeader: string | undefined, stateSha256: string): string | undefined {
  const value = cookieHeader ? parseCookie(cookieHeader)[nameOf(stateSha256)] : undefined;
  return value !== undefined && VALUE.test(value) ? value : undefined;
}

/**
 * A new browser value for the flow of `stateSha256`, and the Set-Cookie header that gives it, for
 * `maxAgeSeconds`, on the OAuth routes next to `callbackUrl`.
 */
export function newBrowserCookie(stateSha256: string, callbackUrl: string, maxAgeSeconds: number) {
  const url = new URL(callbackUrl);
  const value = randomToken();
  const header = stringifySetCookie({
    name: nameOf(stateSha256),
    value,
    httpOnly: true,
    sameSite: 'lax',
    secure: url.protocol === 'https:',
    path: url.pathname.slice(0, url.pathname.lastIndexOf('/')),
    maxAge: maxAgeSeconds,
  });
  return { value, header };
}
