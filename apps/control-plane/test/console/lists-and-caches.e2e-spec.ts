/**
 * What the console makes of REST lists and of what it keeps of them, in Chromium against a real
 * control plane: API Administration shows every instance of the environment, however many pages
 * of 500 assets the REST listing takes; and a write shows at once on the screens that read what it
 * changed, though the console trusts a read for five seconds (main.tsx): deleting an MCP server
 * takes it off API Administration, and deleting an agent takes it off an MCP server's agent access.
 * The page's clock stands still in those tests, so no read ever becomes stale by age: only the
 * write's invalidation can have a screen read again, however slowly the test runs.
 */
import type { Browser, Page } from 'playwright-core';
import { type ConsolePage, launchBrowser, openConsole, signIn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, testPrisma, uniqueName } from '../support/factories.js';
import { createMcpInstance } from '../support/gateways.js';

/** One more than the REST listing's largest page of assets. */
const INSTANCES = 501;

describe('console: lists past one REST page, and reads refreshed by the writes that change them', () => {
  let cp: TestControlPlane;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;

  const section = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  const confirm = async (what: string) => {
    await page.getByRole('button', { name: `Delete ${what}`, exact: true }).click();
    await page.getByRole('button', { name: `Confirm: delete ${what}`, exact: true }).click();
  };

  beforeAll(async () => {
    cp = await startControlPlane();
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

  it(`lists all ${INSTANCES} instances of an environment, one asset each`, async () => {
    const tenant = await newTenant(cp);
    // inserted directly: creating them one by one through REST would take minutes
    const labels = Array.from({ length: INSTANCES }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    await testPrisma().apiInstance.createMany({
      data: labels.map((label) => ({
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        groupId: tenant.organizationId,
        assetId: label,
        assetVersion: '1.0.0',
        productVersion: 'v1',
        instanceLabel: label,
        technology: 'flexGateway',
        endpointType: 'mcp',
      })),
    });
    tab = await openConsole(browser, cp.url);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
    // the listing sorts assets by name: the last one is on the second page
    await page.getByRole('link', { name: labels.at(-1), exact: true }).waitFor();
    const listed = await page.locator('tbody tr td:first-child').allTextContents();
    expect(listed).toEqual(labels);
  });

  describe('after a write', () => {
    let tenant: TestTenant;
    beforeAll(async () => {
      tenant = await newTenant(cp);
    });

    const newBackend = async (name: string) => {
      const { apiId, apisPath } = await createMcpInstance(cp, tenant, {
        upstreamUrl: 'http://127.0.0.1:9/',
        port: 20_002,
        basePath: `/${name}`,
      });
      const labelled = await cp.request('PATCH', `${apisPath}/${apiId}`, { token: tenant.token, json: { instanceLabel: name } });
      expect(labelled.status).toBe(200);
      return apiId;
    };

    it('API Administration no longer lists an MCP server deleted on its page', async () => {
      const name = uniqueName('deleted-server');
      await newBackend(name);
      tab = await openConsole(browser, cp.url);
      page = tab.page;
      await page.clock.setFixedTime(Date.now());
      await signIn(page, tenant.username, tenant.password);
      const listed = page.getByRole('link', { name, exact: true });
      await listed.waitFor();

      await section('MCP Servers').click();
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await confirm(name);
      await page.getByRole('heading', { name: 'MCP Servers' }).waitFor();
      await section('API Administration').click();
      await page.getByRole('heading', { name: 'API Administration' }).waitFor();
      await listed.waitFor({ state: 'detached' });
    });

    it("an MCP server's agent access no longer names an agent deleted on its page", async () => {
      const name = uniqueName('mapped-server');
      const apiId = await newBackend(name);
      const agent = uniqueName('Doomed bot');
      const created = await cp.request('POST', `/mcpgateway/api/v1/organizations/${tenant.organizationId}/agents`, {
        token: tenant.token,
        json: { name: agent, clientIds: [uniqueName('doomed')] },
      });
      expect(created.status).toBe(201);
      const mapping = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${apiId}/agents`;
      const mapped = await cp.request('PUT', mapping, {
        token: tenant.token,
        json: { restricted: true, agents: [{ agentId: created.body.id, tools: [] }] },
      });
      expect(mapped.status).toBe(200);

      tab = await openConsole(browser, cp.url);
      page = tab.page;
      await page.clock.setFixedTime(Date.now());
      await signIn(page, tenant.username, tenant.password);
      await section('MCP Servers').click();
      const server = page.getByRole('link', { name, exact: true });
      await server.click();
      await page.getByText(`Only ${agent}.`).waitFor();

      await section('Agents').click();
      await page.getByRole('link', { name: agent, exact: true }).click();
      await confirm(agent);
      await page.getByRole('heading', { name: 'Agents' }).waitFor();
      await section('MCP Servers').click();
      await server.click();
      await page.getByText('No agent: none is mapped.').waitFor();
    });
  });
});
