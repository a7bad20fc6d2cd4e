/**
 * Rules an API instance must satisfy as a whole, checked on create (inside the body schema) and
 * on update (over the merged result), so both answer with the same field path and message.
 */
import type { ErrorDetail } from '../common/domain-error.js';
import { validationError } from '../common/validation.js';

/** Seed 000: "MCP server upstream URL … must end with a /". The gateway appends the rest of the path. */
export const MCP_UPSTREAM_SLASH =
  'must end with "/" for an MCP server: a request to <base path>/<rest> is forwarded to <upstream URL><rest>';

export function violatesMcpUpstream(endpointType: string | null | undefined, uri: string | null | undefined): boolean {
  return endpointType === 'mcp' && typeof uri === 'string' && !uri.endsWith('/');
}

/** Throws 400 naming `path` (the upstream's place in the body) when an MCP server's upstream URI lacks its "/". */
export function assertMcpUpstream(
  endpointType: string | null | undefined,
  uri: string | undefined,
  path: (string | number)[],
): void {
  if (violatesMcpUpstream(endpointType, uri))
    throw bodyValidationError([{ path: [...path, 'uri'], message: MCP_UPSTREAM_SLASH }]);
}

export interface RuleSubject {
  technology: string;
  endpoint: { type?: string | null; uri?: string | null; isCloudHub?: boolean | null };
  routing: { upstreams: { uri?: string | null }[] }[];
}

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

export function instanceRuleIssues(subject: RuleSubject): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const { technology, endpoint, routing } = subject;
  if (technology === 'flexGateway' && endpoint.isCloudHub === false) {
    issues.push({ path: ['endpoint', 'isCloudHub'], message: 'must be null for technology flexGateway (false is not allowed)' });
  }
  if (routing.length && technology !== 'flexGateway') {
    issues.push({ path: ['routing'], message: `is only supported for technology flexGateway, not ${technology}` });
  }
  if (violatesMcpUpstream(endpoint.type, endpoint.uri)) issues.push({ path: ['endpoint', 'uri'], message: MCP_UPSTREAM_SLASH });
  if (endpoint.type === 'mcp') {
    routing.forEach((route, i) => {
      if (route.upstreams.length !== 1)
        issues.push({ path: ['routing', i, 'upstreams'], message: 'must hold exactly one upstream for an MCP server' });
      route.upstreams.forEach((u, j) => {
        if (violatesMcpUpstream('mcp', u.uri))
          issues.push({ path: ['routing', i, 'upstreams', j, 'uri'], message: MCP_UPSTREAM_SLASH });
      });
    });
  }
  return issues;
}

/** 400 VALIDATION_FAILED for issues found outside a zod schema (paths are relative to the body). */
export function bodyValidationError(issues: RuleIssue[]) {
  const details: ErrorDetail[] = issues.map((i) => ({
    path: `/body/${i.path.join('/')}`,
    message: i.message,
    errorCode: 'custom.validation',
  }));
  return validationError(details);
}

/** `v<major>.<minor>` of an asset version (`1.2.3` → `v1.2`); autodiscoveryInstanceName is `<productVersion>:<id>`. */
export function productVersionOf(assetVersion: string): string {
  const match = /^v?(\d+)(?:\.(\d+))?/.exec(assetVersion);
  return match ? `v${match[1]}.${match[2] ?? '0'}` : `v${assetVersion}`;
}
