/**
 * A button for an action that cannot be undone (revoke, reset a secret): the first press asks,
 * a second press on "Confirm …" does it, Cancel (or Escape) backs out. Keyboard usable, no dialog.
 *
 * The focus never falls to the page: the question takes it from the button, and gives it back to
 * the button when it closes (Confirm, Cancel, Escape). While `busy` its buttons do nothing and
 * keep the focus (BusyButton). When the action takes the button away while it has the focus (a
 * revoked key's row has no Revoke any more, a deleted agent's page is left), the focus goes to the
 * row it was in if that row remains (it says what the action did), else to the page's heading
 * (the page the action led to).
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { BusyButton } from './BusyButton';
import { focusIsLost, useFocusBack } from './useFocusBack';

export function ConfirmButton(props: { label: string; what: string; busy?: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  const root = useRef<HTMLSpanElement>(null);
  const opener = useFocusBack(asking);

  useLayoutEffect(() => {
    const self = root.current;
    // Runs before React takes the elements out of the page: whether the focus is here is still known.
    return () => {
      if (self?.contains(document.activeElement)) handFocusOn(self.closest('tr'));
    };
  }, []);

  return (
    <span ref={root}>
      {asking ? (
        <span className="confirm" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
          <BusyButton
            className="primary"
            // The question replaces the button that was pressed: keep the focus on it.
            autoFocus
            busy={props.busy}
            aria-label={`Confirm: ${props.label.toLowerCase()} ${props.what}`}
            onClick={() => {
              setAsking(false);
              props.onConfirm();
            }}
          >
            Confirm {props.label.toLowerCase()}
          </BusyButton>{' '}
          <button type="button" aria-label={`Do not ${props.label.toLowerCase()} ${props.what}`} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <BusyButton ref={opener} busy={props.busy} aria-label={`${props.label} ${props.what}`} onClick={() => setAsking(true)}>
          {props.label}
        </BusyButton>
      )}
    </span>
  );
}

/**
 * Once React has finished changing the page, and only if nothing has the focus: focuses `row` if
 * it is still on the page, else the page's heading (made focusable by script only).
 */
function handFocusOn(row: HTMLElement | null) {
  queueMicrotask(() => {
    if (!focusIsLost()) return;
    const target = row?.isConnected ? row : document.querySelector<HTMLElement>('main h1');
    if (!target) return;
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  });
}
