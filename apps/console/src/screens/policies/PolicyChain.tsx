/**
 * The policy chain of an instance, in the order the gateways apply it, each policy with its
 * actions (AppliedPolicyItem). Moves follow the chain's order rules (policy-order.ts: MCP Support
 * stays first) and are sent as one reorder.
 *
 * The keyboard focus stays in the chain as it changes: React moves a policy's element to its new
 * place, which takes the focus off the button pressed (Move down), so it is put back there; a
 * removed policy takes its buttons with it, so the focus goes to the chain (or to "No policy
 * applied"). Either only when nothing else has the focus.
 */
import { useLayoutEffect, useRef } from 'react';
import type { AppliedPolicy, PolicyTemplate } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { AppliedPolicyItem } from './AppliedPolicyItem';
import { placeFailure } from './policy-errors';
import { canMove, moveBody } from './policy-order';
import { reorderPolicies, useInstanceWrite } from './policy-writes';
import { focusIsLost } from '../../components/useFocusBack';

export function PolicyChain(props: { apiId: string; chain: AppliedPolicy[]; templates: PolicyTemplate[] }) {
  const { chain } = props;
  const reorder = useInstanceWrite(props.apiId, reorderPolicies);
  const list = useRef<HTMLElement | null>(null);
  const keep = (node: HTMLElement | null) => {
    list.current = node;
  };
  /** What last had the focus in the chain, until the focus leaves the chain. */
  const focused = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    const last = focused.current;
    if (!last || !focusIsLost()) return;
    (last.isConnected ? last : list.current)?.focus();
  });

  if (chain.length === 0)
    return (
      <p ref={keep} tabIndex={-1}>
        No policy applied.
      </p>
    );
  return (
    <>
      <ErrorMessage error={placeFailure(reorder.error).message} />
      <ol
        ref={keep}
        tabIndex={-1}
        className="policy-chain"
        aria-label="Policy chain"
        aria-busy={reorder.isPending}
        onFocus={(e) => {
          focused.current = e.target;
        }}
        onBlur={(e) => {
          // forgotten when the focus went elsewhere: to another element, or to nothing (a click on
          // the page) while this element stays; kept when React took it out of the page
          const left = e.relatedTarget ? !e.currentTarget.contains(e.relatedTarget) : e.target.isConnected;
          if (left) focused.current = null;
        }}
      >
        {chain.map((policy, index) => (
          <AppliedPolicyItem
            key={policy.id}
            apiId={props.apiId}
            policy={policy}
            template={props.templates.find((t) => t.assetId === policy.assetId)}
            canMoveUp={canMove(chain, index, -1)}
            canMoveDown={canMove(chain, index, 1)}
            onMove={(by) => !reorder.isPending && reorder.mutate(moveBody(chain, index, by))}
          />
        ))}
      </ol>
    </>
  );
}
