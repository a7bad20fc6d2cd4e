/**
 * The console's Gateways, Client applications and API keys screens in Chromium, against a real
 * control plane, real gateway processes and server-everything: a running gateway with its replica,
 * version and applied deployments; a deployment the gateway refuses shown failed with its reason;
 * the registration commands the console shows registering (portico CLI) and running a new
 * gateway; a client application whose secret is shown once, a contract requested, approved and
 * revoked, and an API key shown once and revoked, each followed by calls through the gateway.
 * REST validation errors appear at their field.
 */
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  postMcp,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, openConsole, type ConsolePage, signIn } from '../support/browser.js';
import { startControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { sha256 } from '../../src/common/secrets.js';
import { closeTestPrisma, newTenant, type TestTenant, testPrisma, uniqueName } from '../support/factories.js';
import {
  deployMcpInstance,
  deployWithPolicies,
  eventually,
  INITIALIZE,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
} from '../support/gateways.js';
import { portico } from '../support/portico-cli.js';

const API_KEY = { groupId: POLICY_GROUP_ID, assetId: 'api-key-authentication', assetVersion: '1.0.0', configurationData: {} };
const CLIENT_ID = {
  groupId: POLICY_GROUP_ID,
  assetId: 'client-id-enforcement',
  assetVersion: '1.3.3',
  configurationData: {
    clientIdExpression: "#[attributes.headers['client_id']]",
    clientSecretExpression: "#[attributes.headers['client_secret']]",
  },
};

/** The HTTP status of an MCP initialize through the gateway with `headers`, once it is `expected`. */
function statusBecomes(instance: McpInstance, headers: Record<string, string>, expected: number): Promise<number> {
  return eventually(async () => {
    const { status } = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, headers);
    return status === expected ? status : undefined;
  }, `HTTP ${expected} through the gateway`);
}

describe('console: gateways, client applications, contracts and API keys', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let added: GatewayProcess | undefined;
  let keyed: McpInstance;
  let clientIdOnly: McpInstance;
  let busy: net.Server;
  let busyPort: number;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  /** the client secret the console showed when the application was created */
  let clientSecret: string;
  const env = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
  /** Waits until the control names the error of its field (a REST answer arrives later). */
  const invalid = (control: Locator) => control.and(page.locator('[aria-invalid="true"]')).waitFor();
  const nav = (section: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section });

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('console-gw'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    const target = { upstreamUrl: everything.baseUrl, targetId: registered.gatewayId };
    keyed = await deployWithPolicies(cp, tenant, { ...target, prefix: 'keyed' }, [API_KEY]);
    clientIdOnly = await deployWithPolicies(cp, tenant, { ...target, prefix: 'cid' }, [CLIENT_ID]);
    const manual = await cp.request('PATCH', `${clientIdOnly.apisPath}/${clientIdOnly.apiId}`, {
      token: tenant.token,
      json: { approvalMethod: 'manual' },
    });
    expect(manual.status).toBe(200);
    busy = net.createServer();
    busyPort = await freePort();
    await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
    browser = await launchBrowser();
    tab = await openConsole(browser, cp.url, [
      /^400 POST \/exchange\/api\/v2\/organizations\/[^/]+\/applications$/,
      /^400 POST \/apimanager\/api\/v1\/organizations\/.+\/api-keys$/,
    ]);
    page = tab.page;
    await signIn(page, tenant.username, tenant.password);
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await added?.stop();
    await gateway?.stop();
    await new Promise((resolve) => busy?.close(resolve));
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });
  afterEach(() => expect(tab.problems).toEqual([]));

  it('shows the running gateway with its replica, its version and its deployments applied', async () => {
    const rows = await cp.request(
      'GET',
      `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateway-targets`,
      {
        token: tenant.token,
      },
    );
    const version = rows.body.rows[0].version as string;
    await nav('Gateways').click();
    const row = page.getByRole('row', { name: new RegExp(registered.name) });
    await row.filter({ hasText: 'Running' }).waitFor();
    await expect(row.textContent()).resolves.toContain(version);
    await tab.screenshot('gateways');

    await page.getByRole('link', { name: registered.name }).click();
    await page.getByRole('heading', { name: registered.name }).waitFor();
    const replica = page.getByRole('table', { name: 'Replicas' }).getByRole('row', { name: new RegExp(gateway.replicaId) });
    await replica.filter({ hasText: 'Connected' }).filter({ hasText: 'Applied' }).waitFor();
    await expect(replica.textContent()).resolves.toContain(version);
    const deployments = page.getByRole('table', { name: 'Deployed API instances' });
    for (const instance of [keyed, clientIdOnly]) {
      await deployments
        .getByRole('row', { name: new RegExp(`\\(${instance.apiId}\\)`) })
        .filter({ hasText: 'Applied' })
        .waitFor();
    }
    await tab.screenshot('gateway-detail');
  });

  it('shows a deployment the gateway refuses as failed, with the reason it gave', async () => {
    const refused = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: busyPort,
      basePath: '/taken',
      targetId: registered.gatewayId,
    });
    const row = page
      .getByRole('table', { name: 'Deployed API instances' })
      .getByRole('row', { name: new RegExp(`\\(${refused.apiId}\\)`) });
    await row.filter({ hasText: 'Failed' }).waitFor();
    await expect(row.textContent()).resolves.toMatch(new RegExp(`cannot listen on [\\d.]+:${busyPort}: address already in use`));
    const replica = page.getByRole('table', { name: 'Replicas' }).getByRole('row', { name: new RegExp(gateway.replicaId) });
    await replica.filter({ hasText: `API ${refused.apiId}: ` }).waitFor();
    await tab.screenshot('gateway-detail-failed');
  });

  it('shows registration commands, once, that register a new gateway with the portico CLI and run it', async () => {
    const name = uniqueName('added-gw');
    await nav('Gateways').click();
    await page.getByRole('button', { name: 'Add gateway' }).click();
    await page.getByLabel('Gateway name').fill('bad name!');
    await page.getByRole('button', { name: 'Create registration token' }).click();
    await invalid(page.getByLabel('Gateway name'));
    await page.getByLabel('Gateway name').fill(name);
    await page.getByRole('button', { name: 'Create registration token' }).click();
    const commands = (await page.getByLabel('Registration commands', { exact: true }).textContent())!;
    const token = (await page.getByLabel('Registration token', { exact: true }).textContent())!;
    // the token's expiry as the control plane stored it, written as the console writes times
    const { expiresAt } = await testPrisma().registrationToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
    const expiry = await page.evaluate(
      (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso)),
      expiresAt.toISOString(),
    );
    await page.getByText(`The registration token registers one gateway, until ${expiry}.`).waitFor();
    await tab.screenshot('gateways-add');
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy Registration commands' }).click();
    await page.getByText('Copied').waitFor();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(commands);
    const [register, run] = commands.split('\n');
    expect(register).toBe(
      `node dist/apps/cli/src/main.js gateway register --token ${token} --control-plane ${cp.url} --name ${name} --out ./${name}`,
    );
    expect(run).toBe(`node dist/apps/gateway/src/main.js --dir ./${name}`);

    // The commands, from the sources instead of a build, in a fresh directory.
    const cwd = await mkdtemp(path.join(tmpdir(), 'portico-console-register-'));
    const registration = await portico(register!.split(' ').slice(2), { cwd });
    expect(registration).toMatchObject({ code: 0 });
    added = await startGatewayProcess({ dir: path.join(cwd, run!.split(' ').at(-1)!) });
    await added.waitForStatus((s) => s.sync.state === 'connected');

    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.content()).resolves.not.toContain(token);
    await page
      .getByRole('row', { name: new RegExp(name) })
      .filter({ hasText: 'Running' })
      .waitFor();
    await tab.screenshot('gateways-registered');
  }, 120_000); // the CLI and a second gateway start from their sources

  it('creates a client application, REST errors at their field, and shows its secret once', async () => {
    await nav('Client applications').click();
    await page.getByRole('button', { name: 'Create application' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('   ');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await invalid(name);
    await expect(page.locator('.field-error').textContent()).resolves.toBe('is required');
    await tab.screenshot('applications-error');
    await name.fill('Console agent');
    await page.getByLabel('Description').fill('calls MCP tools through the gateway');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const secret = (await page.getByLabel('Client secret', { exact: true }).textContent())!;
    expect(secret.length).toBeGreaterThan(10);
    await tab.screenshot('applications-created');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.content()).resolves.not.toContain(secret);
    await tab.screenshot('applications');
    await page.getByRole('link', { name: 'Console agent' }).click();
    await page.getByRole('heading', { name: 'Console agent' }).waitFor();
    await expect(page.content()).resolves.not.toContain(secret);
    clientSecret = secret;
  });

  it('requests access for it, approves the contract, calls with its credentials, and refuses them once revoked', async () => {
    const clientId = (await page.locator('dl.summary code').textContent())!;
    const credentials = { client_id: clientId, client_secret: clientSecret };
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByLabel('API instance').selectOption(String(clientIdOnly.apiId));
    await page.getByLabel('Reason').fill('the console test agent');
    await page.getByRole('button', { name: 'Request access' }).last().click();
    const contract = page.getByRole('row', { name: new RegExp(`\\(${clientIdOnly.apiId}\\)`) });
    await contract.filter({ hasText: 'pending' }).waitFor();
    expect((await postMcp(`${clientIdOnly.proxyUrl}/mcp`, INITIALIZE, credentials)).status).toBe(401);

    await contract.getByRole('button', { name: /^Approve/ }).click();
    await contract.filter({ hasText: 'approved' }).waitFor();
    await tab.screenshot('application-contracts');
    await statusBecomes(clientIdOnly, credentials, 200);

    await contract.getByRole('button', { name: /^Revoke/ }).click();
    await contract.getByRole('button', { name: /^Confirm: revoke/ }).click();
    await contract.filter({ hasText: 'revoked' }).waitFor();
    await statusBecomes(clientIdOnly, credentials, 401);
  });

  it('creates an API key, REST errors at their field, shows it once, calls with it, and refuses it once revoked', async () => {
    await nav('API keys').click();
    await page.getByLabel('API instance').selectOption(String(keyed.apiId));
    const name = page.getByLabel('Key name');
    await name.fill('  ');
    await page.getByRole('button', { name: 'Create key' }).click();
    await invalid(name);
    await name.fill('console agent');
    await page.getByLabel('Expires').fill('2001-01-01T00:00');
    await page.getByRole('button', { name: 'Create key' }).click();
    await invalid(page.getByLabel('Expires'));
    await expect(page.locator('.field-error').textContent()).resolves.toBe('must be in the future');
    await tab.screenshot('api-keys-error');
    await page.getByLabel('Expires').fill('');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByLabel('API key', { exact: true }).textContent())!;
    expect(key).toMatch(/^ptk_/);
    await tab.screenshot('api-keys-created');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.content()).resolves.not.toContain(key);
    const row = page.getByRole('row', { name: /console agent/ });
    await row.filter({ hasText: 'active' }).waitFor();
    await expect(row.textContent()).resolves.toContain(key.slice(0, 12));

    await statusBecomes(keyed, { authorization: `Bearer ${key}` }, 200);
    await tab.screenshot('api-keys');
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await row.getByRole('button', { name: /^Confirm: revoke/ }).click();
    await row.filter({ hasText: 'revoked' }).waitFor();
    await statusBecomes(keyed, { authorization: `Bearer ${key}` }, 401);
    const keys = await cp.request('GET', `${env()}/apis/${keyed.apiId}/api-keys`, { token: tenant.token });
    expect(keys.body.apiKeys).toEqual([expect.objectContaining({ name: 'console agent', status: 'revoked' })]);
  });
});
