/**
 * A button for an action that cannot be undone (revoke, reset a secret): the first press asks,
 * a second press on "Confirm …" does it, Cancel (or Escape) backs out. Keyboard usable, no dialog.
 */
import { useState } from 'react';

export function ConfirmButton(props: { label: string; what: string; busy?: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" aria-label={`${props.label} ${props.what}`} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span className="confirm" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <button
        type="button"
        className="primary"
        // The question replaces the button that was pressed: keep the focus on it.
        autoFocus
        disabled={props.busy}
        aria-label={`Confirm: ${props.label.toLowerCase()} ${props.what}`}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        Confirm {props.label.toLowerCase()}
      </button>{' '}
      <button type="button" aria-label={`Do not ${props.label.toLowerCase()} ${props.what}`} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
