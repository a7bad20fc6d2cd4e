/**
 * The console's names for what the REST routes it reads answer, taken from the OpenAPI document
 * (generated/schema.d.ts), which documents each answer from the zod schema the control plane
 * holds it to (documented-responses.integration-spec.ts checks the answers against it).
 */
import type { paths } from './generated/schema';

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of the success answer (200, else 201) documented for `method path`. */
type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer OK }
    ? JsonBody<OK>
    : R extends { 201: infer Created }
      ? JsonBody<Created>
      : never
  : never;

type KeysOfUnion<U> = U extends unknown ? keyof U : never;
/** Each member of the union `U` with the keys only other members have, as optional `undefined`. */
type WithAbsentKeys<U, K extends PropertyKey = KeysOfUnion<U>> = U extends unknown
  ? U & { [P in Exclude<K, keyof U>]?: undefined }
  : never;

type OrgPath = '/accounts/api/organizations/{orgId}';
type McpPath = '/mcpgateway/api/v1/organizations/{orgId}';
type McpEnvPath = '/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}';
type ApisPath = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';
type AnalyticsPath = '/analytics/1.0/{orgId}/environments/{envId}';
type ApplicationsPath = '/exchange/api/v2/organizations/{orgId}/applications';
type SecretGroupsPath = '/secrets-manager/api/v1/organizations/{orgId}/environments/{envId}/secretGroups';

/** The console signs users in, never connected apps, so …/me answers its `user` shape. */
export type Me = Extract<Answer<'/accounts/api/me', 'get'>, { user: unknown }>;

/** What a sign-in answers: the bearer token and its lifetime in seconds. */
export type IssuedToken = Answer<'/accounts/login', 'post'>;

export type EnvironmentList = Answer<`${OrgPath}/environments`, 'get'>;
export type Environment = EnvironmentList['data'][number];

export type AccessLogPage = Answer<`${AnalyticsPath}/access-logs`, 'get'>;
/** One MCP exchange as …/access-logs answers it (durations in µs, sizes in bytes). */
export type AccessLogEvent = AccessLogPage['data'][number];
/** A policy's decision on one call, as the access log stores it. */
export type CallVerdict = AccessLogEvent['verdicts'][number];
/** A DLP finding on one call: `action` is redacted, blocked or detected (logged). */
export type DlpFinding = AccessLogEvent['dlp'][number];

export type McpAnalytics = Answer<`${AnalyticsPath}/mcp-analytics`, 'get'>;
/** Calls of a group in …/mcp-analytics; latency in ms, null without calls. */
export type CallCounts = Omit<McpAnalytics['totals'], 'dlpFindings'>;

export type WorkflowGraph = Answer<`${AnalyticsPath}/workflow-graph`, 'get'>;
/**
 * A node: an agent, an MCP instance or a tool. The answer's union, each kind also carrying the
 * other kinds' fields as absent (`undefined`), so the graph may read `node.apiId` of any node.
 */
export type WorkflowNode = WithAbsentKeys<WorkflowGraph['nodes'][number]>;

/** The AI inventory of a time window (…/inventory, JSON). */
export type Inventory = Answer<`${McpEnvPath}/inventory`, 'get'>;
/** An MCP server of the AI inventory. */
export type InventoryServer = Inventory['data'][number];

export type GatewayTargetList = Answer<'/apimanager/xapi/v1/organizations/{orgId}/environments/{envId}/gateway-targets', 'get'>;
export type GatewayTarget = GatewayTargetList['rows'][number];

export type ExchangeAsset = Answer<'/exchange/api/v2/assets/search', 'get'>[number];

export type ApiInstance = Answer<`${ApisPath}/{apiId}`, 'get'>;
export type Deployment = NonNullable<ApiInstance['deployment']>;
export type ApiList = Answer<ApisPath, 'get'>;

export type DeploymentStatus = Answer<
  '/proxies/xapi/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/deployments/{deploymentId}/status',
  'get'
>;

export type PolicyTemplate = Answer<'/apimanager/xapi/v1/organizations/{orgId}/exchange-policy-templates', 'get'>[number];

/** An applied policy as `fullInfo=false` lists it (disabled ones included). */
export type AppliedPolicy = Extract<Answer<`${ApisPath}/{apiId}/policies`, 'get'>, unknown[]>[number];

export type McpToolList = Answer<`${McpEnvPath}/backends/{apiId}/tools`, 'get'>;
/** A tool of an MCP backend as its server last listed it to the gateways. */
export type McpTool = McpToolList['tools'][number];

export type SecretGroup = Answer<SecretGroupsPath, 'get'>[number];
export type TlsContext = Answer<`${SecretGroupsPath}/{secretGroupId}/tlsContexts`, 'get'>[number];

/** An MCP backend (…/mcpgateway/…/backends): an MCP API instance, switched on or off. */
export type McpBackend = Answer<`${McpEnvPath}/backends/{apiId}`, 'get'>;
export type McpBackendList = Answer<`${McpEnvPath}/backends`, 'get'>;
/** How the gateway authenticates to an MCP backend (seed 003's auth modes). */
export type ConnectionMode = McpBackend['connection']['mode'];

/** An MCP library entry: curated (`portico`) or the organization's own. */
export type LibraryEntry = Answer<`${McpPath}/library/{entryId}`, 'get'>;
export type LibraryPage = Answer<`${McpPath}/library`, 'get'>;
/** What an install of a library entry asks for. */
export type LibraryInput = LibraryEntry['inputs'][number];
/** What an install (or an approved request) made. */
export type InstalledBackend = Answer<`${McpEnvPath}/installs`, 'post'>;
export type InstallRequest = Answer<`${McpEnvPath}/install-requests`, 'post'>;
export type InstallRequestPage = Answer<`${McpEnvPath}/install-requests`, 'get'>;

/** An agent (MCP client) of the organization, predefined or custom. */
export type Agent = Answer<`${McpPath}/agents/{agentId}`, 'get'>;
export type AgentList = Answer<`${McpPath}/agents`, 'get'>;
/** The well-known MCP clients Portico ships. */
export type PredefinedAgentList = Answer<`${McpPath}/agents/predefined`, 'get'>;
export type PredefinedAgent = PredefinedAgentList['agents'][number];
/** Which agents may use an MCP backend. */
export type AgentMapping = Answer<`${McpEnvPath}/backends/{apiId}/agents`, 'get'>;

/** The replicas of a gateway (standalone API …/gateways/{id}/replicas). */
export type GatewayReplicaPage = Answer<
  '/standalone/api/v1/organizations/{orgId}/environments/{envId}/gateways/{gatewayId}/replicas',
  'get'
>;
export type GatewayReplica = GatewayReplicaPage['content'][number];

/** A gateway registration token, shown once, and when it stops registering. */
export type RegistrationToken = Answer<'/standalone/api/v1/organizations/{orgId}/environments/{envId}/gatewaytokens', 'post'>;

/** An Exchange client application. */
export type ClientApplication = Answer<`${ApplicationsPath}/{applicationId}`, 'get'>;
/** The answer that created an application or reset its secret: the only one with `clientSecret`. */
export type ApplicationWithSecret = Answer<ApplicationsPath, 'post'>;
export type Contract = Answer<`${ApplicationsPath}/{applicationId}/contracts`, 'get'>[number];
export type SlaTierSummary = NonNullable<Contract['tier']>;
/** The SLA tiers of an instance. */
export type SlaTierList = Answer<`${ApisPath}/{apiId}/tiers`, 'get'>;
export type ApiKeyList = Answer<`${ApisPath}/{apiId}/api-keys`, 'get'>;

/** An API key of an instance; `key` (the secret) only in the answer that created it. */
export type ApiKey = Answer<`${ApisPath}/{apiId}/api-keys`, 'get'>['apiKeys'][number] &
  Partial<Pick<Answer<`${ApisPath}/{apiId}/api-keys`, 'post'>, 'key'>>;
