/**
 * Seed 003's MCP library, MCP servers and agents in the web console, in Chromium against a real
 * control plane, a real gateway process and server-everything: an admin installs from the library
 * (a missing input's REST error at its field); a user without Install Library MCP sees "Request
 * install" and files a request, which the admin approves in the console; agents are added and one
 * MCP server is restricted to one of them, which the gateway then enforces (MCP SDK clients
 * recognised by their clientInfo name); a custom MCP is added with auth probing, its
 * authentication changed and disabled; and the limited user sees the REST 403 and nothing else
 * where its permissions end.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn, focusIsOn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant, uniqueName } from '../support/factories.js';
import { echo, eventually, registerGateway, type RegisteredGateway } from '../support/gateways.js';

/** newUser's password (support/factories.ts). */
const USER_PASSWORD = 'user-password-1';
const MCP = '/mcpgateway/api/v1/organizations/';

describe('console: MCP library, MCP servers and agents (seed 003)', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let viewer: { username: string };
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let browser: Browser;
  let admin: ConsolePage;
  let limited: ConsolePage;
  /** The library install's name, listener port and base path. */
  let installed: { name: string; port: number; basePath: string };
  const requestedPort = { port: 0, basePath: `/${uniqueName('requested')}` };

  const environmentUrl = (envId = tenant.sandboxId) => `/#/organizations/${tenant.organizationId}/environments/${envId}`;
  const goTo = async (page: Page, section: string) => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section, exact: true }).click();
  };
  /** The echoed text of server-everything's echo through the gateway, once it answers. */
  const echoed = (port: number, basePath: string, message: string) =>
    eventually(() => echo(`http://127.0.0.1:${port}${basePath}`, message).catch(() => undefined), `echo through ${basePath}`);
  /** An MCP SDK client that states `clientName` at initialize, connected through the gateway; closed after `use`. */
  const asClient = async <T>(clientName: string, use: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ name: clientName, version: '1.0.0' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${installed.port}${installed.basePath}/mcp`)),
      );
      return await use(client);
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    cp = await startControlPlane({
      PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1',
      PORTICO_SYNC_POLL_SECONDS: '1',
      // the probe may reach server-everything on 127.0.0.1
      PORTICO_PROBE_DENY: 'metadata',
    });
    tenant = await newTenant(cp);
    viewer = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('library-gw'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    browser = await launchBrowser();
    admin = await openConsole(browser, cp.url, [
      /^400 POST \/mcpgateway\/.*\/installs$/,
      /^400 POST \/mcpgateway\/.*\/install-requests\/[^/]+\/reject$/,
      /^409 POST \/mcpgateway\/.*\/agents$/,
      /^400 PUT \/mcpgateway\/.*\/connection$/,
    ]);
    limited = await openConsole(browser, cp.url, [
      /^400 POST \/mcpgateway\/.*\/install-requests$/,
      // where the viewer's permissions end (asserted on screen below)
      /^403 GET \/mcpgateway\/.*\/environments\/.*\/(backends|install-requests)$/,
      /^403 GET \/apimanager\/xapi\/.*\/environments\/.*\/gateway-targets$/,
    ]);
  });
  afterAll(async () => {
    await admin?.close();
    await limited?.close();
    await browser?.close();
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(() => {
    expect(admin.problems).toEqual([]);
    expect(limited.problems).toEqual([]);
  });

  it('an admin installs Everything from the MCP library; a missing input is named at its field', async () => {
    const page = admin.page;
    await signIn(page, tenant.username, tenant.password);
    await goTo(page, 'MCP Library');
    await page.getByRole('heading', { name: 'MCP Library' }).waitFor();
    await page.getByLabel('Search').fill('everything');
    await admin.screenshot('seed003-library');
    await page.getByRole('link', { name: /^Install Everything/ }).click();
    await page.getByRole('heading', { name: /^Install Everything/ }).waitFor();
    await admin.screenshot('seed003-library-install');

    installed = { name: '', port: await freePort(), basePath: `/${uniqueName('everything')}` };
    await page.getByLabel('Gateway', { exact: true }).selectOption(registered.gatewayId);
    await page.getByLabel('Listener').fill(`http://0.0.0.0:${installed.port}${installed.basePath}`);
    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const baseUrl = page.getByLabel('baseUrl');
    await invalid(baseUrl);
    await expect(page.locator('.field.invalid .field-error').textContent()).resolves.toBe(
      'is required by io.modelcontextprotocol/everything',
    );
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await admin.screenshot('seed003-library-install-error');

    await baseUrl.fill(everything.url);
    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const title = page.getByRole('heading', { level: 1, name: /^Everything \(reference server\)/ });
    await title.waitFor();
    installed.name = (await title.textContent())!;
    await page.getByTestId('deployment-status').filter({ hasText: 'applied' }).waitFor({ timeout: 30_000 });
    await admin.screenshot('seed003-mcp-server');
    expect(await echoed(installed.port, installed.basePath, 'from the library')).toBe('Echo: from the library');
  });

  it('a user without Install Library MCP sees "Request install", not "Install", and requests it', async () => {
    const page = limited.page;
    await signIn(page, viewer.username, USER_PASSWORD);
    // what the user may do is read from /me: absent controls mean something only once it answered
    await page.locator('.topbar .user', { hasText: viewer.username }).waitFor();
    await goTo(page, 'MCP Library');
    await page
      .getByRole('link', { name: /^Request install / })
      .first()
      .waitFor();
    await expect(page.getByRole('link', { name: /^Install (?!requests$)/ }).count()).resolves.toBe(0);
    await limited.screenshot('seed003-library-request');

    await page.getByLabel('Search').fill('everything');
    await page.getByRole('link', { name: /^Request install Everything/ }).click();
    await page.getByRole('heading', { name: /^Request install of Everything/ }).waitFor();
    requestedPort.port = await freePort();
    await page.getByLabel('Gateway', { exact: true }).selectOption(registered.gatewayId);
    await page.getByLabel('Listener').fill(`http://0.0.0.0:${requestedPort.port}${requestedPort.basePath}`);
    await page.getByLabel('baseUrl').fill(everything.url);
    await page.getByRole('button', { name: 'Request install' }).click();
    const reason = page.getByLabel('Reason');
    await invalid(reason);
    await expect(page.locator('.field.invalid .field-error').textContent()).resolves.toBe('is required');
    await limited.screenshot('seed003-library-request-error');

    await reason.fill('for the demo');
    await page.getByRole('button', { name: 'Request install' }).click();
    await page.getByRole('heading', { name: 'Install requests' }).waitFor();
    const row = page.getByRole('row', { name: /io\.modelcontextprotocol\/everything/ });
    await expect(row.textContent()).resolves.toMatch(/for the demo.*pending/);
    await expect(page.getByRole('button', { name: /^Review/ }).count()).resolves.toBe(0);
    await limited.screenshot('seed003-install-requests-own');
  });

  it('the admin approves the request in the console, which installs it; the requester sees the decision', async () => {
    const page = admin.page;
    await goTo(page, 'MCP Library');
    await page.getByRole('link', { name: 'Install requests' }).click();
    // the review panel takes the focus (its heading) and gives it back to Review when cancelled
    const review = page.getByRole('button', {
      name: `Review the request of ${viewer.username} for io.modelcontextprotocol/everything`,
    });
    const panelTitle = page.getByRole('heading', { name: /^Review: / });
    await review.press('Enter');
    await focusIsOn(panelTitle);
    await page.getByRole('button', { name: 'Cancel', exact: true }).press('Enter');
    await focusIsOn(review);
    await page.keyboard.press('Enter');
    await focusIsOn(panelTitle);
    const reject = page.getByRole('button', { name: 'Reject' });
    await reject.press('Enter');
    await invalid(page.getByLabel('Comment'));
    await focusIsOn(reject);
    await expect(page.locator('.field.invalid .field-error').textContent()).resolves.toBe('is required');
    await admin.screenshot('seed003-install-request-review');

    await page.getByLabel('Comment').fill('go ahead');
    await page.getByRole('button', { name: 'Approve and install' }).press('Enter');
    const row = page.getByRole('row', { name: new RegExp(viewer.username) });
    await row.getByText(`Approved by ${tenant.username}: “go ahead”`).waitFor();
    // Review is gone with the panel: the focus is on the row, which says the decision
    await focusIsOn(row);
    await admin.screenshot('seed003-install-requests');
    expect(await echoed(requestedPort.port, requestedPort.basePath, 'approved')).toBe('Echo: approved');

    await limited.page.reload();
    await limited.page
      .getByRole('row', { name: /approved/ })
      .getByText(`Approved by ${tenant.username}`)
      .waitFor();
  });

  it('adds agents (predefined and custom, a conflict named inline) and restricts an MCP server to one, enforced at the gateway', async () => {
    const page = admin.page;
    await goTo(page, 'Agents');
    await page.getByRole('link', { name: 'Add agent' }).click();
    await page.getByLabel('Agent', { exact: true }).selectOption({ label: 'Claude Code' });
    await page.getByRole('button', { name: 'Add agent' }).click();
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Claude Code' }).waitFor();

    await page.getByRole('link', { name: 'Add agent' }).click();
    await page.getByRole('radio', { name: 'Custom agent' }).check();
    await page.getByLabel('Name', { exact: true }).fill('Build bot');
    await page.getByLabel('clientInfo names').fill('Claude-Code');
    await page.getByRole('button', { name: 'Add agent' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'clientInfo name "claude-code" already recognises agent "Claude Code"',
    );
    await admin.screenshot('seed003-agent-add-conflict');
    await page.getByLabel('clientInfo names').fill('build-bot');
    await page.getByRole('button', { name: 'Add agent' }).click();
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Build bot' }).waitFor();

    await page.getByRole('link', { name: `Configure agent access to ${installed.name}`, exact: true }).click();
    await page.getByRole('heading', { name: `Agent access: ${installed.name}` }).waitFor();
    await page.getByRole('checkbox', { name: 'Only the agents mapped below may use this MCP server' }).check();
    await page.getByRole('checkbox', { name: 'Map Claude Code' }).check();
    await page.getByLabel('Tools for Claude Code').fill('echo');
    await page.getByRole('button', { name: 'Save access' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await admin.screenshot('seed003-agent-access');

    // The gateway gets the mapping with the next push: Build bot is refused at initialize, Claude Code admitted.
    const refusal = await eventually(
      () =>
        asClient('build-bot', async () => undefined).then(
          () => undefined,
          (error: Error) => error.message,
        ),
      'Build bot refused',
    );
    expect(refusal).toContain(`Agent Build bot is not allowed to use MCP server ${installed.name}`);
    const answer = await asClient('claude-code', (c) => c.callTool({ name: 'echo', arguments: { message: 'hi' } }));
    expect(answer.content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
    const apiId = (
      await cp.request('GET', `${MCP}${tenant.organizationId}/environments/${tenant.sandboxId}/backends`, {
        token: tenant.token,
      })
    ).body.backends.find((b: { name: string }) => b.name === installed.name).apiId;
    const mapping = await cp.request(
      'GET',
      `${MCP}${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${apiId}/agents`,
      { token: tenant.token },
    );
    expect(mapping.body).toMatchObject({ restricted: true, agents: [{ name: 'Claude Code', tools: ['echo'] }] });

    await goTo(page, 'Agents');
    const access = page
      .getByRole('table', { name: 'Access control' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: installed.name, exact: true }) });
    await access.getByText('Only Claude Code (echo)').waitFor();
    await admin.screenshot('seed003-agents');
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Claude Code' }).click();
    await page.getByRole('listitem').filter({ hasText: installed.name }).getByText('tools echo').waitFor();
    await admin.screenshot('seed003-agent');
  });

  it('adds a custom MCP with automatic auth probing, changes its authentication and disables it', async () => {
    const page = admin.page;
    await goTo(page, 'MCP Servers');
    await page.getByRole('link', { name: installed.name, exact: true }).waitFor();
    await admin.screenshot('seed003-mcp-servers');

    await page.getByRole('link', { name: 'Add custom MCP' }).click();
    await page.getByLabel('MCP server URL').fill(everything.url);
    await page.getByRole('button', { name: 'Detect authentication' }).click();
    await expect(page.getByTestId('probe-verdict').locator('p').first().textContent()).resolves.toMatch(
      /^No authentication: the server answered initialize without credentials/,
    );
    await expect(page.getByRole('radio', { name: 'No auth' }).isChecked()).resolves.toBe(true);
    const name = uniqueName('Custom tools');
    const port = await freePort();
    const basePath = `/${uniqueName('custom')}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Gateway', { exact: true }).selectOption(registered.gatewayId);
    await page.getByLabel('Listener').fill(`http://0.0.0.0:${port}${basePath}`);
    await admin.screenshot('seed003-custom-mcp-probed');
    await page.getByRole('button', { name: 'Add MCP server' }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    expect(await echoed(port, basePath, 'custom')).toBe('Echo: custom');

    await page.getByRole('radio', { name: 'API key or token' }).check();
    await page.getByRole('button', { name: 'Save authentication' }).click();
    const value = page.getByLabel('Key or token', { exact: true });
    await invalid(value);
    await expect(page.locator('.field.invalid .field-error').textContent()).resolves.toBe('is required');
    await value.fill('s3cret-token');
    await page.getByRole('button', { name: 'Save authentication' }).click();
    await page.locator('dl.summary').getByText('API key or token').waitFor();
    await admin.screenshot('seed003-custom-mcp-authentication');

    const enabled = page.getByRole('switch', { name: `${name} enabled` });
    await enabled.press('Space');
    await page.locator('.page-head').getByText('Disabled', { exact: true }).waitFor();
    // the switch kept the focus while its change was on its way
    await focusIsOn(enabled);
    await expect(enabled.isChecked()).resolves.toBe(false);
    const apiId = new URL(page.url().replace('/#/', '/')).pathname.split('/').pop();
    const backend = await cp.request('GET', `${MCP}${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${apiId}`, {
      token: tenant.token,
    });
    expect(backend.body).toMatchObject({ enabled: false, connection: { mode: 'api-key' } });

    await page.getByRole('link', { name: 'Create and revoke access tokens' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    const instance = page.getByLabel('API instance');
    await instance.locator(`option[value="${apiId}"]`).waitFor({ state: 'attached' });
    await expect(instance.inputValue()).resolves.toBe(apiId);
  });

  it('the limited user sees the REST 403 where its permissions end, and no data', async () => {
    const page = limited.page;
    await page.locator('.topbar .user', { hasText: viewer.username }).waitFor();
    await goTo(page, 'MCP Servers');
    await page.getByRole('link', { name: installed.name, exact: true }).waitFor();
    await expect(page.getByRole('link', { name: 'Add custom MCP' }).count()).resolves.toBe(0);
    await expect(page.getByRole('switch').first().isDisabled()).resolves.toBe(true);
    await page.getByRole('link', { name: installed.name, exact: true }).click();
    await page.getByText('Only Claude Code (echo).').waitFor();
    await expect(page.getByRole('button', { name: /^(Save authentication|Delete)/ }).count()).resolves.toBe(0);
    await limited.screenshot('seed003-mcp-server-read-only');
    await goTo(page, 'Agents');
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Claude Code' }).waitFor();
    await expect(page.getByRole('link', { name: 'Add agent' }).count()).resolves.toBe(0);

    // Production: the viewer's grant is the sandbox's only.
    await page.goto(`${environmentUrl(tenant.productionId)}/mcp-backends`);
    const forbidden = page.getByRole('alert');
    await expect(forbidden.textContent()).resolves.toMatch(
      /^You need the View APIs Configuration permission \(read:api_configuration\) in /,
    );
    await expect(page.getByRole('table').count()).resolves.toBe(0);
    await limited.screenshot('seed003-mcp-servers-forbidden');

    await page.goto(`${environmentUrl(tenant.productionId)}/library/requests`);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^You need the View APIs Configuration permission/);
    await expect(page.getByRole('table').count()).resolves.toBe(0);
  });
});

/** Waits until the control is marked invalid (aria-invalid), as a form marks the field a REST error names. */
function invalid(control: Locator): Promise<void> {
  return control.and(control.page().locator('[aria-invalid="true"]')).waitFor();
}
