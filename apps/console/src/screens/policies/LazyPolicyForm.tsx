/** The policy form, whose JSON-Schema form library is loaded only when a policy with parameters is configured. */
import { lazy, Suspense } from 'react';
import type { PolicyFormProps } from './PolicyForm';

const PolicyForm = lazy(() => import('./PolicyForm'));

export function LazyPolicyForm(props: PolicyFormProps) {
  return (
    <Suspense fallback={<p aria-busy="true">Loading the form…</p>}>
      <PolicyForm {...props} />
    </Suspense>
  );
}
