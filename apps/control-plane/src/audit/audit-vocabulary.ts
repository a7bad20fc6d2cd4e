/**
 * What the audit trail names: the types of resource a change can touch, with the Anypoint product
 * ("platform" in the Audit Log Query API) each belongs to, and the actions. A code here is API
 * (stored in records and used as query filters): add, never rename.
 */

/** Resource type → the product it belongs to. */
export const AUDIT_RESOURCE_TYPES = {
  organization: 'Access Management',
  environment: 'Access Management',
  user: 'Access Management',
  'connected-application': 'Access Management',
  'api-instance': 'API Manager',
  upstream: 'API Manager',
  deployment: 'API Manager',
  policy: 'API Manager',
  'api-key': 'API Manager',
  'oauth-connection': 'API Manager',
  'sla-tier': 'API Manager',
  contract: 'API Manager',
  'tool-pin': 'API Manager',
  'tool-change': 'API Manager',
  'mcp-library-entry': 'API Manager',
  'mcp-install-request': 'API Manager',
  alert: 'API Manager',
  agent: 'API Manager',
  'agent-mapping': 'API Manager',
  'client-application': 'Exchange',
  'exchange-asset': 'Exchange',
  'secret-group': 'Secrets Manager',
  'tls-context': 'Secrets Manager',
  gateway: 'Runtime Manager',
  'registration-token': 'Runtime Manager',
  'gateway-certificate': 'Runtime Manager',
} as const;

export type AuditResourceType = keyof typeof AUDIT_RESOURCE_TYPES;
export type AuditPlatform = (typeof AUDIT_RESOURCE_TYPES)[AuditResourceType];

export const AUDIT_RESOURCE_TYPE_NAMES = Object.keys(AUDIT_RESOURCE_TYPES) as [AuditResourceType, ...AuditResourceType[]];
export const AUDIT_PLATFORMS = [...new Set(Object.values(AUDIT_RESOURCE_TYPES))] as [AuditPlatform, ...AuditPlatform[]];

/**
 * create | update | delete, and the domain verbs: deploy/undeploy (deployments), enable/disable
 * and reorder (policies), approve/reject/revoke (contracts, tool changes, API keys, gateway
 * certificates), rotate (a client secret), register (a gateway trading its registration token),
 * lock (login and the token endpoint refusing an account after failed attempts).
 */
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'deploy',
  'undeploy',
  'enable',
  'disable',
  'reorder',
  'approve',
  'reject',
  'revoke',
  'rotate',
  'register',
  'lock',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who made a change: `id` is a user's id or a connected application's client id. */
export interface AuditActor {
  type: 'user' | 'connected-app';
  id: string;
  /** the username, or the connected application's name */
  name: string;
}
