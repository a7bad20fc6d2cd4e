/**
 * Values the control plane answers once (a client secret, an API key, a gateway registration
 * token) and never again: shown in a panel that says so, each with a Copy button, until the user
 * closes it. Nothing here keeps the value anywhere but the component's state.
 */
import { type ReactNode, type RefObject, useRef, useState } from 'react';
import './shown-once.css';

/**
 * Copies `value` to the clipboard; where the page may not write it (a plain-http origin other
 * than localhost), selects `fallback`'s text instead so Ctrl+C copies it.
 */
export function CopyButton(props: { value: string; label: string; fallback: RefObject<HTMLElement | null> }) {
  const [said, setSaid] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setSaid('Copied');
    } catch {
      const node = props.fallback.current;
      if (node) window.getSelection()?.selectAllChildren(node);
      setSaid('Selected: press Ctrl+C to copy');
    }
  }
  return (
    <span className="copy">
      <button type="button" aria-label={props.label} onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" className="muted">
        {said}
      </span>
    </span>
  );
}

/** One value, labelled, in a code block with its Copy button. */
export function CopyableValue(props: { label: string; value: string }) {
  const code = useRef<HTMLElement>(null);
  return (
    <div className="copyable">
      <span className="copyable-label">{props.label}</span>
      <pre>
        <code ref={code} aria-label={props.label}>
          {props.value}
        </code>
      </pre>
      <CopyButton value={props.value} label={`Copy ${props.label}`} fallback={code} />
    </div>
  );
}

/** The panel around values shown once: the warning, the values, and Done (which forgets them). */
export function ShownOnce(props: { title: string; children: ReactNode; onDone: () => void }) {
  return (
    <section className="panel shown-once" aria-label={props.title}>
      <h2>{props.title}</h2>
      <p className="banner" role="status">
        Copy it now: it is shown this once and cannot be displayed again.
      </p>
      {props.children}
      <div className="actions">
        <button type="button" className="primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
