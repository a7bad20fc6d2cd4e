/**
 * The whole path, for real: control plane (real Postgres) → REST create/deploy/apply → gRPC sync
 * stream (mTLS) → gateway process → MCP SDK client ↔ @modelcontextprotocol/server-everything.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from './support/factories.js';
import {
  deployMcpInstance,
  eventually,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';

describe('MCP traffic through a registered gateway', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let instance: McpInstance;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, 'e2e-gateway');
    instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/demo',
      targetId: registered.gatewayId,
    });
    gateway = await startGatewayProcess({ dir: registered.dir });
  });

  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('becomes ready once the first snapshot is applied; the deployment goes applied and the instance active', async () => {
    await gateway.waitForStatus((s) => s.ready && s.sync.state === 'connected');
    expect(await gateway.readiness()).toBe(200);
    await rolledOut(cp, tenant, instance);
    const deployments = `${instance.apisPath}/${instance.apiId}/deployments`;
    const [deployment] = (await cp.request('GET', deployments, { token: tenant.token })).body;
    const status = await cp.request('GET', `${deployments}/${deployment.id}/status`, { token: tenant.token });
    expect(status.body).toMatchObject({ status: 'applied', apiVersionStatus: 'active' });
  });

  it('shows the target running with its version, and the replica with the revision it applied', async () => {
    const envPath = `/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const targets = await cp.request('GET', `/apimanager/xapi/v1${envPath}/gateway-targets`, { token: tenant.token });
    expect(targets.body.rows).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: registered.gatewayId, status: 'RUNNING', version: '1.0.0' })]),
    );
    const replicas = await cp.request('GET', `/standalone/api/v1${envPath}/gateways/${registered.gatewayId}/replicas`, {
      token: tenant.token,
    });
    const status = await gateway.status();
    expect(replicas.body.content).toEqual([
      expect.objectContaining({
        nodeId: gateway.replicaId,
        status: 'CONNECTED',
        gatewayVersion: '1.0.0',
        appliedRevision: status.revision,
        appliedHash: status.hash,
        configurationStatus: { status: 'UP_TO_DATE', message: null },
      }),
    ]);
  });

  it('carries every feature of server-everything: tools, progress over SSE, resources, prompts, GET stream, DELETE', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${instance.proxyUrl}/mcp`));
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    await client.connect(transport);
    expect(transport.sessionId).toBeTruthy();
    expect(client.getServerVersion()?.name).toBe('mcp-servers/everything');

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    expect(await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } })).toMatchObject({
      content: [{ type: 'text', text: 'Echo: through the gateway' }],
    });

    const progress: number[] = [];
    const long = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(long.content).toBeDefined();
    expect(progress).toEqual([1, 2, 3]);

    const resources = await client.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    const first = resources.resources[0]!;
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);

    const prompts = await client.listPrompts();
    const simple = prompts.prompts.find((p) => !p.arguments?.some((a) => a.required)) ?? prompts.prompts[0]!;
    const prompt = await client.getPrompt({ name: simple.name, arguments: {} });
    expect(prompt.messages.length).toBeGreaterThan(0);

    // The standalone GET stream: server-everything's simulated logging arrives on it.
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await eventually(async () => (logs.length ? logs : undefined), 'a log notification on the GET stream', 20_000);
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });

    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    await client.close();
    // The upstream forgot the session: a request with its id is refused (server-everything answers 400).
    const stale = await fetch(`${instance.proxyUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(stale.status).toBeGreaterThanOrEqual(400);
  });
});
