/**
 * REST errors in the console are shown where they belong, in words, never as an alert of raw
 * JSON, and a refused save writes nothing: seed 001's deployment conflict (the listener taken on
 * that gateway) lands at the downstream Port field, a value only the server refuses at its field,
 * and a missing permission (Deploy API Proxies) as the server's message on the review.
 */
import { freePort, type GatewayProcess, startGatewayProcess } from '#portico/testing';
import type { Browser, Page } from 'playwright-core';
import { type ConsolePage, launchBrowser, openConsole, signIn } from '../support/browser.js';
import { fillProtectMcpServer } from '../support/console-wizard.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant, uniqueName } from '../support/factories.js';
import { deployMcpInstance, type McpInstance, registerGateway, type RegisteredGateway } from '../support/gateways.js';

const UPSTREAM = 'http://127.0.0.1:9/';

describe('console: REST errors inline', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let taken: McpInstance & { port: number; basePath: string };
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;

  const instancesOf = async (token: string) =>
    (await cp.request('GET', `${taken.apisPath}`, { token })).body.assets.flatMap((a: any) => a.apis);
  const assetsNamed = async (name: string) =>
    (
      await cp.request('GET', `/exchange/api/v2/assets/search?types=mcp&search=${encodeURIComponent(name)}`, {
        token: tenant.token,
      })
    ).body;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1' });
    tenant = await newTenant(cp);
    registered = await registerGateway(cp, tenant, uniqueName('errors-gw'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    const port = await freePort();
    const basePath = `/${uniqueName('taken')}`;
    taken = {
      ...(await deployMcpInstance(cp, tenant, { upstreamUrl: UPSTREAM, port, basePath, targetId: registered.gatewayId })),
      port,
      basePath,
    };
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(async () => {
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('puts the listener conflict at the Port field, saves nothing, and saves once it is changed', async () => {
    tab = await openConsole(browser, cp.url, [/^409 POST \/apimanager\/xapi\/v1\/.*\/apis$/]);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    const before = await instancesOf(tenant.token);
    const name = `Conflict ${uniqueName('s')}`;
    await fillProtectMcpServer(page, {
      gateway: registered.name,
      newServer: name,
      port: taken.port,
      basePath: taken.basePath,
      upstreamUrl: UPSTREAM,
    });
    await page.getByRole('button', { name: 'Save & Deploy' }).click();

    const port = page.getByLabel('Port');
    await port.and(page.locator('[aria-invalid="true"]')).waitFor();
    const message = await page.locator('.field-error').textContent();
    expect(message).toBe(
      `Port ${taken.port} and base path ${taken.basePath} on target ${registered.name} are already used by API instance ${taken.apiId}`,
    );
    expect(await page.getByRole('alert').count()).toBe(0);
    await tab.screenshot('error-listener-conflict');
    expect(await instancesOf(tenant.token)).toHaveLength(before.length);

    await page.getByLabel('Base path').fill(`${taken.basePath}-2`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save & Deploy' }).click();
    await page.getByRole('button', { name: 'Apply now' }).waitFor();
    expect(await instancesOf(tenant.token)).toHaveLength(before.length + 1);
    // the server was published once, though the first save was refused
    expect(await assetsNamed(name)).toHaveLength(1);
  });

  it('puts a value only the server refuses at its field (the upstream URL)', async () => {
    tab = await openConsole(browser, cp.url, [/^400 POST \/apimanager\/xapi\/v1\/.*\/apis$/]);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    await fillProtectMcpServer(page, {
      gateway: registered.name,
      newServer: `Bad upstream ${uniqueName('s')}`,
      port: await freePort(),
      basePath: `/${uniqueName('bad')}`,
      upstreamUrl: 'http://[oops/',
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const url = page.getByLabel('MCP server upstream URL');
    await url.and(page.locator('[aria-invalid="true"]')).waitFor();
    expect(await page.locator('.field-error').textContent()).toMatch(/\w/);
    expect(await page.locator('.field-error').textContent()).not.toMatch(/[{}]/);
    await tab.screenshot('error-upstream-refused');
  });

  it('shows a missing permission as the server says it, on the review', async () => {
    // it may not read secret groups either: the TLS choices say so (not asserted here)
    tab = await openConsole(browser, cp.url, [/^403 POST \/apimanager\/xapi\/v1\/.*\/apis$/, /^403 GET \/secrets-manager\//]);
    page = tab.page;
    const user = await newUser(cp, tenant.organizationId, [
      'manage:api_configuration',
      'read:exchange',
      'create:exchange',
      'read:servers',
    ]);
    // newUser signs in over REST; the console signs in with the same password
    await signIn(page, user.username, 'user-password-1');
    const before = await instancesOf(tenant.token);
    await fillProtectMcpServer(page, {
      gateway: registered.name,
      newServer: `No deploy ${uniqueName('s')}`,
      port: await freePort(),
      basePath: `/${uniqueName('nodeploy')}`,
      upstreamUrl: UPSTREAM,
    });
    await page.getByRole('button', { name: 'Save & Deploy' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Deploy API Proxies|permission/i);
    expect(await alert.textContent()).not.toMatch(/[{}]/);
    await tab.screenshot('error-no-permission');
    expect(await instancesOf(tenant.token)).toHaveLength(before.length);
  });
});
