/**
 * One policy of the chain: its place, name, version and state (disabled, shadow mode), and what a
 * person can do to it: move it up or down (as the chain allows), edit its configuration, disable
 * or enable it, switch it between enforcing and shadow mode (denials only logged), and remove it
 * after confirming. Buttons stay focusable while a change is on its way (a press then does
 * nothing) and move buttons that cannot move are only aria-disabled, so the keyboard focus stays
 * on the button pressed (PolicyChain keeps it there when a move re-orders the items). Closing the
 * remove question (Keep it, Escape) or the edit form gives the focus back to Remove or Edit. A
 * failed action's message shows in the item.
 */
import { useId, useState } from 'react';
import type { AppliedPolicy, PolicyTemplate } from '../../api/resources';
import { useFocusBack } from '../../components/useFocusBack';
import { ErrorMessage } from '../../components/ErrorMessage';
import { EditPolicy } from './EditPolicy';
import { placeFailure } from './policy-errors';
import { hasParameters, type JsonSchema } from './policy-schema';
import { removePolicy, updatePolicy, useInstanceWrite } from './policy-writes';
import { BusyButton } from '../../components/BusyButton';

export function AppliedPolicyItem(props: {
  apiId: string;
  policy: AppliedPolicy;
  template: PolicyTemplate | undefined;
  canMoveUp: boolean;
  canMoveDown: boolean;
  onMove: (by: -1 | 1) => void;
}) {
  const { policy, template } = props;
  const name = template?.name ?? policy.assetId;
  const schema = template?.configuration as JsonSchema | undefined;
  const nameId = useId();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const editButton = useFocusBack(editing);
  const removeButton = useFocusBack(confirming);
  const update = useInstanceWrite(props.apiId, updatePolicy);
  const remove = useInstanceWrite(props.apiId, removePolicy);
  const shadow = policy.mode === 'shadow';
  const change = (changes: { disabled?: boolean; mode?: 'enforce' | 'shadow' }) =>
    !update.isPending && update.mutate({ id: policy.id, changes });

  return (
    <li className={policy.disabled ? 'applied-policy disabled' : 'applied-policy'} aria-labelledby={nameId}>
      <div className="applied-policy-head">
        <span id={nameId} className="applied-policy-name">
          {name}
        </span>
        <span className="muted">{policy.assetVersion}</span>
        {policy.disabled && <span className="badge warn">Disabled</span>}
        {shadow && <span className="badge shadow">Shadow</span>}
        <div className="applied-policy-actions" role="group" aria-label={`Actions on ${name}`}>
          <button type="button" aria-disabled={!props.canMoveUp} onClick={() => props.canMoveUp && props.onMove(-1)}>
            Move up
          </button>
          <button type="button" aria-disabled={!props.canMoveDown} onClick={() => props.canMoveDown && props.onMove(1)}>
            Move down
          </button>
          {hasParameters(schema) && (
            <button ref={editButton} type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
              Edit
            </button>
          )}
          <button type="button" onClick={() => change({ disabled: !policy.disabled })}>
            {policy.disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" onClick={() => change({ mode: shadow ? 'enforce' : 'shadow' })}>
            {shadow ? 'Switch to enforce' : 'Switch to shadow'}
          </button>
          <button
            ref={removeButton}
            type="button"
            className="danger"
            aria-expanded={confirming}
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        </div>
      </div>
      {shadow && <p className="hint">Shadow mode: the gateways only log and count what this policy would deny.</p>}
      {confirming && (
        <div
          className="policy-confirm"
          role="group"
          aria-label={`Remove ${name}`}
          onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}
        >
          <p>Remove {name} from this instance? The gateways stop applying it.</p>
          <button type="button" autoFocus onClick={() => setConfirming(false)}>
            Keep it
          </button>
          <BusyButton className="danger" busy={remove.isPending} onClick={() => remove.mutate(policy.id)}>
            Remove policy
          </BusyButton>
        </div>
      )}
      <ErrorMessage error={placeFailure(update.error ?? remove.error).message} />
      {editing && schema && (
        <EditPolicy apiId={props.apiId} policy={policy} name={name} schema={schema} onDone={() => setEditing(false)} />
      )}
    </li>
  );
}
