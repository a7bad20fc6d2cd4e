/**
 * Signing in to the console and moving around: a refused sign-in says why, next to the form;
 * the business group and environment switchers show what the user may open and each switch shows
 * that place's instances; signing out revokes the token; an expired session goes back to the
 * sign-in page, and signing in again returns to the page that was open.
 */
import type { Browser, Page } from 'playwright-core';
import { type ConsolePage, launchBrowser, openConsole, signIn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from '../support/factories.js';
import { createMcpInstance } from '../support/gateways.js';

describe('console: session, business groups and environments', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  let group: { id: string; name: string; environmentId: string };
  let sandboxApi: number;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    const upstream = { upstreamUrl: 'http://127.0.0.1:9/', port: 20_001, basePath: `/${uniqueName('s')}` };
    sandboxApi = (await createMcpInstance(cp, tenant, upstream)).apiId;
    const name = uniqueName('group');
    const created = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name, parentOrganizationId: tenant.organizationId },
    });
    expect(created.status).toBe(201);
    const env = await cp.request('POST', `/accounts/api/organizations/${created.body.id}/environments`, {
      token: tenant.token,
      json: { name: 'Design', type: 'design', isProduction: false },
    });
    expect(env.status).toBe(201);
    group = { id: created.body.id, name, environmentId: env.body.id };
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(async () => {
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('says why a sign-in is refused, next to the form', async () => {
    tab = await openConsole(browser, cp.url, [/^401 POST \/accounts\/login$/]);
    page = tab.page;
    await page.goto('/');
    await page.getByLabel('Username').fill(tenant.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Invalid username or password');
    await tab.screenshot('login-refused');
  });

  it('switches environment and business group, each showing its own instances', async () => {
    tab = await openConsole(browser, cp.url);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    await page.getByRole('link', { name: new RegExp(`\\(${sandboxApi}\\)`) }).waitFor();

    await page.getByLabel('Environment').selectOption({ label: 'Production' });
    await page.getByText('No API instance in this environment yet.').waitFor();
    expect(page.url()).toContain(`/environments/${tenant.productionId}/apis`);

    const groups = await page.getByLabel('Business group').locator('option').allTextContents();
    expect(groups).toEqual(expect.arrayContaining([group.name]));
    await page.getByLabel('Business group').selectOption({ label: group.name });
    await page.waitForURL(new RegExp(`/organizations/${group.id}/environments/${group.environmentId}/apis$`));
    await expect(page.getByLabel('Environment').locator('option').allTextContents()).resolves.toEqual(['Design']);
    await page.getByText('No API instance in this environment yet.').waitFor();
    await tab.screenshot('business-group-switched');
  });

  it('revokes the token on sign-out', async () => {
    tab = await openConsole(browser, cp.url);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    const token = await page.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('portico.session')).token);
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(401);
  });

  it('goes back to sign-in when the token is no longer accepted, and returns to the page after', async () => {
    tab = await openConsole(browser, cp.url, [/^401 GET /]);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    await page.getByLabel('Environment').selectOption({ label: 'Production' });
    await page.getByText('No API instance in this environment yet.').waitFor();
    const token = await page.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('portico.session')).token);
    // the token ends outside the console (as at its expiry): the next request gets a 401
    await cp.request('POST', '/accounts/api/logout', { token });
    await page.getByRole('link', { name: 'Gateways' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(tenant.username);
    await page.getByLabel('Password').fill(tenant.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Gateways' }).waitFor();
    expect(page.url()).toContain(`/environments/${tenant.productionId}/gateways`);
  });
});
