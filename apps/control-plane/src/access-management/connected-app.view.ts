import { grantView } from './grant.view.js';

/** A connected application as Access Management lists it; the secret is never part of it. */
export function connectedAppView(app: {
  clientId: string;
  name: string;
  organizationId: string;
  grantTypes: string[];
  createdAt: Date;
  grants: { scope: string; organizationId: string; environmentId: string | null }[];
}) {
  return {
    client_id: app.clientId,
    client_name: app.name,
    org_id: app.organizationId,
    grant_types: app.grantTypes,
    redirect_uris: [],
    scopes: app.grants.map(grantView),
    created_at: app.createdAt.toISOString(),
  };
}
