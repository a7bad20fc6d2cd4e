/**
 * The policy chain of an instance, in the order the gateways apply it, each policy with its
 * actions (AppliedPolicyItem). Moves follow the chain's order rules (policy-order.ts: MCP Support
 * stays first) and are sent as one reorder.
 */
import type { AppliedPolicy, PolicyTemplate } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { AppliedPolicyItem } from './AppliedPolicyItem';
import { placeFailure } from './policy-errors';
import { canMove, moveBody } from './policy-order';
import { reorderPolicies, useInstanceWrite } from './policy-writes';

export function PolicyChain(props: { apiId: string; chain: AppliedPolicy[]; templates: PolicyTemplate[] }) {
  const { chain } = props;
  const reorder = useInstanceWrite(props.apiId, reorderPolicies);
  if (chain.length === 0) return <p>No policy applied.</p>;
  return (
    <>
      <ErrorMessage error={placeFailure(reorder.error).message} />
      <ol className="policy-chain" aria-label="Policy chain" aria-busy={reorder.isPending}>
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
