/**
 * The MCP library, installs, custom MCPs and install requests (issue 20) end to end: a real
 * control plane and Postgres, a registered gateway process, the reference server-everything and
 * a small MCP server that records the headers it gets; every call through the gateway is made
 * with the MCP SDK client.
 */
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
  startMcpServer,
  type TestMcpServer,
} from '#portico/testing';
import type { ApiResponse } from './support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from './support/factories.js';
import { eventually, registerGateway, type RegisteredGateway, rolledOut, withMcpClient } from './support/gateways.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';

const EVERYTHING = 'io.modelcontextprotocol/everything';

describe('MCP library, installs and install requests', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let recorder: TestMcpServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let everythingId: string;

  const org = () => `/mcpgateway/api/v1/organizations/${tenant.organizationId}`;
  const env = () => `${org()}/environments/${tenant.sandboxId}`;
  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const call = (method: string, path: string, json?: unknown, token = tenant.token) => cp.request(method, path, { token, json });
  const created = (res: ApiResponse, status = 201) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${res.text}`);
    return res.body;
  };
  const listener = async (prefix: string) => `http://0.0.0.0:${await freePort()}/${uniqueName(prefix)}`;
  /** The gateway URL of an install's MCP endpoint, once every replica runs it. */
  const endpointOf = async (install: { apiId: number; proxyUri: string; mcpPath: string }) => {
    await rolledOut(cp, tenant, { apiId: install.apiId, apisPath: apis(), proxyUrl: '' });
    return `http://127.0.0.1:${new URL(install.proxyUri).port}${install.mcpPath}`;
  };
  const echoThrough = (url: string, message: string, headers: Record<string, string> = {}) =>
    withMcpClient(url, headers, async (client) => {
      const result = await client.callTool({ name: 'echo', arguments: { message, text: message } });
      return (result.content as { text: string }[])[0]!.text;
    });
  /** A server.json for the recording server, with a secret Authorization header and an optional plain one. */
  const recorderEntry = (name = `io.github.portico-tests/${uniqueName('recorder')}`) => ({
    name,
    title: 'Recorder',
    description: 'Records the headers it gets',
    version: '1.0.0',
    remotes: [
      {
        type: 'streamable-http',
        url: recorder.url,
        headers: [
          { name: 'Authorization', description: 'Bearer token', isRequired: true, isSecret: true },
          { name: 'X-Team', description: 'team name' },
        ],
      },
    ],
  });
  const importEntry = async (document: unknown) => created(await call('POST', `${org()}/library`, document)).data[0];
  /** A custom MCP in front of the recording server, connected as `connection` says. */
  const createCustom = async (name: string, connection: Record<string, unknown>) =>
    created(
      await call('POST', `${env()}/backends/custom`, {
        name: uniqueName(name),
        url: recorder.url,
        targetId: registered.gatewayId,
        proxyUri: await listener('custom'),
        connection,
      }),
    );

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    [everything, recorder] = await Promise.all([startEverythingServer(), startMcpServer()]);
    registered = await registerGateway(cp, tenant, uniqueName('library-gw'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    const library = created(await call('GET', `${org()}/library?search=everything`), 200);
    everythingId = library.data.find((e: { name: string }) => e.name === EVERYTHING).id;
  });
  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await recorder?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('shows the curated library to anyone who sees the organization, with search and paging', async () => {
    const viewer = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
    const all = await call('GET', `${org()}/library`, undefined, viewer.token);
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(8);
    expect(all.body.data.map((e: { source: string }) => e.source)).toContain('portico');
    const github = all.body.data.find((e: { name: string }) => e.name === 'io.github.github/github-mcp-server');
    expect(github).toMatchObject({
      installable: true,
      server: { remotes: [{ type: 'streamable-http', url: 'https://api.githubcopilot.com/mcp/' }] },
      inputs: expect.arrayContaining([
        expect.objectContaining({ in: 'header', name: 'Authorization', isRequired: true, isSecret: true }),
      ]),
    });

    const search = await call('GET', `${org()}/library?search=DEEPWIKI`, undefined, viewer.token);
    expect(search.body).toMatchObject({ total: 1, data: [{ name: 'com.deepwiki/mcp', title: 'DeepWiki' }] });
    const page = await call('GET', `${org()}/library?offset=1&limit=2`, undefined, viewer.token);
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual(all.body.data.slice(1, 3).map((e: { id: string }) => e.id));

    const one = await call('GET', `${org()}/library/${everythingId}`, undefined, viewer.token);
    expect(one.body).toMatchObject({
      id: everythingId,
      name: EVERYTHING,
      inputs: [{ in: 'variable', name: 'baseUrl', isRequired: true }],
    });
    const missing = await call('GET', `${org()}/library/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'MCP_LIBRARY_ENTRY_NOT_FOUND' });
  });

  it('installs the curated everything entry in one call and serves its tools through the gateway', async () => {
    const res = await call('POST', `${env()}/installs`, {
      entryId: everythingId,
      targetId: registered.gatewayId,
      variables: { baseUrl: everything.url },
      proxyUri: await listener('everything'),
    });
    const install = created(res);
    expect(install).toMatchObject({
      apiId: expect.any(Number),
      instanceLabel: expect.stringMatching(/^Everything \(reference server\)/),
      assetId: 'everything',
      assetVersion: '2026.8.31',
      deploymentId: expect.any(Number),
      policies: [{ assetId: 'mcp-support', order: 1 }],
      upstreamUri: everything.baseUrl,
      remoteUrl: everything.url,
    });
    expect(install.mcpPath).toBe(`${new URL(install.proxyUri).pathname}/mcp`);
    expect(await echoThrough(await endpointOf(install), 'through the library')).toBe('Echo: through the library');

    // The asset is in Exchange, the instance is a Flex MCP instance of it.
    const instance = created(await call('GET', `${apis()}/${install.apiId}`), 200);
    expect(instance).toMatchObject({ assetId: 'everything', technology: 'flexGateway', endpoint: { type: 'mcp' } });

    // A second install reuses the asset and takes the next label.
    const again = created(
      await call('POST', `${env()}/installs`, {
        entryId: everythingId,
        targetId: registered.gatewayId,
        variables: { baseUrl: everything.url },
        proxyUri: await listener('everything'),
      }),
    );
    expect(again).toMatchObject({ assetId: 'everything', assetCreated: false });
    expect(again.instanceLabel).not.toBe(install.instanceLabel);
  });

  it('sends a secret header upstream, stored encrypted, and a plain one through header injection', async () => {
    const entry = await importEntry(recorderEntry());
    const secret = `Bearer ${uniqueName('s3cret')}`;
    const install = created(
      await call('POST', `${env()}/installs`, {
        entryId: entry.id,
        targetId: registered.gatewayId,
        headers: { authorization: secret, 'X-Team': 'platform' },
        proxyUri: await listener('recorder'),
      }),
    );
    expect(install.policies.map((p: { assetId: string }) => p.assetId)).toEqual([
      'mcp-support',
      'upstream-credential',
      'header-injection',
    ]);
    const rows = await testPrisma().appliedPolicy.findMany({ where: { apiId: install.apiId } });
    const stored = JSON.stringify(rows.map((r) => r.configurationData));
    expect(stored).not.toContain(secret.slice('Bearer '.length));
    const credential = rows.find((r) => r.assetId === 'upstream-credential')!.configurationData as Record<string, string>;
    expect(credential).toMatchObject({ headerName: 'Authorization', value: expect.stringMatching(/^enc:v1:/) });

    const before = recorder.requests.length;
    expect(await echoThrough(await endpointOf(install), 'with a secret')).toBe('with a secret');
    const seen = recorder.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request.headers).toMatchObject({ authorization: secret, 'x-team': 'platform' });
  });

  it('creates a custom MCP with an API key connection, sharing the install path', async () => {
    const key = uniqueName('key');
    const custom = await createCustom('Custom Tools', { mode: 'api-key', headerName: 'X-Api-Key', prefix: 'Key', value: key });
    expect(custom.policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support', 'upstream-credential']);
    const before = recorder.requests.length;
    expect(await echoThrough(await endpointOf(custom), 'custom')).toBe('custom');
    expect(recorder.requests.slice(before).every((r) => r.headers['x-api-key'] === `Key ${key}`)).toBe(true);
    const backend = created(await call('GET', `${env()}/backends/${custom.apiId}`), 200);
    expect(backend).toMatchObject({ apiId: custom.apiId, connection: { mode: 'api-key' } });

    const badMode = await call('POST', `${env()}/backends/custom`, {
      name: 'x',
      url: recorder.url,
      targetId: registered.gatewayId,
      connection: { mode: 'gateway-oauth' },
    });
    expect(badMode.status).toBe(400);
    expect(badMode.body.message).toBe('body.connection.mode: must be one of none, api-key, oauth-passthrough');
    const badUrl = await call('POST', `${env()}/backends/custom`, {
      name: 'x',
      url: 'ftp://example.com/mcp',
      targetId: registered.gatewayId,
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.message).toBe('body.url: must be an http(s) URL');
    const missingKey = await call('POST', `${env()}/backends/custom`, {
      name: 'x',
      url: recorder.url,
      targetId: registered.gatewayId,
      connection: { mode: 'api-key' },
    });
    expect(missingKey.body.message).toBe(
      'body.connection.value: is required for mode api-key: the key or token the gateway sends',
    );
  });

  it('creates an oauth-passthrough custom MCP that reads back as such and forwards the client token unchanged', async () => {
    const custom = await createCustom('Passthrough Tools', { mode: 'oauth-passthrough' });
    // no upstream credential: the backend validates the client's own token
    expect(custom.policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support']);
    const backend = created(await call('GET', `${env()}/backends/${custom.apiId}`), 200);
    expect(backend).toMatchObject({ apiId: custom.apiId, connection: { mode: 'oauth-passthrough' } });

    const token = `Bearer ${uniqueName('client-token')}`;
    const before = recorder.requests.length;
    expect(await echoThrough(await endpointOf(custom), 'passthrough', { Authorization: token })).toBe('passthrough');
    const seen = recorder.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request.headers.authorization).toBe(token);
  });

  it('imports a server.json and a registry export, all or nothing, and deletes only its own entries', async () => {
    const single = recorderEntry();
    const one = created(await call('POST', `${org()}/library`, single));
    expect(one).toMatchObject({ total: 1, data: [{ name: single.name, source: 'organization', version: '1.0.0' }] });

    const a = recorderEntry();
    const b = { ...recorderEntry(), version: '2.0.0' };
    const exported = created(
      await call('POST', `${org()}/library`, {
        servers: [{ server: a, _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active' } } }, b],
        metadata: { count: 2 },
      }),
    );
    expect(exported.data.map((e: { name: string }) => e.name)).toEqual([a.name, b.name]);
    const listed = created(await call('GET', `${org()}/library?search=${encodeURIComponent(a.name)}`), 200);
    expect(listed).toMatchObject({ total: 1, data: [{ name: a.name }] });

    const duplicate = await call('POST', `${org()}/library`, { servers: [recorderEntry(), a] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({
      code: 'MCP_LIBRARY_ENTRY_ALREADY_EXISTS',
      message: expect.stringContaining(`${a.name}@1.0.0`),
    });

    const valid = recorderEntry();
    const invalid = await call('POST', `${org()}/library`, {
      servers: [valid, { ...recorderEntry(), remotes: [{ type: 'streamable-http', url: 'mailto:x' }] }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      code: 'MCP_SERVER_JSON_INVALID',
      message:
        'body.servers.1.remotes.0.url: must start with http://, https:// or a {variable} (e.g. {baseUrl}) and contain no spaces',
      errors: [{ path: '/body/servers/1/remotes/0/url' }],
    });
    expect((await call('GET', `${org()}/library?search=${encodeURIComponent(valid.name)}`)).body.total).toBe(0);

    expect((await call('DELETE', `${org()}/library/${one.data[0].id}`)).status).toBe(204);
    expect((await call('GET', `${org()}/library/${one.data[0].id}`)).status).toBe(404);
    const curated = await call('DELETE', `${org()}/library/${everythingId}`);
    expect(curated.status).toBe(409);
    expect(curated.body).toMatchObject({
      code: 'MCP_LIBRARY_ENTRY_READ_ONLY',
      message: expect.stringContaining('curated entries cannot be deleted'),
    });
  });

  it('names what an install is missing or does not know, and refuses entries a gateway cannot front', async () => {
    const install = (body: Record<string, unknown>) =>
      call('POST', `${env()}/installs`, { entryId: everythingId, targetId: registered.gatewayId, ...body });
    const missing = await install({});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      code: 'MCP_INSTALL_INPUT_INVALID',
      message: `variables.baseUrl is required by ${EVERYTHING}`,
    });
    const unknown = await install({ variables: { baseUrl: everything.url, colour: 'red' } });
    expect(unknown.body.message).toBe(`variables.colour is not a variable of ${EVERYTHING} (its baseUrl)`);
    const header = await install({ variables: { baseUrl: everything.url }, headers: { 'X-Nope': '1' } });
    expect(header.body.message).toBe(`headers.X-Nope is not a header of ${EVERYTHING} (it has none)`);

    const local = await importEntry({
      name: `io.github.portico-tests/${uniqueName('local')}`,
      description: 'Runs locally only',
      version: '1.0.0',
      packages: [{ registryType: 'npm', identifier: '@acme/local-only', version: '1.0.0', transport: { type: 'stdio' } }],
    });
    const refused = await call('POST', `${env()}/installs`, { entryId: local.id, targetId: registered.gatewayId });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'MCP_LIBRARY_ENTRY_NOT_INSTALLABLE',
      message: expect.stringContaining(
        'has no streamable-http remote, so a gateway cannot front it (its packages run locally: npm @acme/local-only)',
      ),
    });
    const noTarget = await install({ variables: { baseUrl: everything.url }, targetId: '00000000-0000-4000-8000-000000000000' });
    expect(noTarget.status).toBe(404);
  });

  it('chooses a free listener on port 8081 when none is given', async () => {
    const idle = await registerGateway(cp, tenant, uniqueName('idle-gw'));
    const entry = await importEntry(recorderEntry());
    const install = () =>
      call('POST', `${env()}/installs`, { entryId: entry.id, targetId: idle.gatewayId, headers: { Authorization: 'Bearer x' } });
    const first = created(await install());
    const second = created(await install());
    const base = `/${entry.name.split('/')[1]}`;
    expect([first.proxyUri, second.proxyUri]).toEqual([`http://0.0.0.0:8081${base}`, `http://0.0.0.0:8081${base}-2`]);
  });

  it('leaves nothing behind when an install fails, before or after its first write', async () => {
    const entry = await importEntry(recorderEntry());
    const assetId = entry.name.split('/')[1];
    const rowsOfTheCall = async () => ({
      assets: await testPrisma().exchangeAsset.count({
        where: { groupId: tenant.organizationId, assetId: { startsWith: assetId } },
      }),
      instances: await testPrisma().apiInstance.count({
        where: { organizationId: tenant.organizationId, assetId: { startsWith: assetId } },
      }),
      policies: await testPrisma().appliedPolicy.count({ where: { api: { assetId: { startsWith: assetId } } } }),
    });
    const none = { assets: 0, instances: 0, policies: 0 };

    // A gateway whose replica does not implement upstream-credential: the deployment, the last
    // step, is refused after the asset, the instance and its policies were made.
    const limited = await registerGateway(cp, tenant, uniqueName('limited-gw'));
    await testPrisma().gatewayReplica.create({
      data: {
        targetId: limited.gatewayId,
        replicaId: 'limited-replica',
        capabilities: ['mcp-support'],
        connectedAt: new Date(),
        lastSeenAt: new Date(Date.now() + 3_600_000),
      },
    });
    const requestId = uniqueName('failed-install');
    const refused = await cp.request('POST', `${env()}/installs`, {
      token: tenant.token,
      headers: { 'x-request-id': requestId },
      json: {
        entryId: entry.id,
        targetId: limited.gatewayId,
        headers: { Authorization: 'Bearer never-stored' },
        proxyUri: await listener('limited'),
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'POLICY_NOT_ENFORCEABLE',
      message: expect.stringContaining('upstream-credential'),
    });
    expect(await rowsOfTheCall()).toEqual(none);
    // what the call made, and removed again, in the audit trail
    const trail = await testPrisma().auditRecord.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
    expect(trail.map((r) => `${r.resourceType} ${r.action}`)).toEqual([
      'exchange-asset create',
      'api-instance create',
      'policy create',
      'policy create',
      'api-instance delete',
      'exchange-asset delete',
    ]);

    // A label in use, or a listener in use: refused before anything is written.
    const proxyUri = await listener('taken');
    const first = created(
      await call('POST', `${env()}/installs`, {
        entryId: entry.id,
        targetId: registered.gatewayId,
        headers: { Authorization: 'Bearer ok' },
        instanceLabel: 'taken-label',
        proxyUri,
      }),
    );
    const counts = await rowsOfTheCall();
    const label = await call('POST', `${env()}/installs`, {
      entryId: entry.id,
      targetId: registered.gatewayId,
      headers: { Authorization: 'Bearer ok' },
      instanceLabel: 'taken-label',
    });
    expect(label.status).toBe(409);
    expect(label.body).toMatchObject({ code: 'API_ALREADY_EXISTS', message: expect.stringContaining('taken-label') });
    const port = await call('POST', `${env()}/installs`, {
      entryId: entry.id,
      targetId: registered.gatewayId,
      headers: { Authorization: 'Bearer ok' },
      proxyUri,
    });
    expect(port.status).toBe(409);
    expect(port.body).toMatchObject({
      code: 'API_PROXY_CONFLICT',
      message: expect.stringContaining(`API instance ${first.apiId}`),
    });
    expect(await rowsOfTheCall()).toEqual(counts);
  });

  describe('install requests', () => {
    let requester: { id: string; username: string; token: string };
    let approver: { id: string; username: string; token: string };
    const requests = () => `${env()}/install-requests`;
    /** Files an install request as the requester, to the registered gateway unless `body` says otherwise. */
    const file = async (body: Record<string, unknown>) =>
      created(await call('POST', requests(), { targetId: registered.gatewayId, ...body }, requester.token));

    beforeAll(async () => {
      requester = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
      approver = await newUser(cp, tenant.organizationId, ['approve:mcp_install_requests'], tenant.sandboxId);
    });

    it('lets a viewer request but not install or approve; an approval installs it as the approver', async () => {
      const body = { entryId: everythingId, targetId: registered.gatewayId, variables: { baseUrl: everything.url } };
      const forbidden = await call('POST', `${env()}/installs`, body, requester.token);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('install:mcp_library') });

      const request = await file({ ...body, reason: 'for the demo', proxyUri: await listener('requested') });
      expect(request).toMatchObject({
        status: 'pending',
        entry: { id: everythingId, name: EVERYTHING },
        requestedByName: requester.username,
      });
      expect((await call('POST', `${requests()}/${request.id}/approve`, {}, requester.token)).status).toBe(403);

      const listed = created(await call('GET', `${requests()}?status=pending`, undefined, approver.token), 200);
      expect(listed.data.map((r: { id: string }) => r.id)).toContain(request.id);
      const approved = created(await call('POST', `${requests()}/${request.id}/approve`, { comment: 'go' }, approver.token), 200);
      expect(approved).toMatchObject({ status: 'approved', decidedByName: approver.username, apiId: approved.install.apiId });

      const seen = created(await call('GET', `${requests()}/${request.id}`, undefined, requester.token), 200);
      expect(seen).toMatchObject({
        status: 'approved',
        comment: 'go',
        decidedByName: approver.username,
        apiId: approved.install.apiId,
      });
      const audit = await testPrisma().auditRecord.findFirst({
        where: { resourceType: 'api-instance', resourceId: String(approved.install.apiId), action: 'create' },
      });
      expect(audit?.actorName).toBe(approver.username);
      expect(await echoThrough(await endpointOf(approved.install), 'approved')).toBe('Echo: approved');

      const again = await call('POST', `${requests()}/${request.id}/approve`, {}, approver.token);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'MCP_INSTALL_REQUEST_ALREADY_DECIDED' });
    });

    it('rejects with a comment the requester reads; others do not see the request', async () => {
      const request = await file({ entryId: everythingId, variables: { baseUrl: everything.url }, reason: 'please' });
      const noComment = await call('POST', `${requests()}/${request.id}/reject`, {}, approver.token);
      expect(noComment.status).toBe(400);
      expect(noComment.body.message).toBe('body.comment: is required');
      created(
        await call('POST', `${requests()}/${request.id}/reject`, { comment: 'use the shared instance' }, approver.token),
        200,
      );

      const seen = created(await call('GET', `${requests()}/${request.id}`, undefined, requester.token), 200);
      expect(seen).toMatchObject({
        status: 'rejected',
        comment: 'use the shared instance',
        decidedByName: approver.username,
        apiId: null,
      });
      const other = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
      expect((await call('GET', `${requests()}/${request.id}`, undefined, other.token)).status).toBe(404);
      expect(created(await call('GET', requests(), undefined, other.token), 200)).toEqual({ total: 0, data: [] });
      expect((await call('POST', `${requests()}/${request.id}/approve`, {}, approver.token)).status).toBe(409);
    });

    it('seals secret inputs, lets the approver add a missing one, and keeps a request pending while its install fails', async () => {
      const entry = await importEntry(recorderEntry());
      const filed = await file({
        entryId: entry.id,
        headers: { 'X-Team': 'data' },
        reason: 'needs a token',
        proxyUri: await listener('sealed'),
      });
      expect(filed).toMatchObject({
        inputs: { headers: { 'X-Team': 'data' } },
        secretInputs: [],
        missingSecrets: ['headers.Authorization'],
      });

      const failed = await call('POST', `${requests()}/${filed.id}/approve`, {}, approver.token);
      expect(failed.status).toBe(400);
      expect(failed.body.message).toBe(`headers.Authorization is required by ${entry.name}`);
      expect(created(await call('GET', `${requests()}/${filed.id}`, undefined, approver.token), 200).status).toBe('pending');

      const token = `Bearer ${uniqueName('approver-token')}`;
      const approved = created(
        await call('POST', `${requests()}/${filed.id}/approve`, { headers: { Authorization: token } }, approver.token),
        200,
      );
      const before = recorder.requests.length;
      expect(await echoThrough(await endpointOf(approved.install), 'sealed')).toBe('sealed');
      expect(
        recorder.requests.slice(before).every((r) => r.headers.authorization === token && r.headers['x-team'] === 'data'),
      ).toBe(true);

      const secret = `Bearer ${uniqueName('requester-token')}`;
      const sealed = await file({ entryId: entry.id, headers: { Authorization: secret }, reason: 'with my token' });
      expect(sealed).toMatchObject({ secretInputs: ['headers.Authorization'], missingSecrets: [], inputs: { headers: {} } });
      expect(JSON.stringify(sealed)).not.toContain(secret);
      const row = await testPrisma().mcpInstallRequest.findUniqueOrThrow({ where: { id: sealed.id } });
      expect(row.sealedSecrets).toMatch(/^enc:v1:/);
      expect(JSON.stringify(row)).not.toContain(secret.slice('Bearer '.length));
    });

    /**
     * Files a request of a fresh recorder entry and approves it while the test holds the request's
     * row: the approval installs, then waits to record its decision. Then `meanwhile` happens:
     * the request is rejected by someone else, or the approval's statement is cancelled (recording
     * the decision fails). Answers the approval and what is left of it.
     */
    const approveWhileHeld = async (meanwhile: 'rejected' | 'cancelled') => {
      const entry = await importEntry(recorderEntry());
      const assetId = entry.name.split('/')[1]!;
      const instanceLabel = uniqueName('held');
      const filed = await file({
        entryId: entry.id,
        headers: { Authorization: 'Bearer t' },
        reason: 'race',
        instanceLabel,
        proxyUri: await listener('held'),
      });
      const instances = () => testPrisma().apiInstance.count({ where: { organizationId: tenant.organizationId, instanceLabel } });
      let approving: Promise<ApiResponse> | undefined;
      await testPrisma().$transaction(
        async (tx) => {
          const { pid } = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
          await tx.$queryRaw`SELECT "id" FROM "McpInstallRequest" WHERE "id" = ${filed.id}::uuid FOR UPDATE`;
          approving = call('POST', `${requests()}/${filed.id}/approve`, { comment: 'late' }, approver.token);
          const waiting = await eventually(async () => {
            const [blocked] = await testPrisma().$queryRaw<{ pid: number }[]>`
              SELECT pid FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`;
            return blocked?.pid;
          }, 'the approval waiting for the request row');
          expect(await instances()).toBe(1);
          if (meanwhile === 'cancelled') {
            await testPrisma().$queryRaw`SELECT pg_cancel_backend(${waiting}::int)`;
            return;
          }
          await tx.mcpInstallRequest.update({
            where: { id: filed.id },
            data: {
              status: 'rejected',
              decidedBy: 'someone',
              decidedByName: 'someone else',
              decidedAt: new Date(),
              comment: 'no',
            },
          });
        },
        { timeout: 120_000 },
      );
      return {
        id: filed.id as string,
        answer: await approving!,
        instances: await instances(),
        assets: await testPrisma().exchangeAsset.count({
          where: { groupId: tenant.organizationId, assetId: { startsWith: assetId } },
        }),
        request: created(await call('GET', `${requests()}/${filed.id}`, undefined, approver.token), 200),
      };
    };

    it('removes the install of an approval whose request was decided meanwhile, and answers 409', async () => {
      const { id, answer, instances, assets, request } = await approveWhileHeld('rejected');
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({
        status: 409,
        name: 'ConflictError',
        code: 'MCP_INSTALL_REQUEST_ALREADY_DECIDED',
        message: `Install request ${id} is already rejected by someone else`,
      });
      expect({ instances, assets }).toEqual({ instances: 0, assets: 0 });
      expect(request).toMatchObject({ status: 'rejected', decidedByName: 'someone else', apiId: null });
    });

    it('removes the install of an approval whose decision cannot be recorded, and keeps the request pending', async () => {
      const { answer, instances, assets, request } = await approveWhileHeld('cancelled');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        status: 500,
        name: 'InternalServerError',
        code: 'INTERNAL',
        message: 'Internal server error',
      });
      expect({ instances, assets }).toEqual({ instances: 0, assets: 0 });
      expect(request).toMatchObject({ status: 'pending', decidedByName: null, apiId: null });
    });
  });
});
