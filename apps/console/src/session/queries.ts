/** Who is signed in and where they may go: /accounts/api/me and an organization's environments. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { EnvironmentList, Me } from '../api/resources';

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => call<Me>(api.GET('/accounts/api/me')), staleTime: 60_000 });
}

export function environmentsOf(orgId: string) {
  return call<EnvironmentList>(api.GET('/accounts/api/organizations/{orgId}/environments', { params: { path: { orgId } } }));
}

export function useEnvironments(orgId: string) {
  return useQuery({ queryKey: ['environments', orgId], queryFn: () => environmentsOf(orgId), staleTime: 60_000 });
}
