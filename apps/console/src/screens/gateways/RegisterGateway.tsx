/**
 * Add a gateway: name it, mint a one-time registration token for this environment, and copy the
 * commands that register it and run it (registration-commands.ts). The token lives only in this
 * component's state: it is shown once, and Done forgets it.
 */
import { type FormEvent, useState } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { formatTime } from '../../components/format';
import { useScope } from '../../session/useScope';
import { CopyableValue, ShownOnce } from '../../components/ShownOnce';
import { useMintRegistrationToken } from './queries';
import { GATEWAY_NAME, GATEWAY_NAME_RULE, registrationCommands } from './registration-commands';

export function RegisterGateway(props: { takenNames: readonly string[]; onDone: () => void }) {
  const { orgId, envId } = useScope();
  const mint = useMintRegistrationToken(orgId, envId);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>();

  function check(value: string): string | undefined {
    if (!GATEWAY_NAME.test(value)) return `The name must be ${GATEWAY_NAME_RULE}`;
    if (props.takenNames.includes(value)) return `A gateway named ${value} already exists in this environment`;
    return undefined;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const problem = check(name);
    setNameError(problem);
    if (!problem) mint.mutate();
  }

  const token = mint.data?.registrationToken;
  const nameField = (
    <Field label="Gateway name" hint="Unique in this environment; a registered name is never reused." error={nameError}>
      {(ids) => (
        <input
          {...ids}
          value={name}
          autoComplete="off"
          onChange={(e) => {
            setName(e.target.value);
            if (token) setNameError(check(e.target.value));
          }}
        />
      )}
    </Field>
  );

  if (token) {
    return (
      <ShownOnce title="Register the gateway" onDone={props.onDone}>
        {nameField}
        <p>
          The registration token registers one gateway, until {formatTime(mint.data?.expiresAt)}. On the machine that will run the
          gateway, in a build of Portico, register it and start it; run the second command again for each more replica.
        </p>
        {!nameError && (
          <CopyableValue
            label="Registration commands"
            value={registrationCommands(token, window.location.origin, name).join('\n')}
          />
        )}
        <CopyableValue label="Registration token" value={token} />
      </ShownOnce>
    );
  }
  return (
    <form className="panel" aria-labelledby="add-gateway-title" onSubmit={submit} noValidate>
      <h2 id="add-gateway-title">Add a gateway</h2>
      {nameField}
      <ErrorMessage error={mint.error} />
      <FormActions onCancel={props.onDone} busy={mint.isPending} submit="Create registration token" />
    </form>
  );
}
