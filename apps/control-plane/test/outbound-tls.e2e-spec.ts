/**
 * Outbound TLS end to end (seed 000 "Outbound TLS"): a TLS context made through the Secrets
 * Manager routes (CA, client certificate, server name), an MCP instance whose upstream references
 * it, deployed to a registered gateway process, in front of a real HTTPS MCP server that demands a
 * client certificate and whose certificate is for a name other than the URL host.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  createTestCa,
  freePort,
  type GatewayProcess,
  startGatewayProcess,
  startMcpServer,
  type TestMcpServer,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, type TestTenant } from './support/factories.js';
import { deployMcpInstance, type McpInstance, registerGateway, rolledOut } from './support/gateways.js';

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };

/** An instance row without what rollouts write (status, and updatedAt with it). */
function configuration({ status: _status, updatedAt: _updatedAt, ...rest }: Record<string, unknown>) {
  return rest;
}

describe('outbound TLS from a TLS context to an upstream', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let gateway: GatewayProcess;
  let withTls: McpInstance;
  let withoutTls: McpInstance;
  let contextPath: string;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    const ca = await createTestCa('Upstream CA');
    const [serverCertificate, clientCertificate] = await Promise.all([
      ca.issue({ commonName: 'mcp.internal', names: ['mcp.internal'], usage: 'server' }),
      ca.issue({ commonName: 'portico-gateway', usage: 'client' }),
    ]);
    upstream = await startMcpServer({
      tls: { ...serverCertificate, ca: ca.certificatePem, requireClientCertificate: true },
      stateful: false,
      jsonResponse: true,
    });
    const upstreamUrl = `https://127.0.0.1:${upstream.port}/`;

    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await cp.request('POST', groups, { token: tenant.token, json: { name: 'upstream-secrets' } });
    expect(group.status).toBe(201);
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: tenant.token,
      json: {
        name: 'mcp-internal-mtls',
        trustedCertificates: ca.certificatePem,
        certificate: clientCertificate.certificatePem,
        privateKey: clientCertificate.privateKeyPem,
        serverName: 'mcp.internal',
      },
    });
    expect(context.status).toBe(201);
    contextPath = `${groups}/${group.body.id}/tlsContexts/${context.body.id}`;

    const registered = await registerGateway(cp, tenant, 'tls-gateway');
    const port = await freePort();
    const target = { upstreamUrl, port, targetId: registered.gatewayId };
    withTls = await deployMcpInstance(cp, tenant, { ...target, basePath: '/with-tls' });
    withoutTls = await deployMcpInstance(cp, tenant, { ...target, basePath: '/without-tls' });
    const upstreams = await cp.request('GET', `${withTls.apisPath}/${withTls.apiId}/upstreams`, { token: tenant.token });
    const referenced = await cp.request(
      'PATCH',
      `${withTls.apisPath}/${withTls.apiId}/upstreams/${upstreams.body.upstreams[0].id}`,
      {
        token: tenant.token,
        json: { tlsContext: { secretGroupId: group.body.id, tlsContextId: context.body.id } },
      },
    );
    expect(referenced.status).toBe(200);
    expect(referenced.body.tlsContext).toMatchObject({ name: 'mcp-internal-mtls', authorized: true });

    gateway = await startGatewayProcess({ dir: registered.dir });
    await rolledOut(cp, tenant, withTls);
    await rolledOut(cp, tenant, withoutTls);
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  const post = (instance: McpInstance) =>
    fetch(`${instance.proxyUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(PING),
    });

  const expectUnavailable = async (instance: McpInstance) => {
    const res = await post(instance);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { data: unknown } }).error.data).toEqual({ reason: 'UPSTREAM_UNAVAILABLE' });
  };

  it('lists and calls tools through the gateway over mTLS, checking the certificate against serverName', async () => {
    const client = new Client({ name: 'outbound-tls-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${withTls.proxyUrl}/mcp`)));
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'fail', 'slow']));
    expect(await client.callTool({ name: 'echo', arguments: { text: 'over mTLS' } })).toMatchObject({
      content: [{ type: 'text', text: 'over mTLS' }],
    });
    await client.close();
    expect(upstream.requests.at(-1)?.serverName).toBe('mcp.internal');
  });

  it('fails with 502 for the same upstream without the TLS context', async () => {
    await expectUnavailable(withoutTls);
  });

  it('pushes a change of the TLS context to the gateway without touching the instance', async () => {
    const instanceBefore = configuration(await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: withTls.apiId } }));
    const upstreamsBefore = await testPrisma().apiUpstream.findMany({ where: { apiId: withTls.apiId } });

    const wrong = await cp.request('PATCH', contextPath, { token: tenant.token, json: { serverName: 'wrong.internal' } });
    expect(wrong.status).toBe(200);
    await rolledOut(cp, tenant, withTls);
    await expectUnavailable(withTls);

    const fixed = await cp.request('PATCH', contextPath, { token: tenant.token, json: { serverName: 'mcp.internal' } });
    expect(fixed.status).toBe(200);
    await rolledOut(cp, tenant, withTls);
    expect((await post(withTls)).status).toBe(200);

    expect(configuration(await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: withTls.apiId } }))).toEqual(
      instanceBefore,
    );
    expect(await testPrisma().apiUpstream.findMany({ where: { apiId: withTls.apiId } })).toEqual(upstreamsBefore);
  });
});
