/**
 * One of every resource the REST API manages, made in a tenant's Sandbox through the public
 * routes as its admin would (factories only where no route creates the thing: tool pins and the
 * changes gateways report). For specs that need a tenant with something of each kind, such as the
 * cross-tenant matrix.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { createTestCa } from '#portico/testing';
import type { ControlPlaneClient, RequestOptions } from './control-plane.js';
import { testPrisma, type TestTenant, uniqueName } from './factories.js';
import { registerGateway } from './gateways.js';

/** The ids of a populated tenant, all in its Sandbox; names are unique to the tenant. */
export interface TenantResources {
  tenant: TestTenant;
  /** the admin's own user id, and a second user's */
  adminUserId: string;
  userId: string;
  /** a connected application's public client id */
  connectedAppClientId: string;
  /** an MCP asset published asynchronously (so it has a publication run) with one file */
  asset: { groupId: string; assetId: string; version: string };
  publicationRunId: string;
  /** a change of the asset's mutable data (its tags) */
  mutableDataRunId: string;
  assetFile: { classifier: string; packaging: string };
  /** the asset's published portal holds page `home` and this resource (`resources/<it>`) */
  portalResourceId: string;
  /** a registered gateway (target) and the serial number of its client certificate */
  gatewayId: string;
  certificateSerial: string;
  /** a TLS context holding a server certificate and its key (what an https listener serves with) */
  secretGroupId: string;
  tlsContextId: string;
  /** an MCP instance of the asset, with each of the following */
  apiId: number;
  upstreamId: string;
  deploymentId: number;
  policyId: number;
  tierId: number;
  clientApplicationId: number;
  contractId: number;
  apiKeyId: string;
  pinnedToolName: string;
  /** a pending tool-definition change of the pinned tool */
  toolChangeId: number;
  /** an alert of the instance in each dialect: API Manager's (legacy) and Anypoint Monitoring's */
  alertId: string;
  monitoringAlertId: string;
  /** an MCP library entry of the organization, and a pending install request of it */
  libraryEntryId: string;
  installRequestId: string;
  /** a user's gateway-managed OAuth connection to the instance's backend */
  oauthConnectionId: string;
  /** an agent bound to the client application, mapped to the instance (restricted) */
  agentId: string;
}

/** Makes one of each resource in `tenant`'s Sandbox (see TenantResources). */
export async function populateTenant(cp: ControlPlaneClient, tenant: TestTenant): Promise<TenantResources> {
  const { organizationId: org, sandboxId: env, token } = tenant;
  /** The body of the answer, which must have `status`. */
  const call = async (method: string, path: string, options: RequestOptions, status: number): Promise<any> => {
    const res = await cp.request(method, path, { token, ...options });
    if (res.status !== status) throw new Error(`populateTenant: ${method} ${path} answered ${res.status} ${res.text}`);
    return res.body;
  };
  const create = (path: string, json: unknown) => call('POST', path, { json }, 201);

  const adminUserId: string = (await call('GET', '/accounts/api/me', {}, 200)).user.id;
  const read = ['read:organization'];
  const user = await create(`/accounts/api/organizations/${org}/users`, {
    username: uniqueName('member'),
    password: 'member-password-1',
    scopes: read,
  });
  const connectedApp = await create('/accounts/api/connectedApplications', {
    client_name: uniqueName('ci'),
    grant_types: ['client_credentials'],
    scopes: read,
  });

  const asset = { groupId: org, assetId: uniqueName('mcp'), version: '1.0.0' };
  const form = new FormData();
  form.append('name', `${asset.assetId} server`);
  form.append('type', 'mcp');
  form.append('files.mcp-metadata.json', new Blob(['{"platform":"portico"}']), 'mcp-metadata.json');
  const { publicationStatusLink } = await call(
    'POST',
    `/exchange/api/v2/organizations/${org}/assets/${asset.groupId}/${asset.assetId}/${asset.version}`,
    { headers: { 'x-sync-publication': 'false' }, multipart: form },
    202,
  );
  const tags = new FormData();
  tags.append('tags', 'mcp');
  const { mutableDataStatusLink } = await call(
    'PATCH',
    `/exchange/api/v2/organizations/${org}/assets/${asset.groupId}/${asset.assetId}/${asset.version}/mutabledata`,
    { multipart: tags },
    202,
  );
  const portal = `/exchange/api/v2/assets/${asset.groupId}/${asset.assetId}/${asset.version}/portal`;
  await create(`${portal}/draft/pages`, { pagePath: 'home' });
  const logo = new FormData();
  logo.append('files.png', new Blob(['png']), 'logo.png');
  const portalResource: string = (await call('POST', `${portal}/draft/resources`, { multipart: logo }, 201)).path;
  await call('PATCH', portal, {}, 204);

  const gateway = await registerGateway(cp, tenant, uniqueName('gw'));
  const gatewayPath = `/standalone/api/v1/organizations/${org}/environments/${env}/gateways/${gateway.gatewayId}`;
  const [certificate] = (await call('GET', `${gatewayPath}/certificates`, {}, 200)).content;

  const secrets = `/secrets-manager/api/v1/organizations/${org}/environments/${env}/secretGroups`;
  const secretGroup = await create(secrets, { name: uniqueName('secrets') });
  const ca = await createTestCa();
  const server = await ca.issue({ commonName: 'mcp.example.com', names: ['mcp.example.com'], usage: 'server' });
  const tlsContext = await create(`${secrets}/${secretGroup.id}/tlsContexts`, {
    name: uniqueName('tls'),
    certificate: server.certificatePem,
    privateKey: server.privateKeyPem,
  });

  const apis = `/apimanager/api/v1/organizations/${org}/environments/${env}/apis`;
  const api = await create(apis, {
    technology: 'flexGateway',
    spec: asset,
    endpoint: {
      deploymentType: 'HY',
      type: 'mcp',
      uri: 'http://127.0.0.1:9/',
      proxyUri: `http://0.0.0.0:8081/${uniqueName('mcp')}`,
    },
  });
  const apiPath = `${apis}/${api.id}`;
  const upstream = await create(`${apiPath}/upstreams`, { uri: 'http://127.0.0.1:9/extra/' });
  const deployment = await create(`${apiPath}/deployments`, {
    type: 'HY',
    targetId: gateway.gatewayId,
    targetName: gateway.name,
    gatewayVersion: '1.0.0',
    environmentId: env,
  });
  const policy = await create(`${apiPath}/policies`, {
    groupId: POLICY_GROUP_ID,
    assetId: 'rate-limiting',
    assetVersion: '1.4.1',
    configurationData: { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
  });
  const tier = await create(`${apiPath}/tiers`, {
    name: uniqueName('gold'),
    limits: [{ maximumRequests: 10, timePeriodInMilliseconds: 1000 }],
  });
  const application = await create(`/exchange/api/v2/organizations/${org}/applications`, { name: uniqueName('client') });
  const contract = await create(`${apiPath}/contracts`, { applicationId: application.id, requestedTierId: tier.id });
  const apiKey = await create(`${apiPath}/api-keys`, { name: uniqueName('key') });
  const alert = await create(`${apiPath}/alerts`, {
    name: uniqueName('alert'),
    type: 'api-request-count',
    severity: 'Info',
    condition: { operator: 'GREATER_THAN', value: 1000 },
    period: { duration: { count: 1, weight: 'MINUTES' }, repeat: 1 },
    recipients: [{ type: 'email', value: 'ops@example.com' }],
  });
  const monitoringAlert = await create(`/monitoring/api/alerts/api/v2/organizations/${org}/environments/${env}/alerts`, {
    name: uniqueName('alert'),
    severity: 'info',
    metricType: 'api_request_count',
    resources: [{ apiId: api.id }],
    condition: { operator: 'above', threshold: 1000, interval: 1 },
    notifications: [{ type: 'email', recipients: ['ops@example.com'] }],
  });

  const mcpgateway = `/mcpgateway/api/v1/organizations/${org}`;
  const [libraryEntry] = (
    await create(`${mcpgateway}/library`, {
      name: `io.github.portico-tests/${uniqueName('entry')}`,
      description: 'A library entry',
      version: '1.0.0',
      remotes: [{ type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' }],
    })
  ).data;
  const agent = await create(`${mcpgateway}/agents`, { name: uniqueName('agent'), applicationIds: [application.id] });
  await call(
    'PUT',
    `${mcpgateway}/environments/${env}/backends/${api.id}/agents`,
    { json: { restricted: true, agents: [{ agentId: agent.id, tools: ['echo'] }] } },
    200,
  );
  const installRequest = await create(`${mcpgateway}/environments/${env}/install-requests`, {
    entryId: libraryEntry.id,
    targetId: gateway.gatewayId,
    reason: 'one of every resource',
  });

  // Pins and changes come from gateways (config-sync), never from a REST create.
  const pinnedToolName = uniqueName('tool');
  const definition = { name: pinnedToolName, inputSchema: { type: 'object' } };
  await testPrisma().toolPin.create({
    data: { apiId: api.id, toolName: pinnedToolName, sha256: 'a'.repeat(64), definition, source: 'first-use' },
  });
  const change = await testPrisma().toolDefinitionChange.create({
    data: {
      apiId: api.id,
      toolName: pinnedToolName,
      sha256: 'b'.repeat(64),
      definition: { ...definition, description: 'changed' },
      previousSha256: 'a'.repeat(64),
      previousDefinition: definition,
      diff: [{ op: 'add', path: '/description', value: 'changed' }],
      reportedByTarget: gateway.gatewayId,
      reportedByReplica: 'replica-1',
    },
  });
  const oauthConnection = await testPrisma().backendOAuthConnection.create({
    data: {
      apiId: api.id,
      subject: 'alice',
      issuer: 'https://as.example.com',
      clientId: 'portico',
      accessTokenSealed: 'enc:v1:x',
    },
  });

  return {
    tenant,
    adminUserId,
    userId: user.id,
    connectedAppClientId: connectedApp.client_id,
    asset,
    publicationRunId: publicationStatusLink.split('/').pop(),
    mutableDataRunId: mutableDataStatusLink.split('/').pop(),
    assetFile: { classifier: 'mcp-metadata', packaging: 'json' },
    portalResourceId: portalResource.slice('resources/'.length),
    gatewayId: gateway.gatewayId,
    certificateSerial: certificate.serialNumber,
    secretGroupId: secretGroup.id,
    tlsContextId: tlsContext.id,
    apiId: api.id,
    upstreamId: upstream.id,
    deploymentId: deployment.id,
    policyId: policy.id,
    tierId: tier.id,
    clientApplicationId: application.id,
    contractId: contract.id,
    apiKeyId: apiKey.id,
    pinnedToolName,
    toolChangeId: change.id,
    alertId: alert.id,
    monitoringAlertId: monitoringAlert.alertId,
    libraryEntryId: libraryEntry.id,
    installRequestId: installRequest.id,
    oauthConnectionId: oauthConnection.id,
    agentId: agent.id,
  };
}

/** Where each path parameter of the REST routes (and each reference in a body) takes its value in a populated tenant. */
export const PATH_PARAMS: Readonly<Record<string, (r: TenantResources) => string | number>> = {
  orgId: (r) => r.tenant.organizationId,
  envId: (r) => r.tenant.sandboxId,
  userId: (r) => r.userId,
  clientId: (r) => r.connectedAppClientId,
  groupId: (r) => r.asset.groupId,
  assetId: (r) => r.asset.assetId,
  version: (r) => r.asset.version,
  runId: (r) => r.publicationRunId,
  classifier: (r) => r.assetFile.classifier,
  packaging: (r) => r.assetFile.packaging,
  fileName: (r) => `${r.asset.assetId}-${r.asset.version}-${r.assetFile.classifier}.${r.assetFile.packaging}`,
  pagePath: () => 'home',
  resourceId: (r) => r.portalResourceId,
  gatewayId: (r) => r.gatewayId,
  targetId: (r) => r.gatewayId,
  serialNumber: (r) => r.certificateSerial,
  secretGroupId: (r) => r.secretGroupId,
  tlsContextId: (r) => r.tlsContextId,
  apiId: (r) => r.apiId,
  upstreamId: (r) => r.upstreamId,
  deploymentId: (r) => r.deploymentId,
  policyId: (r) => r.policyId,
  tierId: (r) => r.tierId,
  applicationId: (r) => r.clientApplicationId,
  contractId: (r) => r.contractId,
  keyId: (r) => r.apiKeyId,
  toolName: (r) => r.pinnedToolName,
  changeId: (r) => r.toolChangeId,
  alertId: (r) => r.alertId,
  entryId: (r) => r.libraryEntryId,
  requestId: (r) => r.installRequestId,
  connectionId: (r) => r.oauthConnectionId,
  agentId: (r) => r.agentId,
};
