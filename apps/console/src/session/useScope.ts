import { useParams } from 'react-router';

/** The business group and environment of the current page (every Shell route has both). */
export function useScope(): { orgId: string; envId: string } {
  const { orgId, envId } = useParams();
  if (!orgId || !envId) throw new Error('useScope outside an organization/environment route');
  return { orgId, envId };
}
