/**
 * Connected-mode helpers for end-to-end tests: register a gateway through the real endpoints, and
 * create, deploy and protect an MCP instance through the REST dialect, as an operator would.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKeyAndCsr, writeRegistration } from '#portico/gateway-registration';
import type { ControlPlaneClient } from './control-plane.js';
import { freePort } from '#portico/testing';
import { newMcpAsset, type TestTenant, uniqueName } from './factories.js';

export const MCP_SUPPORT = { groupId: '68ef9520-24e9-4cf2-b2f5-620025690913', assetId: 'mcp-support', assetVersion: '1.0.1' };

export interface RegisteredGateway {
  dir: string;
  gatewayId: string;
  name: string;
}

/** Mints a registration token in the tenant's Sandbox (or `environmentId`) and registers `name` into a new directory. */
export async function registerGateway(
  cp: ControlPlaneClient,
  tenant: TestTenant,
  name: string,
  environmentId = tenant.sandboxId,
): Promise<RegisteredGateway> {
  const env = `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${environmentId}`;
  const minted = await cp.request('POST', `${env}/gatewaytokens`, { token: tenant.token });
  if (minted.status !== 200 && minted.status !== 201) throw new Error(`gatewaytokens: ${minted.status} ${minted.text}`);
  const { privateKeyPem, csrPem } = await createKeyAndCsr(name);
  const registered = await cp.request('POST', '/amc/registration-facade/api/v1/registrations', {
    json: { registrationToken: minted.body.registrationToken, name, csr: csrPem },
  });
  if (registered.status !== 201) throw new Error(`registration: ${registered.status} ${registered.text}`);
  const r = registered.body;
  const dir = await mkdtemp(path.join(tmpdir(), `portico-gw-${name}-`));
  await writeRegistration(dir, {
    agentId: r.gatewayId,
    name: r.name,
    organizationId: r.organizationId,
    environmentId: r.environmentId,
    controlPlaneUrl: cp.url,
    syncAddress: r.syncAddress,
    certificate: r.certificate,
    privateKey: privateKeyPem,
    caCertificate: r.caCertificate,
    certificateExpiresAt: r.certificateExpiresAt,
  });
  return { dir, gatewayId: r.gatewayId, name: r.name };
}

export interface McpInstance {
  apiId: number;
  apisPath: string;
  proxyUrl: string;
}

/** Creates (not deploys) a Flex MCP instance in Sandbox for `upstreamUrl` (ending in "/") on `port` + `basePath`. */
export async function createMcpInstance(
  cp: ControlPlaneClient,
  tenant: TestTenant,
  options: { upstreamUrl: string; port: number; basePath: string },
): Promise<{ apiId: number; apisPath: string }> {
  const spec = await newMcpAsset(tenant.organizationId);
  const apisPath = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const created = await cp.request('POST', apisPath, {
    token: tenant.token,
    json: {
      technology: 'flexGateway',
      spec,
      endpoint: {
        deploymentType: 'HY',
        type: 'mcp',
        isCloudHub: null,
        uri: options.upstreamUrl,
        proxyUri: `http://0.0.0.0:${options.port}${options.basePath}`,
      },
    },
  });
  if (created.status !== 201) throw new Error(`create instance: ${created.status} ${created.text}`);
  return { apiId: created.body.id as number, apisPath };
}

/**
 * Creates an MCP instance (createMcpInstance), deploys it to `targetId` and, unless `mcpSupport`
 * is false, applies MCP Support.
 */
export async function deployMcpInstance(
  cp: ControlPlaneClient,
  tenant: TestTenant,
  options: { upstreamUrl: string; port: number; basePath: string; targetId: string; mcpSupport?: boolean },
): Promise<McpInstance> {
  const { apiId, apisPath } = await createMcpInstance(cp, tenant, options);
  const deployed = await cp.request('POST', `${apisPath}/${apiId}/deployments`, {
    token: tenant.token,
    json: {
      type: 'HY',
      targetId: options.targetId,
      targetName: 'gateway',
      gatewayVersion: '1.0.0',
      environmentId: tenant.sandboxId,
      overwrite: false,
    },
  });
  if (deployed.status !== 201) throw new Error(`deploy: ${deployed.status} ${deployed.text}`);
  if (options.mcpSupport !== false) {
    const applied = await cp.request('POST', `${apisPath}/${apiId}/policies`, {
      token: tenant.token,
      json: { ...MCP_SUPPORT, configurationData: {} },
    });
    if (applied.status !== 201) throw new Error(`apply mcp-support: ${applied.status} ${applied.text}`);
  }
  return { apiId, apisPath, proxyUrl: `http://127.0.0.1:${options.port}${options.basePath}` };
}

/** A policy to apply, as POST …/policies takes it. */
export interface PolicyToApply {
  groupId: string;
  assetId: string;
  assetVersion: string;
  configurationData: unknown;
  mode?: 'shadow';
}

/**
 * An MCP instance for `upstreamUrl` on a free port and a fresh base path starting with `prefix`,
 * deployed to `targetId` with mcp-support and then `policies` in this order, once every replica
 * runs it.
 */
export async function deployWithPolicies(
  cp: ControlPlaneClient,
  tenant: TestTenant,
  options: { upstreamUrl: string; targetId: string; prefix: string },
  policies: readonly PolicyToApply[],
): Promise<McpInstance> {
  const instance = await deployMcpInstance(cp, tenant, {
    upstreamUrl: options.upstreamUrl,
    port: await freePort(),
    basePath: `/${uniqueName(options.prefix)}`,
    targetId: options.targetId,
  });
  for (const policy of policies) {
    const applied = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/policies`, {
      token: tenant.token,
      json: policy,
    });
    if (applied.status !== 201) throw new Error(`apply ${policy.assetId}: ${applied.status} ${applied.text}`);
  }
  await rolledOut(cp, tenant, instance);
  return instance;
}

/** `status` of the instance's deployment (applying | applied | failed | undeployed). */
export async function deploymentStatus(cp: ControlPlaneClient, tenant: TestTenant, api: McpInstance): Promise<string> {
  const deployments = `${api.apisPath}/${api.apiId}/deployments`;
  const [deployment] = (await cp.request('GET', deployments, { token: tenant.token })).body;
  return (await cp.request('GET', `${deployments}/${deployment.id}/status`, { token: tenant.token })).body.status;
}

/** Waits until every replica of the instance's target runs its latest change. */
export function rolledOut(cp: ControlPlaneClient, tenant: TestTenant, api: McpInstance, timeoutMs?: number): Promise<true> {
  return eventually(
    async () => ((await deploymentStatus(cp, tenant, api)) === 'applied' ? true : undefined),
    `the rollout of API ${api.apiId}`,
    timeoutMs,
  );
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `use` with an MCP SDK client connected to `url` (sending `headers` with every request), then closes it. */
export async function withMcpClient<T>(
  url: string,
  headers: Record<string, string>,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ name: 'portico-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** initialize + tools/call `echo` (server-everything's) through `proxyUrl` with the MCP SDK client; the echoed text. */
export function echo(proxyUrl: string, message = 'ping'): Promise<string> {
  return withMcpClient(`${proxyUrl}/mcp`, {}, async (client) => {
    const result = await client.callTool({ name: 'echo', arguments: { message } });
    return (result.content as { text: string }[])[0]!.text;
  });
}

/** A raw MCP `initialize` request, for tests that need exact headers or transports (postMcp). */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'portico-tests', version: '1.0.0' } },
};
