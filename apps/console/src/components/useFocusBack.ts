import { useLayoutEffect, useRef } from 'react';

/** Whether nothing has the keyboard focus: it fell to the page when what held it left. */
export const focusIsLost = () => !document.activeElement || document.activeElement === document.body;

/**
 * The ref for the button that opens something (a question, a form): the focus goes back to that
 * button when `open` turns false and what held the focus has left the page (not when the person
 * has moved it elsewhere meanwhile).
 */
export function useFocusBack(open: boolean) {
  const opener = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  useLayoutEffect(() => {
    if (open) opened.current = true;
    else if (opened.current) {
      opened.current = false;
      if (!focusIsLost()) return;
      opener.current?.focus();
    }
  }, [open]);
  return opener;
}
