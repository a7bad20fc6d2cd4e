import type { ComponentProps } from 'react';

/**
 * A button that does nothing while `busy` (its action on its way). It is aria-disabled then, not
 * disabled: disabling the button just pressed would drop the keyboard focus. Its click is cancelled
 * too, which also stops a submit button's submission (Enter's implicit submission clicks it).
 */
export function BusyButton({
  busy,
  onClick,
  type = 'button',
  ...props
}: ComponentProps<'button'> & { busy: boolean | undefined }) {
  return (
    <button
      {...props}
      type={type}
      aria-disabled={busy}
      onClick={(event) => {
        if (busy) event.preventDefault();
        else onClick?.(event);
      }}
    />
  );
}
