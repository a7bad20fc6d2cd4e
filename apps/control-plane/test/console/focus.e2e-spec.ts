/**
 * Where the keyboard focus goes after a confirmation (components/ConfirmButton), in Chromium
 * against a real control plane: asking, backing out (Cancel, Escape) and confirming leave it on
 * the button pressed, and when the confirmed action takes the button away (a revoked API key has
 * no Revoke), on the row that now says what happened; never on the page's body.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn, focusIsOn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newApiInstance, newTenant, type TestTenant } from '../support/factories.js';

describe('console: the keyboard focus around confirmations', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  let applicationId: number;
  let apiId: number;

  const environment = () => `/#/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    const application = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
      token: tenant.token,
      json: { name: 'Focus agent' },
    });
    expect(application.status).toBe(201);
    applicationId = application.body.id;
    apiId = (await newApiInstance(tenant)).id;
    const key = await cp.request(
      'POST',
      `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${apiId}/api-keys`,
      { token: tenant.token, json: { name: 'focus key' } },
    );
    expect(key.status).toBe(201);
    browser = await launchBrowser();
    tab = await openConsole(browser, cp.url);
    page = tab.page;
    page.setDefaultTimeout(10_000);
    await signIn(page, tenant.username, tenant.password);
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(() => expect(tab.problems).toEqual([]));

  it('gives the focus back to the button after Escape, Cancel and Confirm', async () => {
    await page.goto(`${environment()}/applications/${applicationId}`);
    const reset = page.getByRole('button', { name: 'Reset the client secret', exact: true });
    const confirm = page.getByRole('button', { name: 'Confirm: reset the client secret', exact: true });

    await reset.press('Enter');
    await focusIsOn(confirm);
    await page.keyboard.press('Escape');
    await focusIsOn(reset);

    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await focusIsOn(page.getByRole('button', { name: 'Do not reset the client secret' }));
    await page.keyboard.press('Enter');
    await focusIsOn(reset);

    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByLabel('Client secret', { exact: true }).waitFor();
    await focusIsOn(reset);
    await expect(reset.getAttribute('aria-disabled')).resolves.not.toBe('true');
  });

  it('puts the focus on the row when the confirmed action takes the button away (a revoked key)', async () => {
    await page.goto(`${environment()}/api-keys?api=${apiId}`);
    const row = page.getByRole('row', { name: /focus key/ });
    await row.getByRole('button', { name: 'Revoke the API key focus key' }).press('Enter');
    await page.keyboard.press('Enter');
    await row.filter({ hasText: 'revoked' }).waitFor();
    await expect(row.getByRole('button').count()).resolves.toBe(0);
    await focusIsOn(row);
    await tab.screenshot('focus-revoked-key');
  });
});
