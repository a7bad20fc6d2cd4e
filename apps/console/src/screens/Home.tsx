import { useQuery } from '@tanstack/react-query';
import { Navigate } from 'react-router';
import { messageOf } from '../api/errors';
import { lastScope } from '../session/last-scope';
import { environmentsOf, useMe } from '../session/queries';

/**
 * After sign-in: the business group and environment opened last (when still allowed), else the
 * user's organization and its first non-production environment.
 */
export function Home() {
  const me = useMe();
  const last = lastScope();
  const orgs = me.data?.user.memberOfOrganizations ?? [];
  const orgId = orgs.some((o) => o.id === last.orgId) ? last.orgId! : me.data?.user.organization.id;
  const environments = useQuery({
    queryKey: ['environments', orgId],
    queryFn: () => environmentsOf(orgId!),
    enabled: orgId !== undefined,
  });
  if (me.error ?? environments.error) return <p role="alert">{messageOf(me.error ?? environments.error)}</p>;
  const envs = environments.data?.data;
  if (!orgId || !envs) return <p aria-busy="true">Loading…</p>;
  const env = envs.find((e) => e.id === last.envId) ?? envs.find((e) => !e.isProduction) ?? envs[0];
  if (!env) return <p role="alert">This business group has no environment you may open.</p>;
  return <Navigate to={`/organizations/${orgId}/environments/${env.id}/apis`} replace />;
}
