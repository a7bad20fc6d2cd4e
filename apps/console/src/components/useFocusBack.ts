import { useLayoutEffect, useRef } from 'react';

/**
 * The ref for the button that opens something (a question, a form): the focus goes back to that
 * button when `open` turns false, as what held the focus has then left the page.
 */
export function useFocusBack(open: boolean) {
  const opener = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  useLayoutEffect(() => {
    if (open) opened.current = true;
    else if (opened.current) {
      opened.current = false;
      opener.current?.focus();
    }
  }, [open]);
  return opener;
}
