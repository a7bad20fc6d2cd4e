/**
 * Response shapes of the REST routes the console reads whose OpenAPI operations do not describe
 * their answer yet (requests are typed from schema.d.ts). Each lists only the fields the console
 * uses, as the Anypoint dialect answers them (reference/anypoint-contract.md).
 */
export interface Me {
  user: {
    id: string;
    username: string;
    firstName?: string;
    lastName?: string;
    organization: { id: string; name: string };
    memberOfOrganizations: { id: string; name: string; isRoot?: boolean; parentId?: string | null }[];
    /** the user's grants: a scope in an organization (and its business groups), or in one environment */
    permissions?: { scope: string; context_params: { org: string; envId?: string } }[];
  };
}

export interface Environment {
  id: string;
  name: string;
  organizationId: string;
  type: string;
  isProduction: boolean;
}

export interface Page<T> {
  total: number;
  data: T[];
}

/** A policy's decision on one call, as the access log stores it. */
export interface CallVerdict {
  policyType: string;
  policyId: string;
  verdict: string;
  mode: string;
  errorKind: string;
}

/** A DLP finding on one call: `action` is redacted, blocked or detected (logged). */
export interface DlpFinding {
  policyId: string;
  direction: string;
  categories: string[];
  action: string;
}

/** One MCP exchange as …/access-logs answers it (durations in µs, sizes in bytes). */
export interface AccessLogEvent {
  id: string;
  time: string;
  apiId: number;
  gatewayId: string;
  replicaId: string;
  requestId: string;
  sessionId: string | null;
  httpMethod: string;
  path: string;
  httpStatus: number;
  mcpMethod: string | null;
  jsonRpcId: string | null;
  mcpName: string | null;
  jsonRpcErrorCode: number | null;
  toolError: boolean;
  durationUs: number;
  upstreamLatencyUs: number | null;
  bytesIn: number;
  bytesOut: number;
  clientId: string | null;
  clientName: string | null;
  principal: string | null;
  userDomain: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  verdicts: CallVerdict[];
  dlp: DlpFinding[];
  gatewayError: string | null;
  upstreamName: string | null;
  agent: string | null;
  /** with `includePayloads=true`: null when the gateway recorded none */
  requestPayload?: string | null;
  responsePayload?: string | null;
}

export interface AccessLogPage {
  from: string;
  to: string;
  data: AccessLogEvent[];
  nextCursor: string | null;
}

/** Calls of a group in …/mcp-analytics; latency in ms, null without calls. */
export interface CallCounts {
  requests: number;
  errors: number;
  errorRate: number;
  denials: number;
  shadowDenials: number;
  latencyMs: { p50: number; p90: number; p99: number } | null;
}

export interface McpAnalytics {
  from: string;
  to: string;
  interval: string;
  totals: CallCounts & { dlpFindings: number };
  timeline: (CallCounts & { start: string })[];
  methods: (CallCounts & { method: string | null })[];
  tools: (CallCounts & { name: string })[];
  errors: { httpStatus: number; jsonRpcErrorCode: number | null; count: number }[];
}

export interface WorkflowNode {
  /** `named:<agent>`, `client:<client id>` or `agent:<User-Agent>`; `api:<id>`; `tool:<api id>:<name>` */
  id: string;
  kind: 'agent' | 'instance' | 'tool';
  label: string;
  agent?: string | null;
  clientId?: string | null;
  userAgent?: string | null;
  apiId?: number;
}

export interface WorkflowGraph {
  from: string;
  to: string;
  nodes: WorkflowNode[];
  edges: (CallCounts & { source: string; target: string })[];
}

/** An MCP server of the AI inventory (…/inventory `data[]`). */
export interface InventoryServer {
  apiId: number;
  name: string;
  asset: { groupId: string; assetId: string; version: string; name: string | null };
  upstreams: { name: string; uri: string }[];
  enabled: boolean;
  status: string;
  deployment: {
    state: 'applying' | 'applied' | 'failed' | 'undeployed' | 'none';
    targetName: string;
    errorMessage: string | null;
    replicas: number;
    replicasUpToDate: number;
  } | null;
  tools: {
    name: string;
    upstreamName: string;
    description: string | null;
    listed: boolean;
    enabled: boolean;
    exposedName: string | null;
    hiddenBy: { policyId: number; policyType: string } | null;
    lastSeenAt: string;
  }[];
  toolCount: number;
  authentication: string[];
  scopes: { required: string[]; criteria: 'AND' | 'OR' | null; supported: string[]; authorizationServers: string[] };
  dlp: {
    action: 'block' | 'redact' | 'log' | 'shadow' | 'none';
    requests: { action: string; mode: string } | null;
    responses: { action: string; mode: string } | null;
  };
  activity: { calls: number; errors: number; toolCalls: number; agents: number; users: number; lastCallAt: string | null };
}

export interface GatewayTarget {
  id: string;
  name: string;
  status: string;
  running: boolean;
  version: string;
  gatewayVersion: string;
  lastConnectedDate: string | null;
  replicas: number;
}

export interface ExchangeAsset {
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  type: string;
  organizationId: string;
}

export interface Deployment {
  id: number;
  targetId: string;
  targetName: string;
  gatewayVersion: string;
  expectedStatus: string;
}

export interface ApiInstance {
  id: number;
  instanceLabel: string | null;
  groupId: string;
  assetId: string;
  assetVersion: string;
  status: string;
  technology: string;
  endpoint: { proxyUri: string | null; uri: string | null; type: string | null };
  deployment: Deployment | null;
  /** null: contracts are approved at once; "manual": each waits for an approval */
  approvalMethod?: 'manual' | null;
}

export interface ApiList {
  total: number;
  assets: { assetId: string; groupId: string; apis: ApiInstance[] }[];
}

export interface DeploymentStatus {
  /** applying | undeployed | applied | failed */
  status: string;
  apiVersionStatus: string | null;
  /** why the gateway refused it, while `failed` */
  errorMessage?: string | null;
}

export interface PolicyTemplate {
  groupId: string;
  assetId: string;
  assetVersion: string;
  name: string;
  description?: string;
  category?: string;
  configuration?: unknown;
}

/** An applied policy as `fullInfo=false` lists it (disabled ones included). */
export interface AppliedPolicy {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  order: number;
  disabled: boolean;
  mode: 'enforce' | 'shadow';
  label: string | null;
  configurationData: Record<string, unknown>;
}

/** A tool of an MCP backend as its server last listed it to the gateways (…/backends/{apiId}/tools). */
export interface McpTool {
  name: string;
  description: string | null;
  listed: boolean;
  enabled: boolean;
  exposedName: string | null;
  hiddenBy: { policyId: number; policyType: string } | null;
}

export interface McpToolList {
  total: number;
  tools: McpTool[];
}

export interface TlsContext {
  id: string;
  name: string;
  secretGroupId: string;
}

export interface SecretGroup {
  id: string;
  name: string;
}

/** How the gateway authenticates to an MCP backend (seed 003's auth modes). */
export type ConnectionMode = 'none' | 'api-key' | 'oauth-passthrough' | 'gateway-oauth';

/** An MCP backend (…/mcpgateway/…/backends): an MCP API instance, switched on or off. */
export interface McpBackend {
  apiId: number;
  name: string;
  asset: { groupId: string; assetId: string; version: string };
  upstreamUri: string | null;
  proxyUri: string | null;
  enabled: boolean;
  connection: { mode: ConnectionMode };
  deployment: { targetName: string; status: string | null; errorMessage: string | null } | null;
}

/** A tool of an MCP backend as its server last listed it to the gateways. */
/** What an install of a library entry asks for. */
export interface LibraryInput {
  in: 'variable' | 'header';
  name: string;
  description: string | null;
  isRequired: boolean;
  isSecret: boolean;
  default: string | null;
  choices: string[] | null;
}

/** An MCP library entry: curated (`portico`) or the organization's own. */
export interface LibraryEntry {
  id: string;
  source: 'portico' | 'organization';
  name: string;
  version: string;
  title: string | null;
  description: string;
  installable: boolean;
  inputs: LibraryInput[];
}

/** What an install (or an approved request) made. */
export interface InstalledBackend {
  apiId: number;
}

export interface InstallRequest {
  id: string;
  entry: { id: string; name: string; version: string };
  targetId: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  /** secret inputs the approver must give (`headers.Authorization`) */
  missingSecrets: string[];
  requestedByName: string;
  decidedByName: string | null;
  comment: string | null;
  apiId: number | null;
  createdAt: string;
}

/** An agent (MCP client) of the organization, predefined or custom. */
export interface Agent {
  id: string;
  name: string;
  description: string | null;
  predefined: string | null;
  clientIds: string[];
  clientMetadataUrls: string[];
  clientInfoNames: string[];
  applicationIds: number[];
  applications: { id: number; name: string }[];
  backends: { apiId: number; environmentId: string; name: string; tools: string[] }[];
}

/** A well-known MCP client Portico ships. */
export interface PredefinedAgent {
  key: string;
  name: string;
  description: string;
  clientInfoNames: string[];
  clientMetadataUrls: string[];
}

/** Which agents may use an MCP backend. */
export interface AgentMapping {
  restricted: boolean;
  agents: { agentId: string; name: string; tools: string[] }[];
}

/** A replica of a gateway (standalone API …/gateways/{id}/replicas `content[]`). */
export interface GatewayReplica {
  id: string;
  name: string;
  nodeId: string;
  gatewayVersion: string | null;
  status: 'CONNECTED' | 'DISCONNECTED';
  connectedAt: string | null;
  lastSeenAt: string | null;
  configurationStatus: { status: 'PENDING' | 'APPLYING' | 'UP_TO_DATE' | 'FAILED'; message: string | null };
  appliedRevision: number | null;
  desiredRevision: number;
  failedApis: { apiId: string; error: string }[];
}

export interface StandalonePage<T> {
  content: T[];
  totalElements: number;
}

/** An Exchange client application; `clientSecret` only in the answer that created or reset it. */
export interface ClientApplication {
  id: number;
  name: string;
  description: string | null;
  clientId: string;
  clientSecret?: string;
}

export interface SlaTierSummary {
  id: number;
  name: string;
  status: 'ACTIVE' | 'DEPRECATED' | string;
  autoApprove: boolean;
}

export interface Contract {
  id: number;
  apiId: number;
  environmentId: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'REVOKED';
  application: { id: number; name: string; clientId: string };
  tier: SlaTierSummary | null;
  requestedTier: SlaTierSummary | null;
}

/** An API key of an instance; `key` (the secret) only in the answer that created it. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'revoked' | 'expired';
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  key?: string;
}
