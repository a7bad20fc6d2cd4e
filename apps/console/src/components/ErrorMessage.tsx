import { messageOf } from '../api/errors';

/** A failed request's message (never its raw body), announced to assistive technology. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {messageOf(error)}
    </p>
  );
}
