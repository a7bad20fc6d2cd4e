/**
 * The console's observability screens (issue 22, seed 003) in Chromium against a real control
 * plane, a real gateway process and a real MCP server. An instance is deployed with JWT
 * validation, the DLP guardrail (redact e-mail addresses) and payload logging; an agent is
 * recognised by its client id. Two MCP SDK clients call tools through the gateway: the agent (a
 * user of example.org, once with an e-mail address, once a failing tool) and an unrecognised
 * client (a user of other.test). Then: the Logs screen lists the calls and its filters (tool,
 * agent, DLP outcome, user domain, MCP server, time range) narrow them and survive a reload; the
 * detail dialog shows one call with its DLP finding and redacted payload; the traffic dashboard
 * draws its charts and counts the calls; the workflow graph shows agent → MCP → tool; the AI
 * inventory lists the server with its tools, DLP action and activity. A screenshot of each.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type GatewayProcess,
  startGatewayProcess,
  startIdentityProvider,
  startMcpServer,
  type TestIdentityProvider,
  type TestMcpServer,
} from '#portico/testing';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from '../support/factories.js';
import {
  deployWithPolicies,
  eventually,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  withMcpClient,
} from '../support/gateways.js';

const AGENT = 'Observe bot';

/** `date` as a datetime-local input takes it, in this machine's time zone (the browser's). */
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

describe('console: logs, traffic, workflow graph and AI inventory', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let idp: TestIdentityProvider;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let instance: McpInstance;
  let assetId: string;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  let analytics: string;

  const section = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  const count = () => page.locator('p.count').textContent();
  const rows = () => page.locator('.log-body [role="row"]');
  const apply = () => page.getByRole('button', { name: 'Apply filters' }).click();
  const counted = (text: string) => page.locator('p.count', { hasText: new RegExp(`^${text}$`) }).waitFor();

  /** An SDK client through the gateway as `clientId`, a user with `email`, sending `userAgent`. */
  const asClient = async (clientId: string, email: string, userAgent: string, calls: [string, Record<string, unknown>][]) => {
    const token = await idp.sign({ sub: email, client_id: clientId, email });
    await withMcpClient(
      `${instance.proxyUrl}/mcp`,
      { authorization: `Bearer ${token}`, 'user-agent': userAgent },
      async (client) => {
        await client.listTools();
        for (const [name, args] of calls) await client.callTool({ name, arguments: args });
      },
    );
  };

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    analytics = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    upstream = await startMcpServer();
    idp = await startIdentityProvider();
    const agent = await cp.request('POST', `/mcpgateway/api/v1/organizations/${tenant.organizationId}/agents`, {
      token: tenant.token,
      json: { name: AGENT, clientIds: ['observe-bot'] },
    });
    expect(agent.status).toBe(201);
    registered = await registerGateway(cp, tenant, uniqueName('observe'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    instance = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'observe' },
      [
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'jwt-validation',
          assetVersion: '0.12.0',
          configurationData: {
            jwtOrigin: 'httpBearerAuthenticationHeader',
            jwtKeyOrigin: 'jwks',
            jwksUrl: idp.jwksUrl,
            signingMethod: 'rsa',
            issuer: 'https://idp.test',
            skipClientIdValidation: true,
          },
        },
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'mcp-pii-detector',
          assetVersion: '1.0.0',
          configurationData: { entities: ['Email'], action: 'Redact' },
        },
        { groupId: POLICY_GROUP_ID, assetId: 'mcp-payload-logging', assetVersion: '1.0.0', configurationData: {} },
      ],
    );
    assetId = (await cp.request('GET', `${instance.apisPath}/${instance.apiId}`, { token: tenant.token })).body.assetId;

    await asClient('observe-bot', 'alice@example.org', 'observe-e2e/1.0', [
      ['echo', { text: 'write to alice@example.org' }],
      ['fail', { message: 'on purpose' }],
    ]);
    await asClient('other-client', 'bob@other.test', 'other-e2e/1.0', [['echo', { text: 'hello' }]]);
    // the screens read what the control plane holds: wait for the three tool calls and the tool list
    await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/access-logs?apiId=${instance.apiId}&method=tools/call`, {
        token: tenant.token,
      });
      return res.body.data?.length === 3 ? true : undefined;
    }, 'the three tool calls in the access log');
    await eventually(async () => {
      const res = await cp.request(
        'GET',
        `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/inventory`,
        { token: tenant.token },
      );
      return res.body.data?.[0]?.toolCount >= 2 ? true : undefined;
    }, 'the tools the gateway saw in the inventory');

    browser = await launchBrowser();
    tab = await openConsole(browser, cp.url);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
    await idp?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(() => expect(tab.problems).toEqual([]));

  it('Logs lists the calls made through the gateway, newest first, counted on the server', async () => {
    const analytics = page.waitForResponse((r) => r.url().includes('/mcp-analytics') && r.ok());
    await section('Logs').click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await rows().filter({ hasText: 'fail' }).first().waitFor();
    const shown = await rows().count();
    // the count is the server's, not the rows the page holds
    const total = ((await (await analytics).json()) as { totals: { requests: number } }).totals.requests;
    expect(total).toBe(shown);
    await counted(`${total} matching calls`);
    const tools = await rows().filter({ hasText: 'tools/call' }).locator('[role="cell"]:nth-child(4)').allTextContents();
    expect(tools).toEqual(['echo', 'fail', 'echo']);
    await tab.screenshot('observe-logs');
  });

  it('narrows the calls by tool, agent, DLP outcome, user domain and MCP server, with the filters in the URL', async () => {
    await page.getByLabel('Tool', { exact: true }).fill('echo');
    await apply();
    await counted('2 matching calls');
    expect(page.url()).toContain('tool=echo');
    await expect(rows().count()).resolves.toBe(2);

    await page.getByLabel('Agent', { exact: true }).fill(AGENT);
    await apply();
    await counted('1 matching call');
    await expect(rows().first().textContent()).resolves.toContain(AGENT);
    await expect(rows().first().textContent()).resolves.toContain('alice@example.org');

    await page.getByLabel('Agent', { exact: true }).fill('');
    await page.getByLabel('DLP outcome').selectOption('redacted');
    await apply();
    await counted('1 matching call');
    await expect(rows().first().textContent()).resolves.toContain('redacted (Email)');

    await page.getByLabel('DLP outcome').selectOption('');
    await page.getByLabel('User domain').fill('other.test');
    await page.getByLabel('MCP server').selectOption(String(instance.apiId));
    await apply();
    await counted('1 matching call');
    await expect(rows().first().textContent()).resolves.toContain('bob@other.test');
    await tab.screenshot('observe-logs-filtered');

    // a shared or reloaded view shows the same calls
    await page.reload();
    await counted('1 matching call');
    await expect(page.getByLabel('User domain').inputValue()).resolves.toBe('other.test');
    await expect(page.getByLabel('Tool', { exact: true }).inputValue()).resolves.toBe('echo');
  });

  it('narrows by time range: a custom range before the calls holds none, and must start before it ends', async () => {
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByLabel('Time range').selectOption('custom');
    const from = page.getByLabel('From', { exact: true });
    await from.fill(localInput(new Date(Date.now() - 3_600_000)));
    await page.getByLabel('To', { exact: true }).fill(localInput(new Date(Date.now() - 7_200_000)));
    await apply();
    await expect(from.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('.field-error').textContent()).resolves.toBe('The range must start before it ends');

    await from.fill(localInput(new Date(Date.now() - 3 * 3_600_000)));
    await apply();
    await page.getByText('No call matches these filters in this time range.').waitFor();
    await expect(count()).resolves.toBe('0 matching calls');
    expect(page.url()).toContain('range=custom');

    await page.getByLabel('Time range').selectOption('15m');
    await apply();
    await rows().first().waitFor();
    expect(page.url()).toContain('range=15m');
  });

  it('shows one call in a detail view that belongs to the URL', async () => {
    await page.getByLabel('Tool', { exact: true }).fill('echo');
    await page.getByLabel('Agent', { exact: true }).fill(AGENT);
    await apply();
    await counted('1 matching call');
    await rows().first().getByRole('link').click();
    const dialog = page.getByRole('dialog', { name: 'Call of echo' });
    await dialog.waitFor();
    const text = await dialog.textContent();
    expect(text).toContain(AGENT);
    expect(text).toContain('example.org');
    expect(text).toContain('observe-e2e/1.0');
    await expect(dialog.getByRole('row', { name: /request Email redacted/ }).count()).resolves.toBe(1);
    await dialog.getByText('Request', { exact: true }).click();
    await expect(dialog.locator('pre.payload').first().textContent()).resolves.toContain('[REDACTED');
    expect(page.url()).toContain('call=');
    await tab.screenshot('observe-call-detail');

    await page.reload();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // the dialog closes at once; the URL follows when the router has navigated
    await page.waitForURL((url) => !url.hash.includes('call='));
  });

  it('the traffic dashboard draws its charts and counts the calls', async () => {
    await section('Traffic').click();
    await page.getByRole('heading', { name: 'Traffic' }).waitFor();
    await page.locator('.chart canvas').nth(3).waitFor();
    const tools = page.getByRole('region', { name: 'Tools used' });
    await expect(tools.getByRole('img').getAttribute('aria-label')).resolves.toBe('Tools used: Calls per tool: echo 2, fail 1');
    await tools.getByText('Show the numbers').click();
    const echoRow = tools.getByRole('row', { name: /^echo/ });
    await expect(echoRow.locator('td').first().textContent()).resolves.toBe('2');
    await tab.screenshot('observe-traffic');

    await page.getByLabel('Tool', { exact: true }).fill('fail');
    await apply();
    const stat = (label: string, value: string) =>
      page
        .locator('.stats > div')
        .filter({ hasText: new RegExp(`^${label}${value}$`) })
        .waitFor();
    await stat('Calls', '1');
    await stat('Errors', '1');
    await stat('Error rate', '100.0 %');
  });

  it('the workflow graph shows agent → MCP server → tool, weighted by calls and errors', async () => {
    // The graph the page drew from: the same state of the access log the table shows (one read
    // later could count exchanges logged in between).
    const read = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/workflow-graph') && r.ok());
    await section('Workflow graph').click();
    await page.getByRole('heading', { name: 'Workflow graph' }).waitFor();
    const graph = (await (await read).json()) as { edges: { source: string; requests: number; errors: number }[] };
    const drawing = page.locator('.graph-view svg');
    await drawing.waitFor();
    const labels = await drawing.locator('.graph-node text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining([AGENT, 'echo', 'fail']));
    const edge = (from: string, to: string) =>
      page.getByRole('table', { name: 'Edges' }).getByRole('row').filter({ hasText: from }).filter({ hasText: to });
    const serverLabel = `MCP server ${assetId}`;
    // the agent's every exchange (initialize, its stream, tools/list, both calls) goes to the server
    const agentEdge = graph.edges.find((e) => e.source === `named:${AGENT}`)!;
    const [, , calls, errors] = await edge(`Agent ${AGENT}`, serverLabel).locator('td').allTextContents();
    expect([Number(calls), Number(errors)]).toEqual([agentEdge.requests, agentEdge.errors]);
    expect(agentEdge.requests).toBeGreaterThanOrEqual(4);
    expect(agentEdge.errors).toBeGreaterThanOrEqual(1);
    // the tools/call the test made (all logged before the page was opened)
    await expect(edge(serverLabel, 'Tool echo').locator('td').nth(2).textContent()).resolves.toBe('2');
    await expect(edge(serverLabel, 'Tool fail').locator('td').nth(3).textContent()).resolves.toBe('1');
    await tab.screenshot('observe-graph');

    // each edge links to its calls in Logs: a tool's by name, an unrecognised client's by its client id
    await edge(serverLabel, 'Tool echo').getByRole('link').click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await counted('2 matching calls');
    await page.goBack();
    await edge('Agent other-client', serverLabel).getByRole('link').click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    expect(page.url()).toContain('clientId=other-client');
    // its exchanges only (bob's), its one call among them: exchanges logged since the graph was
    // read may add rows, not change whose they are
    await eventually(async () => {
      const users = await rows().locator('[role="cell"]:nth-child(6)').allTextContents();
      return users.length > 0 && users.every((user) => user === 'bob@other.test') ? true : undefined;
    }, "other-client's calls only");
    await expect(rows().filter({ hasText: 'tools/call' }).count()).resolves.toBe(1);
  });

  it('the AI inventory lists the server with its tools, protection and activity', async () => {
    await section('AI inventory').click();
    await page.getByRole('heading', { name: 'AI inventory' }).waitFor();
    const row = page.locator('table.inventory tbody tr', { hasText: assetId });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('applied');
    expect(text).toContain('jwt-validation');
    expect(text).toContain('redact');
    expect(text).toMatch(/\d+ calls/);
    await row.getByText(/tools, \d+ offered/).click();
    await expect(row.locator('li').allTextContents()).resolves.toEqual(expect.arrayContaining(['echo', 'fail']));
    await tab.screenshot('observe-inventory');

    await row.getByRole('link', { name: /in Logs$/ }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await rows().first().waitFor();
    await expect(page.getByLabel('MCP server').inputValue()).resolves.toBe(String(instance.apiId));
  });
});
