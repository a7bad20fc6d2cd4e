/**
 * Permission scopes: the strings connected apps carry (contract §2.5) and the Anypoint UI names
 * they stand for. A `manage:` scope includes its `read:` twin; `admin:organization` (Portico's
 * "Organization Administrator") manages environments, users, connected apps and business groups.
 * `manage:apis` is the connected-app scope "Manage the APIs inside a specific environment": it
 * grants Manage APIs Configuration there (create, update, delete and read API instances), and
 * not their policies, deployments or contracts, which keep their own scopes.
 * `read:analytics` (access logs, analytics, the workflow graph) is Portico's: it lets a dashboard
 * or an auditor read traffic without the APIs' configuration. View APIs Configuration includes it,
 * as Anypoint Monitoring reads API metrics with that permission.
 * `read:audit_logs` is Anypoint's Audit Log Viewer: reading the organization's audit trail
 * (who changed what); Organization Administrators hold it.
 * The MCP gateway permissions (seed 003: "library installs, custom MCP creation, backend updates,
 * deletes, tool configuration, and agent configuration are controlled by separate scopes") imply
 * nothing and are implied by nothing: holding Manage APIs Configuration does not install from the
 * library, and holding Install Library MCP does not edit instances. Reading MCP backends and the
 * AI inventory needs View APIs Configuration, as reading instances does; the MCP library (public
 * servers' descriptions) is readable by anyone who sees the organization.
 */
export const SCOPES = {
  'read:api_configuration': 'View APIs Configuration',
  'manage:api_configuration': 'Manage APIs Configuration',
  'manage:apis': 'Manage APIs',
  'read:api_policies': 'View Policies',
  'manage:api_policies': 'Manage Policies',
  'manage:api_proxies': 'Deploy API Proxies',
  'read:api_contracts': 'View Contracts',
  'manage:api_contracts': 'Manage Contracts',
  'read:exchange': 'Exchange Viewer',
  'create:exchange': 'Exchange Contributor',
  'manage:exchange': 'Exchange Administrator',
  'read:servers': 'Read Servers',
  'manage:servers': 'Manage Servers',
  'read:orgenvironments': 'View Environment',
  'read:organization': 'View Organization',
  'read:client_applications': 'View Client Applications',
  'create:client_applications': 'Create Applications',
  'read:secret_groups': 'Read Secret Groups',
  'manage:secret_groups': 'Manage Secret Groups',
  'read:analytics': 'View Analytics',
  'read:audit_logs': 'Audit Log Viewer',
  'install:mcp_library': 'Install Library MCP',
  'create:custom_mcp': 'Create Custom MCP',
  'update:mcp_backends': 'Update MCP Backends',
  'delete:mcp_backends': 'Delete MCP Backends',
  'configure:mcp_tools': 'Configure MCP Tools',
  'configure:agents': 'Configure Agents',
  'approve:mcp_install_requests': 'Approve MCP Install Requests',
  'admin:organization': 'Organization Administrator',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/** Scopes that a held scope also grants. */
const IMPLIES: Partial<Record<Scope, Scope[]>> = {
  'read:api_configuration': ['read:analytics'],
  'manage:api_configuration': ['read:api_configuration', 'read:analytics'],
  'manage:apis': ['manage:api_configuration', 'read:api_configuration', 'read:analytics'],
  'manage:api_policies': ['read:api_policies'],
  'manage:api_contracts': ['read:api_contracts'],
  'create:exchange': ['read:exchange'],
  'manage:exchange': ['read:exchange', 'create:exchange'],
  'manage:servers': ['read:servers'],
  'create:client_applications': ['read:client_applications'],
  'manage:secret_groups': ['read:secret_groups'],
  'admin:organization': ['read:organization', 'read:orgenvironments', 'read:audit_logs'],
};

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** True when holding `held` grants `wanted`. */
export function scopeGrants(held: string, wanted: Scope): boolean {
  return held === wanted || (isScope(held) && (IMPLIES[held]?.includes(wanted) ?? false));
}

/** Accepts a scope string or its UI permission name ("Manage Policies"); undefined if neither. */
export function toScope(value: string): Scope | undefined {
  if (isScope(value)) return value;
  const lower = value.trim().toLowerCase();
  return ALL_SCOPES.find((s) => SCOPES[s].toLowerCase() === lower);
}
