import type { Scope } from './scopes.js';

export interface Grant {
  scope: string;
  organizationId: string;
  environmentId: string | null;
}

/** Who is calling: a user (login, password grant) or a connected app (client_credentials). */
export interface Principal {
  kind: 'user' | 'app';
  /** user id or connected-app id */
  id: string;
  /** the user's or app's own organization */
  organizationId: string;
  /** for a user: username; for an app: its client id */
  name: string;
  grants: Grant[];
  /**
   * every organization this principal may see: the home org and the orgs of organization-wide
   * grants, with their business groups, and the org of each environment-narrowed grant alone
   */
  visibleOrgIds: ReadonlySet<string>;
}

export interface ScopeCheck {
  scope: Scope;
  organizationId: string;
  environmentId?: string | null;
}
