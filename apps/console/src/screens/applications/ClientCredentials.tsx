/** An application's client id and the client secret its creation or reset answered, shown once. */
import type { ApplicationWithSecret as Credentials } from '../../api/resources';
import { CopyableValue, ShownOnce } from '../../components/ShownOnce';

export function ClientCredentials(props: { application: Credentials; onDone: () => void }) {
  return (
    <ShownOnce title={`Client credentials of ${props.application.name}`} onDone={props.onDone}>
      <CopyableValue label="Client id" value={props.application.clientId} />
      <CopyableValue label="Client secret" value={props.application.clientSecret} />
    </ShownOnce>
  );
}
