import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, call } from '../api/client';
import { messageOf } from '../api/errors';
import { session } from '../session/session';
import type { IssuedToken } from '../api/resources';

/** Username and password, as POST /accounts/login takes them; its error shows under the form. */
export function Login() {
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const issued = await call<IssuedToken>(
        api.POST('/accounts/login', {
          body: { username: String(form.get('username')), password: String(form.get('password')) },
        }),
      );
      session.start(issued.access_token, issued.expires_in);
      navigate(from, { replace: true });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h1 id="login-title">Sign in to Portico</h1>
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
