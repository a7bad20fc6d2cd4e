/**
 * The cookie that ties a consent flow to the browser its user signed in with: set when the
 * sign-in proves the user, required by the backend's callback, so a backend authorization URL
 * handed to someone else's browser connects nothing. One random value per browser (several flows
 * of one browser share it); the flow keeps its SHA-256. HttpOnly, SameSite=Lax (the callback is a
 * top-level redirect from another site), only on Portico's OAuth routes, Secure over https.
 */
import { parseCookie, stringifySetCookie } from 'cookie';

const NAME = 'portico_oauth_browser';
const PATH = '/mcpgateway/api/v1/oauth';
const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The browser value of a Cookie header, when it holds a well-formed one. */
export function browserOf(cookieHeader: string | undefined): string | undefined {
  const value = cookieHeader ? parseCookie(cookieHeader)[NAME] : undefined;
  return value !== undefined && VALUE.test(value) ? value : undefined;
}

/** The Set-Cookie header that gives the browser `value` for `maxAgeSeconds`. */
export function browserCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return stringifySetCookie({ name: NAME, value, httpOnly: true, sameSite: 'lax', secure, path: PATH, maxAge: maxAgeSeconds });
}
