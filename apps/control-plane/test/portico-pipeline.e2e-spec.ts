/**
 * A CI pipeline driving Portico with the `portico` CLI, against real processes: a control plane,
 * one gateway target with two replicas in Sandbox and one in Production, and a real MCP server.
 * The pipeline logs in as a connected app, applies a portico.yaml, calls a tool through the
 * gateway with the MCP SDK, changes the file, sees exactly the change in `diff`, applies it and
 * waits until both replicas enforce it, promotes to Production, prunes what the file no longer
 * names, and finds that applying again changes nothing. Bad files, unknown names, a failing
 * change and unreachable or missing credentials end with the documented exit codes.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { ALL_SCOPES } from '../src/auth/scopes.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { registerGateway, withMcpClient } from './support/gateways.js';
import { type CliResult, portico as runPortico } from './support/portico-cli.js';

/** The exit codes the README documents. */
const EXIT = { ok: 0, failed: 1, usage: 2, invalidFile: 3, unreachable: 4, unauthenticated: 5, timedOut: 6, differences: 7 };

describe('a CI pipeline with the portico CLI', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  const replicas: GatewayProcess[] = [];
  let work: string;
  let env: Record<string, string>;
  let port: number;
  let apiKey: string;

  /** `portico <args>` run in the pipeline's work directory with its credentials. */
  const portico = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> =>
    runPortico(args, { cwd: work, env: { ...env, ...extraEnv } });

  const apis = (envId: string) => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${envId}/apis`;
  const labels = async (envId: string) =>
    (
      (await cp.request('GET', `${apis(envId)}?limit=500`, { token: tenant.token })).body.assets as {
        apis: { instanceLabel: string }[];
      }[]
    )
      .flatMap((a) => a.apis.map((api) => api.instanceLabel))
      .sort();

  /** The portico.yaml of the pipeline: one instance `weather` behind an API key, plus what a step adds. */
  const file = (extra: { policies?: string; instances?: string } = {}) => `apiVersion: portico/v1
environment: Sandbox
assets:
  - assetId: weather-mcp
    version: 1.0.0
    name: Weather MCP
clientApplications:
  - name: ci-agent
instances:
  - label: weather
    asset: weather-mcp@1.0.0
    upstream: ${everything.baseUrl}
    proxyUri: http://0.0.0.0:${port}/weather
    deployment:
      target: edge
    policies:
      - policy: mcp-support
      - policy: api-key-authentication${extra.policies ?? ''}
    apiKeys:
      - name: pipeline
    contracts:
      - application: ci-agent
${extra.instances ?? ''}`;

  const RENAME = `
      - policy: mcp-tool-mapping
        configuration:
          toolMappings:
            - sourceToolName: echo
              mappedToolName: say`;

  const stray = () => `  - label: stray
    asset: weather-mcp@1.0.0
    upstream: ${everything.baseUrl}
    proxyUri: http://0.0.0.0:${port}/stray
`;

  const write = (name: string, text: string) => writeFile(path.join(work, name), text);

  /** The MCP SDK client on `host` (a replica's address) with the pipeline's API key. */
  const mcp = <T>(host: string, use: (client: Client) => Promise<T>, key: string | null = apiKey): Promise<T> =>
    withMcpClient(`http://${host}:${port}/weather/mcp`, key ? { authorization: `Bearer ${key}` } : {}, use);
  const toolNames = (host: string) => mcp(host, async (c) => (await c.listTools()).tools.map((t) => t.name));
  const say = (host: string, tool: string) =>
    mcp(
      host,
      async (c) => ((await c.callTool({ name: tool, arguments: { message: 'hi' } })).content as { text: string }[])[0]!.text,
    );

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    port = await freePort();
    work = await mkdtemp(path.join(tmpdir(), 'portico-pipeline-'));
    const app = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: tenant.token,
      json: { client_name: uniqueName('pipeline'), grant_types: ['client_credentials'], scopes: ALL_SCOPES },
    });
    expect(app.status).toBe(201);
    env = { PORTICO_CONFIG_DIR: path.join(work, 'config'), PORTICO_URL: cp.url };
    // The gateway target `edge`: two replicas in Sandbox (one registration, two addresses), one in Production.
    const sandbox = await registerGateway(cp, tenant, 'edge');
    const production = await registerGateway(cp, tenant, 'edge', tenant.productionId);
    for (const [dir, listenHost] of [
      [sandbox.dir, '127.0.0.1'],
      [sandbox.dir, '127.0.0.2'],
      [production.dir, '127.0.0.3'],
    ] as const) {
      replicas.push(await startGatewayProcess({ dir, listenHost }));
    }
    await Promise.all(replicas.map((r) => r.waitForStatus((s) => s.sync.state === 'connected')));
    const login = await portico(['login', '--client-id', app.body.client_id], { PORTICO_CLIENT_SECRET: app.body.client_secret });
    expect(login).toMatchObject({ code: EXIT.ok, stderr: '' });
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('applies the file, waits for both replicas, and the tool answers through either', async () => {
    await write('portico.yaml', file());
    const applied = await portico([
      'apply',
      '-f',
      'portico.yaml',
      '--wait',
      '--min-replicas',
      '2',
      '--api-keys-out',
      'keys.json',
    ]);
    expect(applied).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(applied.stdout).toContain('ok + create instance weather\n');
    expect(applied.stdout).toContain('Target edge: 2 of 2 replicas run revision');
    expect(applied.stdout).not.toContain('ptk_'); // the key went to the file, not the log
    const keys = JSON.parse(await readFile(path.join(work, 'keys.json'), 'utf8'));
    expect(keys).toEqual([{ instance: 'weather', name: 'pipeline', key: expect.stringMatching(/^ptk_/) }]);
    apiKey = keys[0].key;

    expect(await say('127.0.0.1', 'echo')).toBe('Echo: hi');
    expect(await say('127.0.0.2', 'echo')).toBe('Echo: hi');
    await expect(mcp('127.0.0.1', (c) => c.listTools(), null)).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('diff shows exactly the change made to the file', async () => {
    await write('portico.yaml', file({ policies: RENAME }));
    const diff = await portico(['diff', '-f', 'portico.yaml', '--exit-code']);
    expect(diff).toEqual({
      code: EXIT.differences,
      stderr: '',
      stdout:
        '+ create instance weather policy 3 (mcp-tool-mapping)\n' +
        '    version: 1.0.0\n' +
        '1 change: 1 to create, 0 to update, 0 to delete.\n',
    });
    const json = JSON.parse((await portico(['diff', '-f', 'portico.yaml', '--output', 'json'])).stdout);
    expect(json).toEqual({
      environment: 'Sandbox',
      changes: [
        {
          action: 'create',
          resource: 'instance weather policy 3 (mcp-tool-mapping)',
          details: ['version: 1.0.0'],
          status: 'planned',
        },
      ],
      kept: [],
    });
  });

  it('applies the change, and wait sees it enforced on both replicas', async () => {
    const applied = await portico(['apply', '-f', 'portico.yaml']);
    expect(applied).toMatchObject({ code: EXIT.ok, stderr: '' });
    const waited = await portico(['wait', '-f', 'portico.yaml', '--min-replicas', '2', '--timeout', '60']);
    expect(waited).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(waited.stdout).toMatch(
      /^Target edge: 2 of 2 replicas run revision \d+\.\nRolled out: 1 instance applied in Sandbox\.\n$/,
    );
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      expect(await toolNames(host)).toContain('say');
      expect(await toolNames(host)).not.toContain('echo');
      expect(await say(host, 'say')).toBe('Echo: hi');
    }
  });

  it('changes nothing when the same file is applied again', async () => {
    const again = await portico(['apply', '-f', 'portico.yaml']);
    expect(again).toEqual({ code: EXIT.ok, stderr: '', stdout: 'No changes: Sandbox matches the file.\n' });
    expect((await portico(['diff', '-f', 'portico.yaml', '--exit-code'])).code).toBe(EXIT.ok);
  });

  it('exports the environment as a file that applies without a change', async () => {
    const exported = await portico(['export', '--env', 'Sandbox', '-f', 'exported.yaml']);
    expect(exported).toEqual({ code: EXIT.ok, stderr: '', stdout: 'Wrote 1 instance of Sandbox to exported.yaml.\n' });
    const text = await readFile(path.join(work, 'exported.yaml'), 'utf8');
    expect(text).toContain('label: weather');
    expect(text).not.toContain(apiKey);
    const diff = await portico(['diff', '-f', 'exported.yaml', '--exit-code']);
    expect(diff).toEqual({ code: EXIT.ok, stderr: '', stdout: 'No changes: Sandbox matches the file.\n' });
  });

  it('promotes to Production: the replica there enforces the same chain, and promoting again changes nothing', async () => {
    const dry = await portico(['promote', '--from', 'Sandbox', '--to', 'Production', '--dry-run']);
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.stdout).toContain('+ create instance weather\n    promoted from Sandbox');
    expect(await labels(tenant.productionId)).toEqual([]);

    const promoted = await portico(['promote', '--from', 'Sandbox', '--to', 'Production', '--wait']);
    expect(promoted).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(promoted.stdout).toContain('Target edge: 1 of 1 replicas run revision');
    expect(await labels(tenant.productionId)).toEqual(['weather']);
    // The policies came along: no API key of Production's own yet, so the call is refused there.
    await expect(mcp('127.0.0.3', (c) => c.listTools(), null)).rejects.toThrow(/UNAUTHORIZED/);
    await expect(mcp('127.0.0.3', (c) => c.listTools())).rejects.toThrow(/UNAUTHORIZED/);

    const again = await portico(['promote', '--from', 'Sandbox', '--to', 'Production']);
    expect(again).toEqual({ code: EXIT.ok, stderr: '', stdout: 'No changes: Production matches Sandbox.\n' });
  });

  it('keeps what the file no longer names unless --prune, which deletes it', async () => {
    await write('with-stray.yaml', file({ policies: RENAME, instances: stray() }));
    expect((await portico(['apply', '-f', 'with-stray.yaml'])).code).toBe(EXIT.ok);
    expect(await labels(tenant.sandboxId)).toEqual(['stray', 'weather']);

    await write('portico.yaml', file());
    const kept = await portico(['diff', '-f', 'portico.yaml']);
    expect(kept.stdout).toMatch(
      /^No changes: Sandbox matches the file\.\nKept \(not in the file; --prune deletes them\): instance stray, instance weather policy mcp-tool-mapping \(id \d+\)\n$/,
    );

    const pruned = await portico(['apply', '-f', 'portico.yaml', '--prune', '--wait', '--min-replicas', '2']);
    expect(pruned).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(pruned.stdout).toContain('ok - delete instance stray\n');
    expect(pruned.stdout).toMatch(/ok - delete instance weather policy mcp-tool-mapping \(id \d+\)\n/);
    expect(await labels(tenant.sandboxId)).toEqual(['weather']);
    expect(await toolNames('127.0.0.2')).toContain('echo');

    const again = await portico(['apply', '-f', 'portico.yaml', '--prune']);
    expect(again).toEqual({ code: EXIT.ok, stderr: '', stdout: 'No changes: Sandbox matches the file.\n' });
  });

  it('refuses a bad file before calling the control plane (exit 3), naming the line', async () => {
    await write('bad.yaml', file().replace('    proxyUri:', '    proxyURI:'));
    const result = await portico(['apply', '-f', 'bad.yaml'], { PORTICO_URL: 'http://127.0.0.1:1' });
    expect(result).toEqual({
      code: EXIT.invalidFile,
      stdout: '',
      stderr:
        'error: bad.yaml:10:5: instances[0].proxyUri is required\n' +
        'bad.yaml:13:5: instances[0].proxyURI is not a known property (known: label, asset, upstream, proxyUri, ' +
        'inboundTlsContext, endpointUri, description, tags, deployment, policies, apiKeys, contracts)\n',
    });
  });

  it('refuses a file naming what the environment lacks (exit 1) and writes nothing', async () => {
    await write('unknown.yaml', file({ instances: stray() }).replace('target: edge', 'target: nowhere'));
    const result = await portico(['apply', '-f', 'unknown.yaml']);
    expect(result).toEqual({
      code: EXIT.failed,
      stdout: '',
      stderr: 'error: instance weather: deployment.target: gateway target "nowhere" not found in Sandbox (it has: edge)\n',
    });
    expect(await labels(tenant.sandboxId)).toEqual(['weather']);
  });

  it('reports a change the control plane refuses (exit 1) and goes on with the others', async () => {
    const refused = file({
      policies: `
      - policy: rate-limiting
        configuration:
          rateLimits:
            - maximumRequests: 0
              timePeriodInMilliseconds: 1000`,
      instances: stray(),
    });
    await write('refused.yaml', refused);
    const result = await portico(['apply', '-f', 'refused.yaml']);
    expect(result.code).toBe(EXIT.failed);
    expect(result.stderr).toMatch(/^error: create instance weather policy 3 \(rate-limiting\): .*maximumRequests.*\n$/);
    expect(result.stdout).toContain('ok + create instance stray\n');
    expect(await labels(tenant.sandboxId)).toEqual(['stray', 'weather']);
  });

  it('ends with the documented codes when the control plane cannot be reached, credentials are missing, or the wait times out', async () => {
    const unreachable = await portico(['diff', '-f', 'portico.yaml'], { PORTICO_URL: 'http://127.0.0.1:1', PORTICO_TOKEN: 'x' });
    expect(unreachable.code).toBe(EXIT.unreachable);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the control plane at http:\/\/127\.0\.0\.1:1: /);

    const anonymous = await portico(['diff', '-f', 'portico.yaml'], { PORTICO_CONFIG_DIR: path.join(work, 'nobody') });
    expect(anonymous.code).toBe(EXIT.unauthenticated);
    expect(anonymous.stderr).toMatch(/^error: not logged in/);

    const usage = await portico(['apply']);
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.stderr).toMatch(/^error: -f\/--file is required\n\nUsage: portico apply/);

    const timedOut = await portico(['wait', '--env', 'Sandbox', '--min-replicas', '3', '--timeout', '1']);
    expect(timedOut.code).toBe(EXIT.timedOut);
    expect(timedOut.stderr).toMatch(/^error: timed out after 1 s waiting for: target edge has 2 of 3 replicas connected\n$/);
  });
});
