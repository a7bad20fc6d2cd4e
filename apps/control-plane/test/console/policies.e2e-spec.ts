/**
 * The policy chain and the tools of an MCP instance in the web console, in Chromium against a real
 * control plane, a real gateway process and server-everything, each change checked where it
 * matters: through the gateway with the MCP SDK client. A policy added in the console (MCP Global
 * Access blocking `echo`) is enforced on the next call; a value the control plane refuses is shown
 * at its field; the 409 of a duplicate and the 403 of a user without Manage Policies are said in
 * words; moving, disabling, shadow mode, editing and removing change what the gateway does;
 * tools disabled and renamed in the console are what tools/list shows.
 */
import { type EverythingServer, type GatewayProcess, startEverythingServer, startGatewayProcess } from '#portico/testing';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn, focusIsOn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant, uniqueName } from '../support/factories.js';
import {
  deployWithPolicies,
  eventually,
  MCP_SUPPORT,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  withMcpClient,
} from '../support/gateways.js';

const template = (assetId: string, assetVersion: string) => ({ groupId: MCP_SUPPORT.groupId, assetId, assetVersion });
const GLOBAL_ACCESS = 'MCP Global Access';

describe('console: the policy chain and the tools of an MCP instance', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let instance: McpInstance;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;

  /** `text` of tool `name` called with `args` through the gateway, or `refused: <why>`. */
  const call = (name: string, args: Record<string, unknown>) =>
    withMcpClient(`${instance.proxyUrl}/mcp`, {}, async (client) => {
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content as { text: string }[])[0]!.text;
      return result.isError ? `refused: ${text}` : text;
    }).catch((err: Error) => `refused: ${err.message}`);
  const echo = () => call('echo', { message: 'hi' });
  const sum = () => call('get-sum', { a: 1, b: 2 });
  /** Polls until `probe` answers as `expected` (refused or not): once the gateways run the change. */
  const until = (probe: () => Promise<string>, expected: 'works' | 'refused') =>
    eventually(
      async () => {
        const outcome = await probe();
        return outcome.startsWith('refused') === (expected === 'refused') ? outcome : undefined;
      },
      `the call to be ${expected === 'works' ? 'answered' : 'refused'}`,
    );
  const listedTools = () =>
    withMcpClient(`${instance.proxyUrl}/mcp`, {}, async (client) => (await client.listTools()).tools.map((t) => t.name));

  const instancePath = () => `/#/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${instance.apiId}`;
  const policy = (name: string): Locator => page.locator('.applied-policy', { has: page.getByText(name, { exact: true }) });
  /** A form control by its accessible name (a required field's mark is not part of it). */
  const field = (role: 'combobox' | 'textbox', name: string) => page.getByRole(role, { name, exact: true });
  const chainNames = () => page.locator('.applied-policy-name').allTextContents();
  const policiesOverRest = async (): Promise<{ id: number; assetId: string }[]> =>
    (await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, { token: tenant.token })).body;
  const chainOverRest = async () => (await policiesOverRest()).map((p) => p.assetId);
  /** The messages an input's accessible description points at (its inline errors and hints). */
  const describedBy = async (input: Locator) => {
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).allTextContents()));
    return texts.flat().join(' ');
  };

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('policies-gw'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    instance = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: everything.baseUrl, targetId: registered.gatewayId, prefix: 'console-policies' },
      [
        { ...template('mcp-schema-validation', '1.1.0'), configurationData: {} },
        { ...template('upstream-credential', '1.0.0'), configurationData: { prefix: 'Bearer', value: 'upstream-secret' } },
      ],
    );
    // The gateways report the tools the server lists: one tools/list, and the console has them.
    await listedTools();
    browser = await launchBrowser();
    tab = await openConsole(browser, cp.url, [/^400 POST .*\/policies$/, /^409 POST .*\/policies$/]);
    page = tab.page;
    page.setDefaultTimeout(10_000);
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

  it('shows the chain in order, MCP Support pinned first', async () => {
    await signIn(page, tenant.username, tenant.password);
    await page.goto(instancePath());
    await page.getByRole('heading', { name: 'Policies' }).waitFor();
    await policy('Upstream Credential').waitFor();
    expect(await chainNames()).toEqual(['MCP Support', 'MCP Schema Validation', 'Upstream Credential']);
    const support = policy('MCP Support');
    expect(await support.getByRole('button', { name: 'Move down', exact: true }).getAttribute('aria-disabled')).toBe('true');
    expect(
      await policy('MCP Schema Validation').getByRole('button', { name: 'Move up', exact: true }).getAttribute('aria-disabled'),
    ).toBe('true');
    expect(await support.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    await tab.screenshot('policies-chain');
  });

  it('generates a form, every control labelled, for every template of the catalog', async () => {
    await page.getByRole('button', { name: 'Add policy' }).click();
    const select = page.getByLabel('Policy', { exact: true });
    const templates = await select
      .locator('option')
      .evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? '').filter((value) => value !== ''));
    expect(templates.length).toBeGreaterThan(20);
    for (const assetId of templates) {
      await select.selectOption(assetId);
      const form = page.locator('.policy-form');
      if (assetId === 'mcp-support') {
        await page.getByText('There are no parameters to configure for the MCP Support policy.').waitFor();
        continue;
      }
      await form.waitFor();
      const unlabelled = await form
        .locator('input, select, textarea')
        .evaluateAll((controls) =>
          controls
            .filter((c) => (c as unknown as { labels: ArrayLike<unknown> }).labels.length === 0 && !c.getAttribute('aria-label'))
            .map((c) => c.id),
        );
      expect([assetId, unlabelled]).toEqual([assetId, []]);
      if (['cors', 'jwt-validation', 'mcp-pii-detector'].includes(assetId)) await tab.screenshot(`policies-form-${assetId}`);
    }
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('shows a value the control plane refuses at its field, in words', async () => {
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByLabel('Policy', { exact: true }).selectOption('mcp-global-access-policy');
    // The form starts with the one rule the schema requires (minItems 1).
    await field('combobox', 'Rule').selectOption('Block');
    await field('combobox', 'Match type').selectOption('pattern');
    // RE2 has no lookahead: the browser cannot tell, the control plane refuses it.
    const value = field('textbox', 'Value');
    await value.fill('(?=e)cho');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.locator('.error-detail').waitFor();
    const message = await describedBy(value);
    expect(message).toMatch(/lookahead|regular expression|RE2/i);
    expect(message).not.toContain('{');
    expect(await page.getByRole('alert').count()).toBe(0);
    await tab.screenshot('policies-apply-field-error');
  });

  it('applies MCP Global Access, enforced on the next call through the gateway', async () => {
    await field('combobox', 'Match type').selectOption('literal');
    await field('textbox', 'Value').fill('echo');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await policy(GLOBAL_ACCESS).waitFor();
    await page.getByRole('heading', { name: 'Apply policy' }).waitFor({ state: 'detached' });
    await focusIsOn(page.getByRole('button', { name: 'Add policy' }));
    expect(await until(echo, 'refused')).toMatch(/echo/);
    expect(await sum()).toContain('3');
  });

  it('says in words that a policy is already applied (409), at the Policy field', async () => {
    await page.getByRole('button', { name: 'Add policy' }).click();
    const select = page.getByLabel('Policy', { exact: true });
    await select.selectOption('mcp-global-access-policy');
    await expect(page.locator('option[value="mcp-global-access-policy"]').textContent()).resolves.toBe(
      `${GLOBAL_ACCESS} (applied)`,
    );
    await field('combobox', 'Rule').selectOption('Block');
    await field('textbox', 'Value').fill('get-env');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('button', { name: 'Apply a second one' }).waitFor();
    expect(await select.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(select)).toBe(
      `${GLOBAL_ACCESS} is already applied to this instance. Edit it in the policy chain, or apply a second one.`,
    );
    await tab.screenshot('policies-apply-duplicate');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await focusIsOn(page.getByRole('button', { name: 'Add policy' }));
    expect(await chainOverRest()).toEqual([
      'mcp-support',
      'mcp-schema-validation',
      'upstream-credential',
      'mcp-global-access-policy',
    ]);
  });

  it('moves a policy up, never above MCP Support, and down, the focus staying on the button pressed', async () => {
    const moveUp = () => policy(GLOBAL_ACCESS).getByRole('button', { name: 'Move up', exact: true });
    const moveDown = () => policy(GLOBAL_ACCESS).getByRole('button', { name: 'Move down', exact: true });
    const at = (index: number) =>
      eventually(async () => ((await chainNames())[index] === GLOBAL_ACCESS ? true : undefined), 'the move');
    await moveUp().click();
    await at(2);
    await moveUp().press('Enter');
    await at(1);
    await focusIsOn(moveUp());
    expect(await moveUp().getAttribute('aria-disabled')).toBe('true');

    // Still focusable; pressing it sends nothing: the one reorder sent is the Move down pressed after it.
    const writes: { method: string; body: unknown }[] = [];
    const record = (request: Request) => {
      if (request.method() !== 'GET' && new URL(request.url()).pathname.includes('/policies'))
        writes.push({ method: request.method(), body: request.postDataJSON() });
    };
    page.on('request', record);
    try {
      await moveUp().press('Enter');
      const sent = page.waitForRequest((r) => r.method() === 'PATCH');
      await page.keyboard.press('Tab');
      await focusIsOn(moveDown());
      await page.keyboard.press('Enter');
      await sent;
      await at(2);
    } finally {
      page.off('request', record);
    }
    const id = (await policiesOverRest()).find((p) => p.assetId === 'mcp-global-access-policy')!.id;
    expect(writes).toEqual([{ method: 'PATCH', body: [{ id, order: 3 }] }]);
    // React moved the policy's element past the next one: the focus is on its Move down again.
    await focusIsOn(moveDown());

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await at(1);
    await focusIsOn(moveUp());
    expect(await chainOverRest()).toEqual([
      'mcp-support',
      'mcp-global-access-policy',
      'mcp-schema-validation',
      'upstream-credential',
    ]);
    expect(await chainNames()).toEqual(['MCP Support', GLOBAL_ACCESS, 'MCP Schema Validation', 'Upstream Credential']);
  });

  it('disables the policy (the call works again) and enables it (refused again)', async () => {
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Disable', exact: true }).click();
    await policy(GLOBAL_ACCESS).getByText('Disabled', { exact: true }).waitFor();
    expect(await until(echo, 'works')).toBe('Echo: hi');
    await tab.screenshot('policies-disabled');
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Enable', exact: true }).click();
    await until(echo, 'refused');
  });

  it('switches the policy to shadow mode (denials only logged) and back to enforcing', async () => {
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Switch to shadow', exact: true }).click();
    await policy(GLOBAL_ACCESS).getByText('Shadow', { exact: true }).waitFor();
    expect(await until(echo, 'works')).toBe('Echo: hi');
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Switch to enforce', exact: true }).click();
    await until(echo, 'refused');
  });

  it('edits the configuration, prefilled, and the gateway enforces the new one', async () => {
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Edit', exact: true }).click();
    const value = policy(GLOBAL_ACCESS).getByRole('textbox', { name: 'Value', exact: true });
    expect(await value.inputValue()).toBe('echo');
    await value.fill('get-sum');
    await tab.screenshot('policies-edit');
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Save', exact: true }).click();
    await policy(GLOBAL_ACCESS).getByRole('button', { name: 'Save', exact: true }).waitFor({ state: 'detached' });
    expect(await until(sum, 'refused')).toMatch(/get-sum/);
    expect(await until(echo, 'works')).toBe('Echo: hi');
  });

  it('shows a secret masked, and saving it unchanged sends the mask, not the secret', async () => {
    const credential = policy('Upstream Credential');
    await credential.getByRole('button', { name: 'Edit', exact: true }).click();
    const secret = credential.getByLabel('Secret value');
    expect(await secret.getAttribute('type')).toBe('password');
    expect(await secret.inputValue()).toBe('********');
    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().includes('/policies/'));
    await credential.getByRole('button', { name: 'Save', exact: true }).click();
    expect(JSON.parse((await sent).postData()!)).toEqual({
      configurationData: { headerName: 'Authorization', prefix: 'Bearer', value: '********' },
    });
    await credential.getByRole('button', { name: 'Save', exact: true }).waitFor({ state: 'detached' });
    expect(await echo()).toBe('Echo: hi');
  });

  it('removes the policy after a confirmation, the focus back on Remove when kept and on the chain once removed', async () => {
    const remove = policy(GLOBAL_ACCESS).getByRole('button', { name: 'Remove', exact: true });
    await remove.press('Enter');
    await focusIsOn(policy(GLOBAL_ACCESS).getByRole('button', { name: 'Keep it', exact: true }));
    await page.keyboard.press('Enter');
    await focusIsOn(remove);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await focusIsOn(remove);
    await page.keyboard.press('Enter');
    await tab.screenshot('policies-remove-confirm');
    await page.keyboard.press('Tab');
    await focusIsOn(policy(GLOBAL_ACCESS).getByRole('button', { name: 'Remove policy', exact: true }));
    await page.keyboard.press('Enter');
    await eventually(async () => ((await chainNames()).includes(GLOBAL_ACCESS) ? undefined : true), 'the removal');
    await focusIsOn(page.getByRole('list', { name: 'Policy chain' }));
    expect(await chainOverRest()).toEqual(['mcp-support', 'mcp-schema-validation', 'upstream-credential']);
    expect(await until(sum, 'works')).toContain('3');
  });

  it('disables one tool and renames another: tools/list through the gateway shows exactly that', async () => {
    const tools = page.locator('.tool-settings');
    await tools.getByLabel('Expose get-sum').uncheck();
    await tools.getByLabel('Name clients see for echo').fill('say');
    await tools.getByRole('button', { name: 'Save tool settings' }).click();
    await tools.getByText('Listed as say').waitFor();
    await tools.getByText('Hidden by MCP Tool Mapping').waitFor();
    await policy('MCP Tool Mapping').waitFor();
    await tab.screenshot('policies-tools');
    const listed = await eventually(async () => {
      const names = await listedTools();
      return names.includes('say') ? names : undefined;
    }, 'the renamed tool');
    expect(listed).not.toContain('echo');
    expect(listed).not.toContain('get-sum');
    expect(await call('say', { message: 'renamed' })).toBe('Echo: renamed');
  });

  it('tells a user without Manage Policies so, in words (403)', async () => {
    const viewer = await newUser(cp, tenant.organizationId, ['read:api_policies', 'read:api_configuration']);
    const other = await openConsole(browser, cp.url, [/^403 PATCH .*\/policies\/\d+$/]);
    try {
      await signIn(other.page, viewer.username, 'user-password-1');
      await other.page.goto(instancePath());
      const row = other.page.locator('.applied-policy', { has: other.page.getByText('MCP Schema Validation', { exact: true }) });
      await row.getByRole('button', { name: 'Disable', exact: true }).click();
      await expect(row.getByRole('alert').textContent()).resolves.toBe(
        'You need the Manage Policies permission in this environment to change its policies.',
      );
      await other.screenshot('policies-forbidden');
      expect(other.problems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
