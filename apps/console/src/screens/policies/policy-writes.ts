/**
 * Writes to an instance's policy chain (contract §6): apply, update (configuration, disabled,
 * mode), remove, reorder. `useInstanceWrite` runs one as a mutation and, once it succeeded,
 * refreshes everything read under the instance (its chain, deployment status and tools), since a
 * policy change is rolled out again and may change what clients see.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { PolicyTemplate } from '../../api/resources';
import { useScope } from '../../session/useScope';
import { apisKey } from '../apis/queries';

export interface InstanceRef {
  orgId: string;
  envId: string;
  apiId: number;
}

export function useInstanceWrite<V>(
  apiId: string,
  write: (ref: InstanceRef, variables: V) => Promise<unknown>,
  onDone?: () => void,
) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => write({ orgId, envId, apiId: Number(apiId) }, variables),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: [...apisKey(orgId, envId), apiId] });
      onDone?.();
    },
  });
}

const POLICIES = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies';
const POLICY = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies/{policyId}';

export interface Application {
  template: PolicyTemplate;
  configurationData: Record<string, unknown>;
  /** Apply a second policy of a template the instance already has. */
  allowDuplicated?: boolean;
}

export function applyPolicy(path: InstanceRef, { template, configurationData, allowDuplicated }: Application) {
  return call(
    api.POST(POLICIES, {
      params: { path, query: allowDuplicated ? { allowDuplicated: 'true' } : {} },
      body: { groupId: template.groupId, assetId: template.assetId, assetVersion: template.assetVersion, configurationData },
    }),
  );
}

export interface PolicyUpdate {
  id: number;
  changes: { configurationData?: Record<string, unknown>; disabled?: boolean; mode?: 'enforce' | 'shadow' };
}

export function updatePolicy(path: InstanceRef, { id, changes }: PolicyUpdate) {
  return call(api.PATCH(POLICY, { params: { path: { ...path, policyId: id } }, body: changes }));
}

export function removePolicy(path: InstanceRef, id: number) {
  return call(api.DELETE(POLICY, { params: { path: { ...path, policyId: id } } }));
}

/** Listed policies take their 1-based orders; the others keep their relative order. */
export function reorderPolicies(path: InstanceRef, moves: { id: number; order: number }[]) {
  return call(api.PATCH(POLICIES, { params: { path }, body: moves }));
}
