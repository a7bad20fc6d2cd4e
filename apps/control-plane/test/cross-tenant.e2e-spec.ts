/**
 * Cross-tenant matrix (issue 12): tenant B's admin calls every REST route the control plane
 * registers with tenant A's ids and is refused — 401/403/404, never a 2xx or a 5xx, never an
 * answer holding one of A's ids it did not send — and neither tenant's stored data changes.
 *
 * The routes come from Fastify's route table (support/route-table.ts), so a new route is in the
 * matrix the day it is added; one with a path parameter this spec cannot fill fails it until the
 * parameter is added to PARAMS, and one without path parameters until UNSCOPED says how it is
 * checked.
 *
 * For a route with parameters p1…pn, B sends its own p1…pk and A's pk+1…pn, for each k
 * (k = 0: A's organization; k = 1: A's environment in B's organization; …; A's policy on B's own
 * API). Writes carry a minimal valid body (INPUTS). A body or query that refers to other resources
 * (a deployment's target, a contract's application, an upstream's TLS context) is also sent on
 * B's own path with A's references; a 400 that names the reference is a refusal too.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import type { ApiResponse, RequestOptions } from './support/control-plane.js';
import { uniqueName } from './support/factories.js';
import { useControlPlane } from './support/harness.js';
import { fillPath, registeredRoutes, type RegisteredRoute } from './support/route-table.js';
import { PATH_PARAMS, populateTenant, type TenantResources } from './support/tenant-resources.js';
import { changedTables, tenantSnapshot } from './support/tenant-snapshot.js';

type Id = string | number;
/** The value of each parameter (or body reference) name in one request. */
type Ids = (name: string) => Id;

/** Where a path parameter, or a reference in a body, takes its value in a populated tenant. */
const PARAMS: Record<string, (r: TenantResources) => Id> = PATH_PARAMS;

/**
 * Parameters that name something within the parameter before them (an asset within its group, a
 * file within its version, a tool within its API), not across tenants: B's group with A's asset
 * name is B's own asset of that name. They follow the owner of the parameter before them.
 */
const NAMED_WITHIN_PARENT = new Set([
  'assetId',
  'version',
  'classifier',
  'packaging',
  'fileName',
  'pagePath',
  'resourceId',
  'toolName',
]);

/** The built-in policy catalog every organization reads (no tenant owns it). */
const CATALOG_TEMPLATE = { groupId: POLICY_GROUP_ID, assetId: 'rate-limiting', assetVersion: '1.4.1' };
/** Read from the running catalog before the matrix runs. */
let catalogTemplateId: string;

/** Routes whose parameters name something else than PARAMS says, by path. */
const ROUTE_PARAMS: Record<string, Record<string, (r: TenantResources) => Id>> = {
  '/apimanager/xapi/v1/organizations/:orgId/exchange-policy-templates/:groupId/:assetId/:assetVersion': {
    groupId: () => CATALOG_TEMPLATE.groupId,
    assetId: () => CATALOG_TEMPLATE.assetId,
    assetVersion: () => CATALOG_TEMPLATE.assetVersion,
  },
  '/apimanager/api/v1/organizations/:orgId/policy-templates/:policyTemplateId': { policyTemplateId: () => catalogTemplateId },
  '/exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version/mutabledata/status/:runId': {
    runId: (r) => r.mutableDataRunId,
  },
  '/monitoring/api/alerts/api/v2/organizations/:orgId/environments/:envId/alerts/:alertId': {
    alertId: (r) => r.monitoringAlertId,
  },
  '/mcpgateway/api/v1/oauth/consents/:state': { state: () => 'no-such-state' },
};

interface RouteInput {
  json?: unknown;
  multipart?: () => FormData;
  headers?: Record<string, string>;
  query?: string;
}
/** What a route gets besides its path: `own` ids follow the request's variant, `foreign` ones are A's. */
type Input = (own: Ids, foreign: Ids) => RouteInput;

/** How a route without path parameters is checked: exempt (and why), or probed with A's ids in its body or query. */
type Unscoped =
  | { exempt: string }
  | {
      probe: Input | Input[];
      /** refused: 400 naming A's id, 401, 403 or 404; listed: answered without any of A's ids */
      expect: 'refused' | 'listed';
    };

const API = '/apimanager/api/v1/organizations/:orgId/environments/:envId/apis';
const XAPI = '/apimanager/xapi/v1/organizations/:orgId/environments/:envId/apis';
const PROXIES = '/proxies/xapi/v1/organizations/:orgId/environments/:envId/apis';
const SECRET_GROUPS = '/secrets-manager/api/v1/organizations/:orgId/environments/:envId/secretGroups';
const USERS = '/accounts/api/organizations/:orgId/users';
const ENVIRONMENTS = '/accounts/api/organizations/:orgId/environments';
const ANALYTICS = '/analytics/1.0/:orgId/environments/:envId';
const PORTAL = '/exchange/api/v2/assets/:groupId/:assetId/:version/portal';
const ASSET_V1 = '/exchange/api/v1/assets/:groupId/:assetId/:version';
const ORG_ASSET = 'organizations/:orgId/assets/:groupId/:assetId/:version';
const ALERTS = `${API}/:apiId/alerts`;
const MONITORING_ALERTS = '/monitoring/api/alerts/api/v2/organizations/:orgId/environments/:envId/alerts';
const MCP_ENVIRONMENT = '/mcpgateway/api/v1/organizations/:orgId/environments/:envId';

/** Scope lists granting in A's organization, or in B's organization narrowed to A's environment. */
const FOREIGN_SCOPES = [
  (_own: Ids, foreign: Ids) => [{ scope: 'read:organization', context_params: { org: foreign('orgId') } }],
  (own: Ids, foreign: Ids) => [
    { scope: 'read:api_configuration', context_params: { org: own('orgId'), envId: foreign('envId') } },
  ],
];
/** `fields` with each list of FOREIGN_SCOPES as `scopes`. */
const withForeignScopes = (fields: () => object): Input[] =>
  FOREIGN_SCOPES.map((scopes) => (own, foreign) => ({ json: { ...fields(), scopes: scopes(own, foreign) } }));
const intruderAsset = () => ({ assetId: uniqueName('intruder'), version: '1.0.0', name: 'intruder', type: 'mcp' });
const mcpEndpoint = (proxyUri = `http://0.0.0.0:8081/${uniqueName('mcp')}`) => ({
  deploymentType: 'HY',
  type: 'mcp',
  uri: 'http://127.0.0.1:9/',
  proxyUri,
});
/** An https listener serving with A's certificate and key. */
const foreignListener = (foreign: Ids) => ({
  ...mcpEndpoint(`https://0.0.0.0:8443/${uniqueName('mcp')}`),
  tlsContexts: { inbound: { secretGroupId: foreign('secretGroupId'), tlsContextId: foreign('tlsContextId') } },
});
const ownSpec = (own: Ids) => ({ groupId: own('groupId'), assetId: own('assetId'), version: own('version') });
const deploymentTo = (targetId: Id, environmentId: Id) => ({ type: 'HY', targetId, environmentId, gatewayVersion: '1.0.0' });
/** Deployment bodies: to A's gateway, or naming A's environment. */
const deployments: Input[] = [
  (own, foreign) => ({ json: deploymentTo(foreign('targetId'), own('envId')) }),
  (own, foreign) => ({ json: deploymentTo(own('targetId'), foreign('envId')) }),
];
/** Instance bodies: on A's private asset, deployed to A's gateway, listening with A's certificate. */
const newInstances: Input[] = [
  (_own, foreign) => ({
    json: {
      technology: 'flexGateway',
      spec: { groupId: foreign('groupId'), assetId: foreign('assetId'), version: foreign('version') },
      endpoint: mcpEndpoint(),
    },
  }),
  (own, foreign) => ({
    json: {
      technology: 'flexGateway',
      spec: ownSpec(own),
      endpoint: mcpEndpoint(),
      deployment: deploymentTo(foreign('targetId'), own('envId')),
    },
  }),
  (own, foreign) => ({ json: { technology: 'flexGateway', spec: ownSpec(own), endpoint: foreignListener(foreign) } }),
];
const tlsReference = (foreign: Ids) => ({ secretGroupId: foreign('secretGroupId'), tlsContextId: foreign('tlsContextId') });
const tier: Input = () => ({
  json: { name: uniqueName('tier'), limits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }] },
});
const described: Input = () => ({ json: { description: 'changed by another tenant' } });
const legacyAlert = (recipient: object) => ({
  name: uniqueName('alert'),
  type: 'api-request-count',
  severity: 'info',
  condition: { operator: 'GREATER_THAN', value: 1 },
  period: { duration: { count: 1, weight: 'MINUTES' }, repeat: 1 },
  recipients: [recipient],
});
const monitoringAlert = (apiId: Id, recipient: Id = 'ops@example.com') => ({
  name: uniqueName('alert'),
  severity: 'info',
  metricType: 'api_request_count',
  resources: [{ apiId }],
  condition: { operator: 'above', threshold: 1, interval: 1 },
  notifications: [{ type: 'email', recipients: [recipient] }],
});
/** Install bodies: A's library entry, or B's entry onto A's gateway. */
const installs = (fields: object = {}): Input[] => [
  (_own, foreign) => ({ json: { entryId: foreign('entryId'), targetId: foreign('targetId'), ...fields } }),
  (own, foreign) => ({ json: { entryId: own('entryId'), targetId: foreign('targetId'), ...fields } }),
];
/** A fixed window, so that A's reads before and after the matrix compare. */
const windowEnd = new Date();
const analyticsWindow = `from=${new Date(windowEnd.getTime() - 3_600_000).toISOString()}&to=${windowEnd.toISOString()}`;

const UNSCOPED: Record<string, Unscoped> = {
  'GET /openapi.json': { exempt: 'the public description of the API, the same for every caller' },
  'GET /healthz': { exempt: 'liveness, no data' },
  'GET /mcpgateway/api/v1/oauth/callback': {
    exempt: "a browser's return from an authorization server: its single-use state names the API and the user",
  },
  'GET /mcpgateway/api/v1/oauth/signin-callback': {
    exempt: "a browser's return from the sign-in of a consent link: its single-use state names the API and the user",
  },
  'GET /readyz': { exempt: 'database and migrations readiness, no tenant data' },
  'POST /accounts/login': { exempt: 'authenticates a username and password; names no organization' },
  'POST /accounts/api/v2/oauth2/token': { exempt: 'authenticates client credentials; names no organization' },
  'POST /accounts/api/logout': { exempt: 'revokes the token it is called with, the caller’s own' },
  'POST /amc/registration-facade/api/v1/registrations': {
    exempt: 'authenticated by the one-time registration token it carries, which fixes organization and environment',
  },
  'GET /metrics': { probe: () => ({}), expect: 'listed' },
  'GET /accounts/api/me': { probe: () => ({}), expect: 'listed' },
  'GET /accounts/api/users/me': { probe: () => ({}), expect: 'listed' },
  'GET /accounts/api/permissions': { probe: () => ({}), expect: 'listed' },
  'GET /accounts/api/connectedApplications': { probe: () => ({}), expect: 'listed' },
  'POST /accounts/api/connectedApplications': {
    probe: withForeignScopes(() => ({ client_name: uniqueName('intruder'), grant_types: ['client_credentials'] })),
    expect: 'refused',
  },
  'POST /accounts/api/organizations': {
    probe: (_own, foreign) => ({ json: { name: uniqueName('intruder'), parentOrganizationId: foreign('orgId') } }),
    expect: 'refused',
  },
  'POST /exchange/api/v2/assets': {
    probe: [
      (_own, foreign) => ({ json: { groupId: foreign('groupId'), ...intruderAsset() } }),
      (own, foreign) => ({ json: { organizationId: foreign('orgId'), groupId: own('groupId'), ...intruderAsset() } }),
    ],
    expect: 'refused',
  },
  'POST /graph/api/v2/graphql': {
    probe: (_own, foreign) => ({
      json: {
        query: `{ assets(organizationIds: ["${foreign('orgId')}"]) { assetId } asset(groupId: "${foreign('groupId')}", assetId: "${foreign('assetId')}") { assetId } }`,
      },
    }),
    expect: 'listed',
  },
  'GET /exchange/api/v2/assets/search': {
    probe: (_own, foreign) => ({ query: `organizationId=${foreign('orgId')}&search=${foreign('assetId')}` }),
    expect: 'listed',
  },
};

/**
 * Bodies and queries of the routes that need one, by `METHOD path`; a list is several requests.
 * The first serves the path probes; each that refers to A's resources (`foreign`) is also sent on
 * B's own path.
 */
const INPUTS: Record<string, Input | Input[]> = {
  'PUT /accounts/api/organizations/:orgId': [
    () => ({ json: { name: 'renamed by another tenant' } }),
    (_own, foreign) => ({ json: { name: 'moved', parentOrganizationId: foreign('orgId') } }),
  ],
  [`POST ${ENVIRONMENTS}`]: [
    () => ({ json: { name: uniqueName('env'), type: 'sandbox' } }),
    (_own, foreign) => ({ json: { name: uniqueName('env'), type: 'sandbox', organizationId: foreign('orgId') } }),
  ],
  [`PUT ${ENVIRONMENTS}/:envId`]: [
    () => ({ json: { name: 'Renamed' } }),
    (_own, foreign) => ({ json: { name: 'Renamed', organizationId: foreign('orgId') } }),
  ],
  [`POST ${USERS}`]: [
    () => ({ json: { username: uniqueName('intruder'), password: 'intruder-password' } }),
    ...withForeignScopes(() => ({ username: uniqueName('intruder'), password: 'intruder-password' })),
  ],
  [`PUT ${USERS}/:userId`]: [
    () => ({ json: { firstName: 'Renamed' } }),
    (_own, foreign) => ({ json: { firstName: 'Renamed', organizationId: foreign('orgId') } }),
  ],
  [`PUT ${USERS}/:userId/scopes`]: withForeignScopes(() => ({})),
  [`PATCH ${USERS}/:userId/scopes`]: withForeignScopes(() => ({})),
  'PATCH /accounts/api/connectedApplications/:clientId/scopes': withForeignScopes(() => ({})),
  'POST /audit/v2/organizations/:orgId/query': () => ({ json: { startDate: 0 } }),
  [`GET ${ANALYTICS}/access-logs`]: () => ({ query: analyticsWindow }),
  [`GET ${ANALYTICS}/mcp-analytics`]: () => ({ query: analyticsWindow }),
  [`GET ${ANALYTICS}/workflow-graph`]: () => ({ query: analyticsWindow }),
  [`GET ${ANALYTICS}/events`]: () => ({ query: analyticsWindow.replace('from=', 'startDate=').replace('to=', 'endDate=') }),
  'POST /exchange/api/v2/organizations/:orgId/applications': () => ({ json: { name: uniqueName('client') } }),
  'PATCH /exchange/api/v2/organizations/:orgId/applications/:applicationId': described,
  'PUT /exchange/api/v2/assets/:groupId/:assetId/:version/status': () => ({ json: { status: 'deprecated' } }),
  [`PUT ${ASSET_V1}/tags`]: () => ({ json: [{ value: 'intruder' }] }),
  [`PATCH /exchange/api/v1/${ORG_ASSET}/metadata`]: () => ({ json: { name: 'renamed by another tenant' } }),
  [`PATCH /exchange/api/v2/${ORG_ASSET}/mutabledata`]: () => ({
    multipart: () => {
      const form = new FormData();
      form.append('tags', 'intruder');
      return form;
    },
  }),
  [`POST ${PORTAL}/draft/pages`]: () => ({ json: { pagePath: uniqueName('page') } }),
  [`PUT ${PORTAL}/draft/pages/:pagePath`]: () => ({ headers: { 'content-type': 'text/markdown' } }),
  [`POST ${PORTAL}/draft/resources`]: () => ({
    multipart: () => {
      const form = new FormData();
      form.append('files.png', new Blob(['png']), 'intruder.png');
      return form;
    },
  }),
  'POST /exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version': () => ({
    headers: { 'x-sync-publication': 'true' },
    multipart: () => {
      const form = new FormData();
      form.append('name', 'intruder');
      form.append('type', 'mcp');
      return form;
    },
  }),
  'GET /apimanager/xapi/v1/organizations/:orgId/exchange-policy-templates': [
    (_own, foreign) => ({ query: `apiInstanceId=${foreign('apiId')}` }),
    (_own, foreign) => ({ query: `environmentId=${foreign('envId')}` }),
  ],
  'GET /apimanager/api/v1/organizations/:orgId/policy-templates': (_own, foreign) => ({
    query: `apiInstanceId=${foreign('apiId')}`,
  }),
  [`POST ${API}`]: newInstances,
  [`POST ${XAPI}`]: newInstances,
  [`PATCH ${API}/:apiId`]: [
    described,
    (_own, foreign) => ({ json: { upstreams: [{ id: foreign('upstreamId'), uri: 'http://127.0.0.1:9/changed/' }] } }),
    (_own, foreign) => ({
      json: { spec: { groupId: foreign('groupId'), assetId: foreign('assetId'), version: foreign('version') } },
    }),
    (own, foreign) => ({ json: { deployment: deploymentTo(foreign('targetId'), own('envId')) } }),
    (_own, foreign) => ({ json: { endpoint: foreignListener(foreign) } }),
  ],
  [`PATCH ${XAPI}/:apiId`]: described,
  [`PUT ${API}/:apiId`]: described,
  [`POST ${API}/:apiId/upstreams`]: (_own, foreign) => ({
    json: { uri: 'http://127.0.0.1:9/new/', tlsContext: tlsReference(foreign) },
  }),
  [`PATCH ${API}/:apiId/upstreams/:upstreamId`]: [
    () => ({ json: { label: 'changed' } }),
    (_own, foreign) => ({ json: { tlsContext: tlsReference(foreign) } }),
  ],
  [`POST ${API}/:apiId/deployments`]: deployments,
  [`PATCH ${API}/:apiId/deployments/:deploymentId`]: deployments,
  [`PUT ${API}/:apiId/deployments/:deploymentId`]: deployments,
  [`POST ${PROXIES}/:apiId/deployments`]: deployments,
  [`PATCH ${PROXIES}/:apiId/deployments/:deploymentId`]: deployments,
  [`PUT ${PROXIES}/:apiId/deployments/:deploymentId`]: deployments,
  [`POST ${API}/:apiId/policies`]: (_own, foreign) => ({
    query: 'allowDuplicated=true',
    json: {
      ...CATALOG_TEMPLATE,
      configurationData: { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }] },
      upstreamIds: [foreign('upstreamId')],
    },
  }),
  [`PATCH ${API}/:apiId/policies`]: (_own, foreign) => ({ json: [{ id: foreign('policyId'), order: 1 }] }),
  [`POST ${API}/:apiId/policies/simulate`]: () => ({ json: { message: { method: 'tools/list' } } }),
  [`PATCH ${API}/:apiId/policies/:policyId`]: [
    () => ({ json: { label: 'changed' } }),
    (_own, foreign) => ({ json: { upstreamIds: [foreign('upstreamId')] } }),
  ],
  [`GET ${API}/:apiId/autodiscoveryProperties`]: () => ({ query: 'gatewayVersion=1.0.0' }),
  [`POST ${API}/:apiId/tiers`]: tier,
  [`PUT ${API}/:apiId/tiers/:tierId`]: tier,
  [`POST ${API}/:apiId/api-keys`]: () => ({ json: { name: uniqueName('key') } }),
  [`POST ${ALERTS}`]: [
    () => ({ json: legacyAlert({ type: 'email', value: 'ops@example.com' }) }),
    (_own, foreign) => ({ json: legacyAlert({ type: 'user', value: foreign('userId') }) }),
  ],
  [`PATCH ${ALERTS}/:alertId`]: [
    () => ({ json: { name: 'renamed by another tenant' } }),
    (_own, foreign) => ({ json: { recipients: [{ type: 'user', value: foreign('userId') }] } }),
  ],
  [`POST ${MONITORING_ALERTS}`]: [
    (own) => ({ json: monitoringAlert(own('apiId')) }),
    (_own, foreign) => ({ json: monitoringAlert(foreign('apiId')) }),
    (own, foreign) => ({ json: monitoringAlert(own('apiId'), foreign('userId')) }),
  ],
  [`PUT ${MONITORING_ALERTS}/:alertId`]: [
    (own) => ({ json: monitoringAlert(own('apiId')) }),
    (own, foreign) => ({ json: monitoringAlert(own('apiId'), foreign('userId')) }),
  ],
  [`POST ${API}/:apiId/contracts`]: [
    (_own, foreign) => ({ json: { applicationId: foreign('applicationId') } }),
    (own, foreign) => ({ json: { applicationId: own('applicationId'), requestedTierId: foreign('tierId') } }),
  ],
  [`POST ${SECRET_GROUPS}`]: () => ({ json: { name: uniqueName('secrets') } }),
  [`POST ${SECRET_GROUPS}/:secretGroupId/tlsContexts`]: () => ({ json: { name: uniqueName('tls') } }),
  [`PATCH ${SECRET_GROUPS}/:secretGroupId/tlsContexts/:tlsContextId`]: () => ({ json: { skipVerify: false } }),
  'POST /standalone/api/v1/organizations/:orgId/environments/:envId/gateways': () => ({ json: { name: uniqueName('gw') } }),
  [`PATCH ${MCP_ENVIRONMENT}/backends/:apiId`]: () => ({ json: { enabled: false } }),
  [`PUT ${MCP_ENVIRONMENT}/backends/:apiId/connection`]: () => ({ json: { mode: 'none' } }),
  [`PUT ${MCP_ENVIRONMENT}/backends/:apiId/tools`]: () => ({ json: { tools: [] } }),
  [`GET ${MCP_ENVIRONMENT}/inventory`]: () => ({ query: analyticsWindow }),
  [`POST ${MCP_ENVIRONMENT}/installs`]: installs(),
  [`POST ${MCP_ENVIRONMENT}/install-requests`]: installs({ reason: 'another tenant' }),
  [`POST ${MCP_ENVIRONMENT}/install-requests/:requestId/approve`]: () => ({ json: {} }),
  [`POST ${MCP_ENVIRONMENT}/install-requests/:requestId/reject`]: () => ({ json: { comment: 'another tenant' } }),
  'POST /mcpgateway/api/v1/organizations/:orgId/agents': [
    () => ({ json: { name: uniqueName('intruder'), clientIds: [uniqueName('intruder')] } }),
    (_own, foreign) => ({ json: { name: uniqueName('intruder'), applicationIds: [foreign('applicationId')] } }),
  ],
  'PATCH /mcpgateway/api/v1/organizations/:orgId/agents/:agentId': [
    () => ({ json: { description: 'changed by another tenant' } }),
    (_own, foreign) => ({ json: { applicationIds: [foreign('applicationId')] } }),
  ],
  [`PUT ${MCP_ENVIRONMENT}/backends/:apiId/agents`]: [
    (own) => ({ json: { restricted: false, agents: [{ agentId: own('agentId') }] } }),
    (_own, foreign) => ({ json: { restricted: true, agents: [{ agentId: foreign('agentId') }] } }),
  ],
  [`POST ${MCP_ENVIRONMENT}/backends/custom`]: (_own, foreign) => ({
    json: { name: uniqueName('intruder'), url: 'http://127.0.0.1:9/mcp', targetId: foreign('targetId') },
  }),
};

/** Routes that answer every caller past the guard with one status, so A's own call gets it too. */
const REFUSED_FOR_EVERYONE: Record<string, { status: number; reason: string }> = {
  'GET /standalone/api/v1/organizations/:orgId/environments/:envId/gatewaytokens': {
    status: 405,
    reason: 'registration tokens are shown once, when minted',
  },
  'DELETE /exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version': {
    status: 405,
    reason: 'Exchange deletes through DELETE /exchange/api/v2/assets/…',
  },
  'GET /exchange/api/v2/assets/:groupId/:assetId/:version/files/:classifier/:packaging/:fileName': {
    status: 400,
    reason: "an externalLink is opened by its `link` token alone (no bearer token), which the matrix's calls do not carry",
  },
  'GET /proxies/xapi/v1/organizations/:orgId/environments/:envId/apis/:apiId/proxy': {
    status: 400,
    reason: 'a proxy is a Mule application, and Portico has no Mule runtime',
  },
  'GET /mcpgateway/api/v1/oauth/consents/:state': {
    status: 400,
    reason:
      "a consent page is opened by the single-use state of its link alone (no bearer token, no tenant's id), which the matrix's calls do not carry",
  },
  'POST /mcpgateway/api/v1/oauth/consents/:state': {
    status: 400,
    reason:
      "a consent page is opened by the single-use state of its link alone (no bearer token, no tenant's id), which the matrix's calls do not carry",
  },
  [`GET ${XAPI}/:apiId`]: { status: 405, reason: 'only PATCH is allowed on the xapi instance URL' },
  [`DELETE ${XAPI}/:apiId`]: { status: 405, reason: 'only PATCH is allowed on the xapi instance URL' },
};

/** Routes with a method other than GET that only read: B reads its own through them too. */
const OWN_READS = new Set([`POST /audit/v2/organizations/:orgId/query`, `POST ${API}/:apiId/policies/simulate`]);

/** Fastify answers HEAD with the GET handler (exposeHeadRoute), so GET covers it. */
const SKIPPED_METHODS = new Set(['HEAD', 'OPTIONS']);
/** Reads first, deletes last: a hole a delete opens must not hide what the other requests do. */
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

/** One request of the matrix, sent with B's token. */
interface Attempt {
  route: RegisteredRoute;
  label: string;
  path: string;
  input: RouteInput;
  /** the path parameters that carry A's ids */
  foreignParams: string[];
  /** A's ids the request carries, in its path, body or query */
  foreignValues: string[];
}

/** The value of `name` in `r`'s tenant for `route`. */
function valueOf(route: RegisteredRoute, name: string, r: TenantResources): Id {
  const source = sourceOf(route, name);
  if (!source) throw new Error(`${key(route)}: no value for :${name} (see 'knows how to fill every registered route')`);
  return source(r);
}

function sourceOf(route: RegisteredRoute, name: string): ((r: TenantResources) => Id) | undefined {
  const own = ROUTE_PARAMS[route.path];
  if (own && Object.hasOwn(own, name)) return own[name];
  return Object.hasOwn(PARAMS, name) ? PARAMS[name] : undefined;
}

function inputsOf(route: RegisteredRoute): Input[] {
  const inputs = INPUTS[key(route)] ?? (() => ({}));
  return Array.isArray(inputs) ? inputs : [inputs];
}

/**
 * `input` made with `own` ids and A's as `foreign`, and the references to A it holds: the
 * `foreign` names whose value differs from B's (a body naming only B's things holds none).
 */
function withReferences(route: RegisteredRoute, input: Input, own: Ids, a: TenantResources, b: TenantResources) {
  const names: string[] = [];
  const values: string[] = [];
  const foreign: Ids = (name) => {
    const value = valueOf(route, name, a);
    if (value !== valueOf(route, name, b)) {
      names.push(name);
      values.push(String(value));
    }
    return value;
  };
  return { input: input(own, foreign), names, values };
}

/** The requests of the matrix for `route` (see the header). */
function attemptsFor(route: RegisteredRoute, a: TenantResources, b: TenantResources): Attempt[] {
  const idsFor =
    (fromB: ReadonlySet<string>): Ids =>
    (name) =>
      valueOf(route, name, fromB.has(name) || !route.params.includes(name) ? b : a);
  const ownPath = fillPath(route.path, (n) => String(valueOf(route, n, b)));
  const [first, ...more] = inputsOf(route);
  const attempts: Attempt[] = [];

  route.params.forEach((param, k) => {
    if (NAMED_WITHIN_PARENT.has(param)) return;
    const fromB = new Set(route.params.slice(0, k));
    const ids = idsFor(fromB);
    const path = fillPath(route.path, (n) => String(ids(n)));
    // B's own path: the catalog's parameters are the same in every tenant
    if (path === ownPath) return;
    const foreignParams = route.params.slice(k);
    const { input, values } = withReferences(route, first!, ids, a, b);
    attempts.push({
      route,
      label: k === 0 ? "all of A's ids" : `B's ${route.params.slice(0, k).join(', ')}; A's ${foreignParams.join(', ')}`,
      path,
      input,
      foreignParams,
      foreignValues: [...foreignParams.map((n) => String(ids(n))), ...values],
    });
  });
  for (const make of [first!, ...more]) {
    const { input, names, values } = withReferences(route, make, idsFor(new Set(route.params)), a, b);
    if (names.length === 0) continue;
    attempts.push({
      route,
      label: `B's own path; A's ${names.join(', ')} in the ${input.json === undefined ? 'query' : 'body'}`,
      path: ownPath,
      input,
      foreignParams: [],
      foreignValues: values,
    });
  }
  return attempts;
}

/** The value at a JSON pointer such as `/body/tlsContext/secretGroupId` (without its first segment). */
function valueAt(json: unknown, pointer: string[]): unknown {
  return pointer.reduce<unknown>((value, segment) => (value as Record<string, unknown> | undefined)?.[segment], json);
}

/**
 * A 400 refuses A's id as input when it names it: its message holds one of A's ids the request
 * sent, or one of its errors points at a path parameter, body field or query parameter holding one.
 */
function refusesForeignInput(res: ApiResponse, attempt: Pick<Attempt, 'input' | 'foreignParams' | 'foreignValues'>): boolean {
  const errors: { path: string; message: string }[] = res.body?.errors ?? [];
  const texts = [String(res.body?.message ?? ''), ...errors.map((e) => e.message)];
  if (texts.some((text) => attempt.foreignValues.some((v) => text.includes(v)))) return true;
  const query = new URLSearchParams(attempt.input.query ?? '');
  return errors.some(({ path }) => {
    const [where, ...rest] = path.split('/').slice(1);
    if (where === 'params') return attempt.foreignParams.includes(rest[0]!);
    const value = where === 'body' ? valueAt(attempt.input.json, rest) : where === 'query' ? query.get(rest[0]!) : undefined;
    return (typeof value === 'string' || typeof value === 'number') && attempt.foreignValues.includes(String(value));
  });
}

/** A's ids that B may only see in answers to requests that carried them. */
function distinctiveIds(r: TenantResources): string[] {
  return [
    r.tenant.organizationId,
    r.tenant.sandboxId,
    r.tenant.productionId,
    r.tenant.username,
    r.adminUserId,
    r.userId,
    r.connectedAppClientId,
    r.asset.assetId,
    r.publicationRunId,
    r.gatewayId,
    r.certificateSerial,
    r.secretGroupId,
    r.tlsContextId,
    r.upstreamId,
    r.apiKeyId,
    r.pinnedToolName,
    r.alertId,
    r.monitoringAlertId,
  ];
}

/** Runs `task` over `items`, `limit` at a time, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describe('cross-tenant matrix over every REST route', () => {
  const h = useControlPlane({ tenants: 2 });
  let a: TenantResources;
  let b: TenantResources;
  let routes: RegisteredRoute[];

  beforeAll(async () => {
    const [tenantA, tenantB] = h.tenants;
    [a, b] = await Promise.all([populateTenant(h.cp, tenantA!), populateTenant(h.cp, tenantB!)]);
    routes = registeredRoutes(h.cp.app).filter((r) => !SKIPPED_METHODS.has(r.method));
    const templates = await h.cp.request('GET', `/apimanager/api/v1/organizations/${a.tenant.organizationId}/policy-templates`, {
      token: a.tenant.token,
    });
    catalogTemplateId = templates.body[0].id;
  });

  const send = (method: string, path: string, input: RouteInput, token: string): Promise<ApiResponse> => {
    const options: RequestOptions = { token, ...(input.headers && { headers: input.headers }) };
    if (input.json !== undefined) options.json = input.json;
    if (input.multipart) options.multipart = input.multipart();
    return h.cp.request(method, `${path}${input.query ? `?${input.query}` : ''}`, options);
  };

  /** `route` called by `r`'s admin on `r`'s own resources. */
  const callOwn = (route: RegisteredRoute, r: TenantResources) => {
    const ids: Ids = (name) => valueOf(route, name, r);
    return send(
      route.method,
      fillPath(route.path, (n) => String(ids(n))),
      inputsOf(route)[0]!(ids, ids),
      r.tenant.token,
    );
  };

  /** A's ids in `res` (headers included) that are not in what was sent. */
  const leaks = (res: ApiResponse, sent: string[]) => {
    const answer = `${JSON.stringify([...res.headers])} ${res.text}`;
    const leaked = distinctiveIds(a).filter((id) => answer.includes(id) && !sent.some((s) => s.includes(id)));
    return leaked.length ? [`its answer holds A's ${leaked.join(', ')}`] : [];
  };

  /** Both tenants' stored rows. */
  const snapshots = async () => ({
    a: await tenantSnapshot(a.tenant.organizationId),
    b: await tenantSnapshot(b.tenant.organizationId),
  });
  /** The tables where a tenant's rows differ from `before`. */
  const dataChanges = (before: Awaited<ReturnType<typeof snapshots>>, after: typeof before) => [
    ...changedTables(before.a, after.a).map((table) => `A's rows in ${table} changed`),
    ...changedTables(before.b, after.b).map((table) => `B's rows in ${table} changed`),
  ];

  it('knows how to fill every registered route', () => {
    const problems: string[] = [];
    for (const route of routes) {
      if (route.params.length === 0 && !UNSCOPED[key(route)]) {
        problems.push(
          `${key(route)} has no path parameter: add it to UNSCOPED in cross-tenant.e2e-spec.ts, exempt with a reason or probed with A's ids in its body or query`,
        );
      }
      for (const name of route.params.filter((n) => !sourceOf(route, n))) {
        problems.push(`${key(route)}: unknown path parameter :${name} — add it to PATH_PARAMS in support/tenant-resources.ts`);
      }
    }
    const known = new Set(routes.map(key));
    const listed = [...Object.keys(UNSCOPED), ...Object.keys(INPUTS), ...Object.keys(REFUSED_FOR_EVERYONE), ...OWN_READS];
    for (const stale of listed.filter((k) => !known.has(k))) {
      problems.push(`${stale} is no route any more: remove it from cross-tenant.e2e-spec.ts`);
    }
    expect(problems).toEqual([]);
  });

  it("refuses B on every route with path parameters holding A's ids, and changes nothing of either tenant", async () => {
    const scoped = routes.filter((r) => r.params.length > 0);
    const reads = scoped.filter((r) => r.method === 'GET');
    /** A's own reads: each must succeed (the ids are real), and read the same after the matrix. */
    const readAll = async () => {
      const answers = new Map<string, string>();
      for (const route of reads) {
        const res = await callOwn(route, a);
        answers.set(key(route), `${res.status} ${res.text}`);
      }
      return answers;
    };
    const before = await snapshots();
    const readsBefore = await readAll();
    const problems = reads
      .filter((route) => !readsBefore.get(key(route))!.startsWith(`${REFUSED_FOR_EVERYONE[key(route)]?.status ?? 200} `))
      .map((route) => `A's own ${key(route)} answered ${readsBefore.get(key(route))!.slice(0, 300)}: fill it with real ids`);

    for (const method of METHOD_ORDER) {
      const attempts = scoped.filter((r) => r.method === method).flatMap((r) => attemptsFor(r, a, b));
      await eachLimited(attempts, 4, async (attempt) => {
        const res = await send(method, attempt.path, attempt.input, b.tenant.token);
        const refused =
          [401, 403, 404].includes(res.status) ||
          res.status === REFUSED_FOR_EVERYONE[key(attempt.route)]?.status ||
          (res.status === 400 && refusesForeignInput(res, attempt));
        const found = [
          ...(refused ? [] : [`answered ${res.status} ${res.text.slice(0, 300)}`]),
          ...leaks(res, [attempt.path, JSON.stringify(attempt.input.json ?? null), attempt.input.query ?? '']),
        ];
        for (const problem of found) problems.push(`${key(attempt.route)} [${attempt.label}]: ${problem}`);
      });
    }

    problems.push(...dataChanges(before, await snapshots()));
    const readsAfter = await readAll();
    for (const route of reads.filter((r) => readsAfter.get(key(r)) !== readsBefore.get(key(r)))) {
      problems.push(`A's own ${key(route)} reads differently after the matrix: ${readsAfter.get(key(route))!.slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it("refuses A's ids in the body or query of routes without path parameters, and lists nothing of A", async () => {
    const before = await snapshots();
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.params.length === 0)) {
      const check = UNSCOPED[key(route)]!;
      if ('exempt' in check) continue;
      for (const probe of Array.isArray(check.probe) ? check.probe : [check.probe]) {
        const { input, values } = withReferences(route, probe, (n) => valueOf(route, n, b), a, b);
        const res = await send(route.method, route.path, input, b.tenant.token);
        const ok =
          check.expect === 'listed'
            ? res.status === 200
            : [401, 403, 404].includes(res.status) ||
              (res.status === 400 && refusesForeignInput(res, { input, foreignParams: [], foreignValues: values }));
        if (!ok) problems.push(`${key(route)}: answered ${res.status} ${res.text.slice(0, 300)}`);
        // A listing must not show A's ids even when asked for them by name.
        const sent = check.expect === 'listed' ? [] : [JSON.stringify(input.json ?? null)];
        for (const leak of leaks(res, sent)) problems.push(`${key(route)}: ${leak}`);
      }
    }
    problems.push(...dataChanges(before, await snapshots()));
    expect(problems).toEqual([]);
  });

  it("shows B none of A's ids when B reads its own resources", async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.params.length > 0 && (r.method === 'GET' || OWN_READS.has(key(r))))) {
      const res = await callOwn(route, b);
      const expected = REFUSED_FOR_EVERYONE[key(route)]?.status;
      if (expected ? res.status !== expected : res.status >= 300) {
        problems.push(`B's own ${key(route)} answered ${res.status} ${res.text.slice(0, 300)}`);
      }
      for (const leak of leaks(res, [])) problems.push(`B's own ${key(route)}: ${leak}`);
    }
    expect(problems).toEqual([]);
  });
});
