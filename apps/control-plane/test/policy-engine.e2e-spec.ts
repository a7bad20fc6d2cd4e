/**
 * The gateway's policy engine seen from the control plane: an API whose policy chain the gateway
 * cannot build is not served (and says why over REST) while the other APIs of the target serve
 * and keep changing; a policy's mode reaches the gateway; the instance's public URL is a name
 * its gateway accepts in Host (DNS-rebinding protection); an https proxyUri is served with its
 * inbound TLS context, verifying client certificates when the context has trusted certificates.
 */
import { POLICY_GROUP_ID, POLICY_TEMPLATES } from '#portico/policy-catalog';
import {
  createTestCa,
  type EverythingServer,
  freePort,
  type GatewayProcess,
  postMcp,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  deploymentStatus,
  deployMcpInstance,
  echo,
  INITIALIZE,
  eventually,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';

const JWT_VERSION = POLICY_TEMPLATES.find((t) => t.assetId === 'jwt-validation')!.version;

describe('policy engine', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;

  const deploy = async (basePath: string) =>
    deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath,
      targetId: registered.gatewayId,
    });

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('engine'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
  });
  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('does not serve an API whose policy the gateway cannot build, says why, and serves and changes the others', async () => {
    const [broken, healthy] = [await deploy('/broken'), await deploy('/healthy')];
    await Promise.all([rolledOut(cp, tenant, broken), rolledOut(cp, tenant, healthy)]);
    // A policy the gateway cannot build: its key is not a PEM public key (the catalog form only
    // asks for a key; the gateway finds out when it compiles it).
    const applied = await cp.request('POST', `${broken.apisPath}/${broken.apiId}/policies`, {
      token: tenant.token,
      json: {
        groupId: POLICY_GROUP_ID,
        assetId: 'jwt-validation',
        assetVersion: JWT_VERSION,
        configurationData: { jwtOrigin: 'httpBearerAuthenticationHeader', signingMethod: 'rsa', textKey: 'not a PEM key' },
      },
    });
    expect(applied.status).toBe(201);
    await eventually(async () => ((await deploymentStatus(cp, tenant, broken)) === 'failed' ? true : undefined), 'failed');
    const deployments = `${broken.apisPath}/${broken.apiId}/deployments`;
    const [deployment] = (await cp.request('GET', deployments, { token: tenant.token })).body;
    const status = await cp.request('GET', `${deployments}/${deployment.id}/status`, { token: tenant.token });
    expect(status.body).toEqual({
      status: 'failed',
      lastActiveDate: null,
      apiVersionStatus: 'inactive',
      errorMessage: expect.stringContaining(`API ${broken.apiId}: policy `),
    });
    expect(status.body.errorMessage).toContain('textKey is not a PEM public key for RS256');

    // Never served without the policy: answered 503 with a JSON-RPC error, the cause kept out.
    const res = await fetch(`${broken.proxyUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32603,
        message: 'This API is not available: the gateway could not apply its configuration (its deployment status says why)',
        data: { reason: 'API_UNAVAILABLE' },
      },
    });

    // The other API serves, and takes changes, all along.
    expect(await echo(healthy.proxyUrl, 'unaffected')).toBe('Echo: unaffected');
    const relabelled = await cp.request('PATCH', `${healthy.apisPath}/${healthy.apiId}`, {
      token: tenant.token,
      json: { instanceLabel: uniqueName('changed') },
    });
    expect(relabelled.status).toBe(200);
    await rolledOut(cp, tenant, healthy);
    expect(await deploymentStatus(cp, tenant, broken)).toBe('failed');
  });

  it('runs a policy in the mode applied over REST', async () => {
    const instance: McpInstance = await deploy('/shadowed');
    const policies = `${instance.apisPath}/${instance.apiId}/policies`;
    const [support] = (await cp.request('GET', `${policies}?fullInfo=false`, { token: tenant.token })).body;
    const shadow = await cp.request('PATCH', `${policies}/${support.id}`, { token: tenant.token, json: { mode: 'shadow' } });
    expect(shadow.body.mode).toBe('shadow');
    await rolledOut(cp, tenant, instance);
    expect(await echo(instance.proxyUrl, 'shadowed')).toBe('Echo: shadowed');
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/policy_verdicts_total\{policy="mcp-support",verdict="pass",mode="shadow"\} [1-9]/);
  });

  it("accepts the instance's public URL (endpointUri) in Host once it is set, and refuses other names", async () => {
    const instance = await deploy('/named');
    await rolledOut(cp, tenant, instance);
    const url = `${instance.proxyUrl}/mcp`;
    const refused = await postMcp(url, INITIALIZE, { host: 'mcp.example.com' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.data).toEqual({ reason: 'HOST_NOT_ALLOWED' });
    const patched = await cp.request('PATCH', `${instance.apisPath}/${instance.apiId}`, {
      token: tenant.token,
      json: { endpointUri: 'https://mcp.example.com/named' },
    });
    expect(patched.status).toBe(200);
    await rolledOut(cp, tenant, instance);
    expect((await postMcp(url, INITIALIZE, { host: 'mcp.example.com' })).status).toBe(200);
    expect((await postMcp(url, INITIALIZE, { host: 'other.example.com' })).status).toBe(403);
  });

  it('serves an https proxyUri with its inbound TLS context, and mutual TLS with its trusted certificates', async () => {
    const [serverCa, clientCa] = [await createTestCa('listener CA'), await createTestCa('client CA')];
    const server = await serverCa.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], usage: 'server' });
    const client = await clientCa.issue({ commonName: 'agent-1', usage: 'client' });
    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await cp.request('POST', groups, { token: tenant.token, json: { name: uniqueName('listener') } });
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: tenant.token,
      json: { name: uniqueName('inbound'), certificate: server.certificatePem, privateKey: server.privateKeyPem },
    });
    expect(context.status).toBe(201);
    const inbound = { secretGroupId: group.body.id, tlsContextId: context.body.id };
    const instance = await deploy('/secure');
    const port = new URL(instance.proxyUrl).port;
    const patched = await cp.request('PATCH', `${instance.apisPath}/${instance.apiId}`, {
      token: tenant.token,
      json: { endpoint: { proxyUri: `https://0.0.0.0:${port}/secure`, tlsContexts: { inbound } } },
    });
    expect(patched.status).toBe(200);
    await rolledOut(cp, tenant, instance);
    const url = `https://127.0.0.1:${port}/secure/mcp`;
    const served = await postMcp(url, INITIALIZE, {}, { ca: serverCa.certificatePem });
    expect(served.status).toBe(200);
    expect(served.peerCertificate?.subject.CN).toBe('localhost');
    await expect(postMcp(url, INITIALIZE)).rejects.toThrow(/certificate/i); // a client that does not trust it

    // Trusted certificates on the context: the listener now asks for a client certificate.
    const mutual = await cp.request('PATCH', `${groups}/${group.body.id}/tlsContexts/${context.body.id}`, {
      token: tenant.token,
      json: { trustedCertificates: clientCa.certificatePem },
    });
    expect(mutual.status).toBe(200);
    await rolledOut(cp, tenant, instance);
    await expect(postMcp(url, INITIALIZE, {}, { ca: serverCa.certificatePem })).rejects.toThrow();
    const withCertificate = await postMcp(
      url,
      INITIALIZE,
      {},
      {
        ca: serverCa.certificatePem,
        cert: client.certificatePem,
        key: client.privateKeyPem,
      },
    );
    expect(withCertificate.status).toBe(200);
  });
});
