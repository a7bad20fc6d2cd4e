/**
 * The signed-in session: the bearer token from /accounts/login, kept in sessionStorage (one tab's
 * life, never a cookie the API would take from other sites) with its expiry, past which `token()`
 * answers none. `expire` (sign-out, or a 401 to the token) clears it and tells the app, which
 * shows the login page; `start` and `expire` both tell the subscribers.
 */
const KEY = 'portico.session';

interface Stored {
  token: string;
  expiresAt: number;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function read(): Stored | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  const stored = JSON.parse(raw) as Stored;
  return stored.expiresAt > Date.now() ? stored : undefined;
}

export const session = {
  token(): string | undefined {
    return read()?.token;
  },
  start(token: string, expiresInSeconds: number): void {
    sessionStorage.setItem(KEY, JSON.stringify({ token, expiresAt: Date.now() + expiresInSeconds * 1000 }));
    listeners.forEach((l) => l());
  },
  expire(): void {
    sessionStorage.removeItem(KEY);
    listeners.forEach((l) => l());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
