/**
 * `portico apply` with what a file names but never holds: TLS contexts by name, and policy
 * secrets from files and environment variables. Against a real control plane and a gateway
 * replica: the secret a file points to is the one the gateway enforces, a changed secret is
 * sent again only with --rotate-secrets, an export references secrets without holding them
 * and applies without a change, and --output json reports each change.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestCa,
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from './support/factories.js';
import { registerGateway, withMcpClient } from './support/gateways.js';
import { type CliResult, portico as runPortico } from './support/portico-cli.js';

describe('portico apply: TLS contexts by name and secrets by reference', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let gateway: GatewayProcess;
  let work: string;
  let port: number;
  let contextId: string;

  const portico = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runPortico(args, { cwd: work, env: { PORTICO_CONFIG_DIR: path.join(work, 'config'), PORTICO_URL: cp.url, ...env } });

  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;

  const file = () => `apiVersion: portico/v1
environment: Sandbox
assets:
  - assetId: guarded-mcp
    version: 1.0.0
    name: Guarded MCP
instances:
  - label: guarded
    asset: guarded-mcp@1.0.0
    upstream:
      uri: ${everything.baseUrl}
      tlsContext: { secretGroup: upstreams, tlsContext: mcp-ca }
    proxyUri: http://0.0.0.0:${port}/guarded
    deployment: { target: edge }
    policies:
      - policy: mcp-support
      - policy: http-basic-authentication
        configuration:
          username: bob
          password: { fromFile: secrets/basic-password }
`;

  /** tools/list through the gateway with Basic credentials: the tool count, or the refusal. */
  const listWith = (password: string) =>
    withMcpClient(
      `http://127.0.0.1:${port}/guarded/mcp`,
      { authorization: `Basic ${Buffer.from(`bob:${password}`).toString('base64')}` },
      async (client) => (await client.listTools()).tools.length,
    );

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    port = await freePort();
    work = await mkdtemp(path.join(tmpdir(), 'portico-apply-'));
    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await cp.request('POST', groups, { token: tenant.token, json: { name: 'upstreams' } });
    const ca = await createTestCa();
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: tenant.token,
      json: { name: 'mcp-ca', trustedCertificates: ca.certificatePem },
    });
    expect(context.status).toBe(201);
    contextId = context.body.id;
    const registered = await registerGateway(cp, tenant, 'edge');
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    const login = await runPortico(['login', '--username', tenant.username, '--password-stdin'], {
      cwd: work,
      input: `${tenant.password}\n`,
      env: { PORTICO_CONFIG_DIR: path.join(work, 'config'), PORTICO_URL: cp.url },
    });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    await writeFile(path.join(work, 'portico.yaml'), file());
    await mkdir(path.join(work, 'secrets'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('applies with the secret from the file it names, and the gateway enforces that secret', async () => {
    await writeFile(path.join(work, 'secrets/basic-password'), 'first-password\n');
    const applied = await portico(['apply', '-f', 'portico.yaml', '--wait', '--output', 'json']);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(applied.stdout);
    expect(
      report.changes.map((c: { action: string; resource: string; status: string }) => `${c.status} ${c.action} ${c.resource}`),
    ).toEqual([
      'applied create asset guarded-mcp@1.0.0',
      'applied create instance guarded',
      'applied create instance guarded policy 1 (mcp-support)',
      'applied create instance guarded policy 2 (http-basic-authentication)',
      'applied create instance guarded deployment',
    ]);
    expect(applied.stdout).not.toContain('first-password');
    expect(report.targets).toEqual([{ name: 'edge', replicas: 1, upToDate: 1, revision: expect.any(Number) }]);

    const [api] = (await cp.request('GET', `${apis()}?limit=500`, { token: tenant.token })).body.assets[0].apis;
    const upstreams = await cp.request('GET', `${apis()}/${api.id}/upstreams`, { token: tenant.token });
    expect(upstreams.body.upstreams[0].tlsContext).toMatchObject({ tlsContextId: contextId, name: 'mcp-ca' });

    expect(await listWith('first-password')).toBeGreaterThan(0);
    await expect(listWith('wrong')).rejects.toThrow(/The credentials are not valid/);
  });

  it('does not see a changed secret (the control plane never answers it) until --rotate-secrets sends it', async () => {
    await writeFile(path.join(work, 'secrets/basic-password'), 'second-password\n');
    const diff = await portico(['diff', '-f', 'portico.yaml', '--exit-code']);
    expect(diff).toEqual({ code: 0, stderr: '', stdout: 'No changes: Sandbox matches the file.\n' });

    const rotated = await portico(['apply', '-f', 'portico.yaml', '--rotate-secrets', '--wait']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(rotated.stdout).toContain(
      'ok ~ update instance guarded policy 2 (http-basic-authentication)\n       configuration.password: (secret) → (secret)\n',
    );
    expect(rotated.stdout).not.toContain('second-password');
    expect(await listWith('second-password')).toBeGreaterThan(0);
    await expect(listWith('first-password')).rejects.toThrow(/The credentials are not valid/);
  });

  it('exports TLS contexts by name and secrets as references, and the export applies without a change', async () => {
    const exported = await portico(['export', '--env', 'Sandbox']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain('second-password');
    expect(exported.stdout).toContain('#   PORTICO_SECRET_GUARDED_HTTP_BASIC_AUTHENTICATION_PASSWORD\n');
    expect(exported.stdout).toContain('      tlsContext:\n        secretGroup: upstreams\n        tlsContext: mcp-ca\n');
    await writeFile(path.join(work, 'exported.yaml'), exported.stdout);

    const missing = await portico(['diff', '-f', 'exported.yaml']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/environment variable PORTICO_SECRET_GUARDED_HTTP_BASIC_AUTHENTICATION_PASSWORD is not set/);
    const same = await portico(['diff', '-f', 'exported.yaml', '--exit-code'], {
      PORTICO_SECRET_GUARDED_HTTP_BASIC_AUTHENTICATION_PASSWORD: 'second-password',
    });
    expect(same).toEqual({ code: 0, stderr: '', stdout: 'No changes: Sandbox matches the file.\n' });
    expect(await readFile(path.join(work, 'exported.yaml'), 'utf8')).toBe(exported.stdout);
  });

  it('refuses a TLS context the environment lacks, naming it, before writing anything', async () => {
    await writeFile(path.join(work, 'other-tls.yaml'), file().replace('tlsContext: mcp-ca', 'tlsContext: nope'));
    const result = await portico(['apply', '-f', 'other-tls.yaml']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: instance guarded: upstream.tlsContext: TLS context upstreams/nope not found in Sandbox\n',
    });
  });
});
