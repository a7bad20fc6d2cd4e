import { Link } from 'react-router';

/**
 * A form's buttons: Cancel when it has one (a button calling `onCancel`, or a link to `cancelTo`,
 * relative to the route's path), then its submit button, which submits nothing while the form is
 * `busy`. It is aria-disabled then, not disabled: disabling the button just pressed would drop the
 * keyboard focus. Cancelling its click also stops Enter's implicit submission, which clicks it.
 */
export function FormActions(props: { submit: string; busy: boolean; onCancel?: () => void; cancelTo?: string }) {
  return (
    <div className="actions">
      {props.onCancel && (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
      {props.cancelTo !== undefined && (
        <Link to={props.cancelTo} relative="path" className="button">
          Cancel
        </Link>
      )}
      <button type="submit" className="primary" aria-disabled={props.busy} onClick={(e) => props.busy && e.preventDefault()}>
        {props.submit}
      </button>
    </div>
  );
}
