import { Link } from 'react-router';
import { BusyButton } from './BusyButton';

/**
 * A form's buttons: Cancel when it has one (a button calling `onCancel`, or a link to `cancelTo`,
 * relative to the route's path), then its submit button, which submits nothing while the form is
 * `busy` (BusyButton).
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
      <BusyButton type="submit" className="primary" busy={props.busy}>
        {props.submit}
      </BusyButton>
    </div>
  );
}
