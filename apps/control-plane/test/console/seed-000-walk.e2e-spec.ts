/**
 * Seed 000 ("Adding a Flex Gateway MCP Server Instance") in the web console, click by click, in
 * Chromium against a real control plane, a real gateway process and server-everything: the
 * not-running gateway shown as such, a new MCP server registered by name, the upstream URL's
 * trailing `/` enforced, Save & Deploy, the banner's "Apply now" applying MCP Support, and a tool
 * called through the gateway by the MCP SDK client afterwards.
 */
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from '../support/factories.js';
import { echo, eventually, registerGateway, type RegisteredGateway } from '../support/gateways.js';

describe('console: seed 000, protect an MCP server', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let running: RegisteredGateway;
  let stopped: RegisteredGateway;
  let gateway: GatewayProcess;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  const serverName = `Walk MCP ${uniqueName('s')}`;
  let port: number;
  const basePath = `/${uniqueName('walk')}`;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    running = await registerGateway(cp, tenant, uniqueName('running-gw'));
    stopped = await registerGateway(cp, tenant, uniqueName('stopped-gw'));
    gateway = await startGatewayProcess({ dir: running.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    port = await freePort();
    browser = await launchBrowser();
    tab = await openConsole(browser, cp.url);
    page = tab.page;
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(() => expect(tab.problems).toEqual([]));

  it('serves the console at / of the control plane, with a strict content security policy', async () => {
    const res = await fetch(`${cp.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('<div id="root">');
  });

  it('1–2: signs in and opens API Administration → Add → Protect MCP server', async () => {
    await signIn(page, tenant.username, tenant.password);
    await tab.screenshot('api-administration');
    await page.getByText('Add', { exact: true }).click();
    await page.getByRole('link', { name: 'Protect MCP server' }).click();
    await page.getByRole('heading', { name: 'Protect MCP server' }).waitFor();
  });

  it('3–4: lists the gateways, the one not running shown as such and not selectable', async () => {
    const up = page.getByRole('radio', { name: new RegExp(running.name) });
    const down = page.getByRole('radio', { name: new RegExp(stopped.name) });
    await up.waitFor();
    await expect(down.isDisabled()).resolves.toBe(true);
    await expect(page.locator('label', { hasText: stopped.name }).textContent()).resolves.toContain('Not Running');
    await expect(page.locator('label', { hasText: running.name }).textContent()).resolves.not.toContain('Not Running');
    await expect(up.isEnabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('#gateway-error').textContent()).resolves.toBe('Select a gateway');
    await up.check();
    await tab.screenshot('protect-1-gateway');
    await page.getByRole('button', { name: 'Next' }).click();
  });

  it('5–6: registers a new MCP server by name', async () => {
    await page.getByRole('radio', { name: 'Register a new MCP server' }).check();
    await page.getByLabel('MCP server name').fill(serverName);
    await tab.screenshot('protect-2-server');
    await page.getByRole('button', { name: 'Next' }).click();
  });

  it('7–8: takes the downstream settings', async () => {
    await page.getByLabel('Port').fill(String(port));
    await page.getByLabel('Base path').fill(basePath);
    await tab.screenshot('protect-3-downstream');
    await page.getByRole('button', { name: 'Next' }).click();
  });

  it('9–10: refuses an upstream URL that does not end with /, at the field', async () => {
    const url = page.getByLabel('MCP server upstream URL');
    await url.fill(everything.baseUrl.replace(/\/$/, ''));
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(url.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('.field-error').textContent()).resolves.toBe('The MCP server upstream URL must end with a /');
    await tab.screenshot('protect-4-upstream-error');
    await url.fill(everything.baseUrl);
    await page.getByRole('button', { name: 'Next' }).click();
  });

  it('11–12: reviews the choices and saves and deploys', async () => {
    const review = page.locator('dl.review');
    await expect(review.textContent()).resolves.toContain(running.name);
    await expect(review.textContent()).resolves.toContain(`http://0.0.0.0:${port}${basePath}`);
    await expect(review.textContent()).resolves.toContain(everything.baseUrl);
    await tab.screenshot('protect-5-review');
    await page.getByRole('button', { name: 'Save & Deploy' }).click();
    await page.getByRole('button', { name: 'Apply now' }).waitFor();
    const asset = await cp.request('GET', `/exchange/api/v2/assets/search?types=mcp&search=${encodeURIComponent(serverName)}`, {
      token: tenant.token,
    });
    expect(asset.body).toEqual([expect.objectContaining({ name: serverName, type: 'mcp' })]);
  });

  it('13–16: "Apply now" in the deployment banner applies MCP Support, which has no parameters', async () => {
    await tab.screenshot('instance-banner');
    await page.getByRole('button', { name: 'Apply now' }).click();
    await expect(page.getByLabel('Policy', { exact: true }).inputValue()).resolves.toBe('mcp-support');
    await page.getByText('There are no parameters to configure for the MCP Support policy.').waitFor();
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.locator('.policy-chain', { hasText: 'MCP Support' }).waitFor();
    await expect(page.getByRole('button', { name: 'Apply now' }).count()).resolves.toBe(0);
    await page.getByTestId('deployment-status').filter({ hasText: 'applied' }).waitFor({ timeout: 30_000 });
    await tab.screenshot('instance-deployed');
  });

  it('the deployed server answers a tool call through the gateway (MCP SDK client)', async () => {
    const proxyUrl = `http://127.0.0.1:${port}${basePath}`;
    const text = await eventually(
      () => echo(proxyUrl, 'through the console').catch(() => undefined),
      'a tool call through the gateway',
    );
    expect(text).toBe('Echo: through the console');
  });
});
