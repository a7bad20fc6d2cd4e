/**
 * The REST reads of access events over events published through the real gRPC server: the log
 * search and each of its filters, cursor pagination, the MCP analytics, the workflow graph and
 * Anypoint's Analytics Event API, their 400s and tenant isolation.
 */
import type { AccessEvent } from '#portico/proto-ts';
import { accessEvent, type AccessEventPublisher, accessEventPublisher, deployedApi } from '../../test/support/access-events.js';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { registerGateway } from '../../test/support/gateways.js';

const MINUTE_MS = 60_000;

/** A latency (ms) within 2% of `ms`: percentiles come from a histogram (event-groups.ts). */
function about(ms: number) {
  return {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (actual: number) => Math.abs(actual - ms) <= ms * 0.02,
    toAsymmetricMatcher: () => `about ${ms}`,
  };
}

/** Nearest-rank p50, p90 and p99, each within 2%. */
const latency = (p50: number, p90: number, p99: number) => ({ p50: about(p50), p90: about(p90), p99: about(p99) });

describe('analytics REST API', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let publisher: AccessEventPublisher;
  let apiA: number;
  let apiB: number;
  let base: string;
  /** The dataset's start (a whole minute); event `at` is at t0 + at × 10 s. */
  let t0: number;
  let range: string;
  let E: Record<string, AccessEvent>;

  const get = (path: string, token = tenant.token) => cp.request('GET', `${base}${path}`, { token });

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    base = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const gateway = await registerGateway(cp, tenant, uniqueName('analytics'));
    apiA = await deployedApi(cp, tenant, gateway.gatewayId);
    apiB = await deployedApi(cp, tenant, gateway.gatewayId);
    publisher = await accessEventPublisher(gateway.dir);
    t0 = Math.floor((Date.now() - 60 * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
    range = `from=${new Date(t0).toISOString()}&to=${new Date(t0 + 10 * MINUTE_MS).toISOString()}`;
    const event = (at: number, api: number, fields: Partial<AccessEvent>) =>
      accessEvent({ apiId: String(api), timeUnixMs: t0 + at * 10_000, sessionId: '', targetName: '', userAgent: '', ...fields });
    E = {
      echoOk: event(0, apiA, {
        targetName: 'echo',
        clientId: 'c1',
        clientName: 'Claude',
        durationUs: 1000,
        sessionId: 's1',
        userDomain: 'example.com',
        principal: 'alice@example.com',
      }),
      echoDenied: event(1, apiA, {
        targetName: 'echo',
        clientId: 'c1',
        clientName: 'Claude',
        durationUs: 2000,
        sessionId: 's1',
        userDomain: 'example.com',
        principal: 'alice@example.com',
        jsonrpcErrorCode: -32602,
        verdicts: [
          { policyType: 'mcp-tool-access', policyId: '12', verdict: 'reject', mode: 'enforce', errorKind: 'policy-denied' },
        ],
      }),
      failTool: event(2, apiA, { targetName: 'fail', clientId: 'c2', clientName: 'Cursor', toolError: true, durationUs: 5000 }),
      list: event(3, apiA, { mcpMethod: 'tools/list', userAgent: 'python-httpx/0.27', durationUs: 3000 }),
      readFile: event(4, apiB, {
        mcpMethod: 'resources/read',
        targetName: 'file:///a.txt',
        clientId: 'c1',
        clientName: 'Claude',
        userDomain: 'example.com',
        durationUs: 4000,
        dlp: [{ policyId: '13', direction: 'response', categories: ['email'], action: 'redacted' }],
      }),
      prompt429: event(5, apiB, {
        mcpMethod: 'prompts/get',
        targetName: 'greet',
        clientId: 'c2',
        clientName: 'Cursor',
        httpStatus: 429,
        durationUs: 500,
        verdicts: [
          { policyType: 'rate-limiting', policyId: '14', verdict: 'reject', mode: 'enforce', errorKind: 'rate-limited' },
        ],
      }),
      shadow: event(6, apiB, {
        targetName: 'search',
        clientId: 'c2',
        clientName: 'Cursor',
        sessionId: 's2',
        userDomain: 'other.org',
        durationUs: 6000,
        verdicts: [
          { policyType: 'mcp-tool-access', policyId: '15', verdict: 'reject', mode: 'shadow', errorKind: 'policy-denied' },
        ],
        dlp: [
          { policyId: '16', direction: 'request', categories: ['credit-card'], action: 'blocked' },
          { policyId: '16', direction: 'response', categories: ['email'], action: 'detected' },
        ],
      }),
      stream502: event(7, apiA, {
        httpMethod: 'GET',
        mcpMethod: '',
        jsonrpcId: '',
        httpStatus: 502,
        userAgent: 'python-httpx/0.27',
        gatewayError: 'upstream-unavailable',
        durationUs: 7000,
      }),
    };
    expect(await publisher.publish({ events: Object.values(E) })).toEqual({ accepted: 8, refused: 0 });
  });
  afterAll(async () => {
    publisher?.close();
    await cp.close();
    await closeTestPrisma();
  });

  /** The dataset's names of the events a search answers, in its order. */
  const names = (data: { id: string }[]) => data.map((d) => Object.keys(E).find((k) => E[k]!.id === d.id) ?? d.id);

  describe('GET …/access-logs', () => {
    it('answers the events of the range newest first, every field shown', async () => {
      const res = await get(`/access-logs?${range}`);
      expect(res.status).toBe(200);
      expect(names(res.body.data)).toEqual([
        'stream502',
        'shadow',
        'prompt429',
        'readFile',
        'list',
        'failTool',
        'echoDenied',
        'echoOk',
      ]);
      expect(res.body).toMatchObject({
        from: new Date(t0).toISOString(),
        to: new Date(t0 + 10 * MINUTE_MS).toISOString(),
        nextCursor: null,
      });
      const e = E.echoDenied!;
      expect(res.body.data[6]).toEqual({
        id: e.id,
        time: new Date(e.timeUnixMs).toISOString(),
        apiId: apiA,
        gatewayId: expect.any(String),
        replicaId: 'replica-1',
        requestId: e.requestId,
        sessionId: 's1',
        httpMethod: 'POST',
        path: '/mcp',
        httpStatus: 200,
        mcpMethod: 'tools/call',
        jsonRpcId: '1',
        mcpName: 'echo',
        jsonRpcErrorCode: -32602,
        toolError: false,
        durationUs: 2000,
        upstreamLatencyUs: 1000,
        bytesIn: 120,
        bytesOut: 340,
        clientId: 'c1',
        clientName: 'Claude',
        principal: 'alice@example.com',
        userDomain: 'example.com',
        clientAddress: '127.0.0.1',
        userAgent: null,
        verdicts: [
          { policyType: 'mcp-tool-access', policyId: '12', verdict: 'reject', mode: 'enforce', errorKind: 'policy-denied' },
        ],
        dlp: [],
        gatewayError: null,
        upstreamName: null,
        agent: null,
      });
    });

    it.each([
      ['apiId=A', ['stream502', 'list', 'failTool', 'echoDenied', 'echoOk']],
      ['apiId=B', ['shadow', 'prompt429', 'readFile']],
      ['apiId=A,B&method=tools/call', ['shadow', 'failTool', 'echoDenied', 'echoOk']],
      ['method=tools/list,prompts/get', ['prompt429', 'list']],
      ['tool=echo', ['echoDenied', 'echoOk']],
      ['tool=greet', []],
      ['resource=file:///a.txt', ['readFile']],
      ['prompt=greet', ['prompt429']],
      ['clientId=c2', ['shadow', 'prompt429', 'failTool']],
      ['userAgent=HTTPX', ['stream502', 'list']],
      ['userAgent=%25', []],
      ['userDomain=EXAMPLE.com', ['readFile', 'echoDenied', 'echoOk']],
      ['principal=alice@example.com', ['echoDenied', 'echoOk']],
      ['status=4xx', ['prompt429']],
      ['status=502', ['stream502']],
      ['status=4xx,5xx', ['stream502', 'prompt429']],
      ['status=2xx&apiId=B&clientId=c2', ['shadow']],
      ['jsonRpcError=any', ['echoDenied']],
      ['jsonRpcError=-32602', ['echoDenied']],
      ['jsonRpcError=-32601', []],
      ['jsonRpcError=none&apiId=A', ['stream502', 'list', 'failTool', 'echoOk']],
      ['dlp=any', ['shadow', 'readFile']],
      ['dlp=blocked', ['shadow']],
      ['dlp=redacted', ['readFile']],
      ['dlp=none&apiId=B', ['prompt429']],
      ['dlp=detected', ['shadow']],
      ['dlp=logged', ['shadow']],
      ['dlpCategory=email', ['shadow', 'readFile']],
      ['dlpCategory=credit-card', ['shadow']],
      ['deniedBy=any', ['prompt429', 'echoDenied']],
      ['deniedBy=12', ['echoDenied']],
      ['deniedBy=rate-limiting', ['prompt429']],
      ['deniedBy=15', []],
      ['shadowDeniedBy=any', ['shadow']],
      ['shadowDeniedBy=mcp-tool-access', ['shadow']],
      ['shadowDeniedBy=12', []],
      ['sessionId=s1', ['echoDenied', 'echoOk']],
    ])('narrows to the matching events with %s', async (filter, expected) => {
      const query = filter.replace(/\bA\b/, String(apiA)).replace(/\bB\b/, String(apiB));
      const res = await get(`/access-logs?${range}&${query}`);
      expect(res.status).toBe(200);
      expect(names(res.body.data)).toEqual(expected);
    });

    it('finds an event by its request id, and its payloads only when asked for', async () => {
      const res = await get(`/access-logs?${range}&requestId=${E.echoOk!.requestId}`);
      expect(names(res.body.data)).toEqual(['echoOk']);
      expect(res.body.data[0]).not.toHaveProperty('requestPayload');
      const withPayloads = await get(`/access-logs?${range}&requestId=${E.echoOk!.requestId}&includePayloads=true`);
      expect(withPayloads.body.data[0]).toMatchObject({ requestPayload: null, responsePayload: null });
    });

    it('narrows by time range', async () => {
      const from = new Date(t0 + 30_000).toISOString();
      const to = new Date(t0 + 60_000).toISOString();
      const res = await get(`/access-logs?from=${from}&to=${to}`);
      expect(names(res.body.data)).toEqual(['prompt429', 'readFile', 'list']);
    });

    it('pages with the cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await get(
          `/access-logs?${range}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...names(res.body.data));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['stream502', 'shadow', 'prompt429', 'readFile', 'list', 'failTool', 'echoDenied', 'echoOk']);
    });
  });

  describe('GET …/mcp-analytics', () => {
    const counts = (requests: number, errors: number, denials = 0, shadowDenials = 0) => ({
      requests,
      errors,
      errorRate: requests ? errors / requests : 0,
      denials,
      shadowDenials,
    });

    it('answers totals, timeline, methods, top names, errors, policies and clients equal to what was published', async () => {
      const res = await get(`/mcp-analytics?${range}`);
      expect(res.status).toBe(200);
      const body = res.body;
      expect(body.interval).toBe('1m');
      // durations 500, 1000, 2000, 3000, 4000, 5000, 6000, 7000 µs (a single one is exact: it is its group's min and max)
      expect(body.totals).toEqual({ ...counts(8, 4, 2, 1), latencyMs: latency(3, 7, 7), dlpFindings: 2 });
      expect(body.timeline).toHaveLength(10);
      expect(body.timeline.map((b: { requests: number }) => b.requests)).toEqual([6, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(body.timeline[1]).toEqual({
        start: new Date(t0 + MINUTE_MS).toISOString(),
        ...counts(2, 1, 0, 1),
        latencyMs: latency(6, 7, 7),
      });
      expect(body.timeline[2]).toEqual({ start: new Date(t0 + 2 * MINUTE_MS).toISOString(), ...counts(0, 0), latencyMs: null });
      expect(body.methods.map((m: { method: string | null; requests: number }) => [m.method, m.requests])).toEqual([
        ['tools/call', 4],
        ['prompts/get', 1],
        ['resources/read', 1],
        ['tools/list', 1],
        [null, 1],
      ]);
      expect(body.tools).toEqual([
        { name: 'echo', ...counts(2, 1, 1), latencyMs: latency(1, 2, 2) },
        { name: 'fail', ...counts(1, 1), latencyMs: { p50: 5, p90: 5, p99: 5 } },
        { name: 'search', ...counts(1, 0, 0, 1), latencyMs: { p50: 6, p90: 6, p99: 6 } },
      ]);
      expect(body.resources).toEqual([{ name: 'file:///a.txt', ...counts(1, 0), latencyMs: { p50: 4, p90: 4, p99: 4 } }]);
      expect(body.prompts).toEqual([{ name: 'greet', ...counts(1, 1, 1), latencyMs: { p50: 0.5, p90: 0.5, p99: 0.5 } }]);
      expect(body.errors).toEqual([
        { httpStatus: 200, jsonRpcErrorCode: -32602, count: 1 },
        { httpStatus: 200, jsonRpcErrorCode: null, count: 1 },
        { httpStatus: 429, jsonRpcErrorCode: null, count: 1 },
        { httpStatus: 502, jsonRpcErrorCode: null, count: 1 },
      ]);
      expect(body.policies).toEqual([
        { policyId: '12', policyType: 'mcp-tool-access', denials: 1, shadowDenials: 0, errors: 0, mutations: 0 },
        { policyId: '14', policyType: 'rate-limiting', denials: 1, shadowDenials: 0, errors: 0, mutations: 0 },
        { policyId: '15', policyType: 'mcp-tool-access', denials: 0, shadowDenials: 1, errors: 0, mutations: 0 },
      ]);
      expect(
        body.clientApplications.map(
          (c: { clientId: string | null; clientName: string | null; requests: number; errors: number }) => [
            c.clientId,
            c.clientName,
            c.requests,
            c.errors,
          ],
        ),
      ).toEqual([
        ['c1', 'Claude', 3, 1],
        ['c2', 'Cursor', 3, 2],
        [null, null, 2, 1],
      ]);
    });

    it('applies the filters and the bucket size and top given', async () => {
      const res = await get(`/mcp-analytics?${range}&apiId=${apiA}&interval=5m&top=1`);
      expect(res.body.interval).toBe('5m');
      expect(res.body.totals).toMatchObject(counts(5, 3, 1, 0));
      expect(res.body.timeline.map((b: { requests: number }) => b.requests)).toEqual([5, 0]);
      expect(res.body.tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
      expect(res.body.clientApplications).toHaveLength(1);
    });
  });

  describe('GET …/workflow-graph', () => {
    it('answers agent → instance → tool edges with their calls, errors and latency', async () => {
      const res = await get(`/workflow-graph?${range}`);
      expect(res.status).toBe(200);
      const edges = Object.fromEntries(
        res.body.edges.map((e: { source: string; target: string; requests: number; errors: number }) => [
          `${e.source} → ${e.target}`,
          [e.requests, e.errors],
        ]),
      );
      expect(edges).toEqual({
        [`client:c1 → api:${apiA}`]: [2, 1],
        [`client:c1 → api:${apiB}`]: [1, 0],
        [`client:c2 → api:${apiA}`]: [1, 1],
        [`client:c2 → api:${apiB}`]: [2, 1],
        [`agent:python-httpx/0.27 → api:${apiA}`]: [2, 1],
        [`api:${apiA} → tool:${apiA}:echo`]: [2, 1],
        [`api:${apiA} → tool:${apiA}:fail`]: [1, 1],
        [`api:${apiB} → tool:${apiB}:search`]: [1, 0],
      });
      const echo = res.body.edges.find((e: { target: string }) => e.target === `tool:${apiA}:echo`);
      expect(echo).toMatchObject({ errorRate: 0.5, denials: 1, latencyMs: latency(1, 2, 2) });
      const nodes = Object.fromEntries(
        res.body.nodes.map((n: { id: string; kind: string; label: string }) => [n.id, [n.kind, n.label]]),
      );
      const instance = await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: apiA } });
      expect(nodes).toMatchObject({
        'client:c1': ['agent', 'Claude'],
        'client:c2': ['agent', 'Cursor'],
        'agent:python-httpx/0.27': ['agent', 'python-httpx/0.27'],
        [`api:${apiA}`]: ['instance', instance.instanceLabel ?? `${instance.assetId} ${instance.productVersion}`],
        [`tool:${apiB}:search`]: ['tool', 'search'],
      });
      expect(res.body.nodes).toHaveLength(8);
    });
  });

  describe("GET …/events (Anypoint's Analytics Event API)", () => {
    let reportRange: string;
    beforeAll(() => {
      reportRange = `startDate=${new Date(t0).toISOString()}&endDate=${new Date(t0 + 10 * MINUTE_MS).toISOString()}`;
    });

    it('reports every field of every event, oldest first, as JSON records keyed by field name', async () => {
      const res = await get(`/events?${reportRange}`);
      expect(res.status).toBe(200);
      expect(res.body.map((r: { 'Message ID': string }) => r['Message ID'])).toEqual(Object.values(E).map((e) => e.id));
      const instance = await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: apiA } });
      const asset = await testPrisma().exchangeAsset.findFirstOrThrow({
        where: { groupId: instance.groupId, assetId: instance.assetId },
        orderBy: { id: 'asc' },
      });
      const e = E.echoDenied!;
      expect(res.body[1]).toEqual({
        'API ID': String(asset.id),
        'API Name': asset.name,
        'API Version ID': String(apiA),
        'API Version Name': instance.productVersion,
        Application: 'c1',
        'Application Name': 'Claude',
        Browser: '',
        City: '',
        'Client IP': '127.0.0.1',
        Continent: '',
        Country: '',
        'Hardware Platform': '',
        'Message ID': e.id,
        'OS Family': '',
        'OS Major Version': '',
        'OS Minor Version': '',
        'OS Version': '',
        'Postal Code': '',
        'Request Outcome': 'BLOCKED',
        'Request Size': 120,
        'Resource Path': '/mcp',
        'Response Size': 340,
        'Response Time': 2,
        'Status Code': 200,
        Timestamp: new Date(e.timeUnixMs).toISOString(),
        Timezone: '',
        'User Agent Name': '',
        'User Agent Version': '',
        Verb: 'POST',
        'Violated Policy Name': 'mcp-tool-access',
      });
      expect(res.body[3]).toMatchObject({
        'Request Outcome': 'PROCESSED',
        'User Agent Name': 'python-httpx',
        'User Agent Version': '0.27',
      });
    });

    it('answers CSV of the fields asked for, in their order', async () => {
      const res = await get(`/events?${reportRange}&format=csv&fields=Status%20Code.Verb.API%20Version%20ID&maxResults=3`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.text).toBe(`Status Code,Verb,API Version ID\r\n200,POST,${apiA}\r\n200,POST,${apiA}\r\n200,POST,${apiA}\r\n`);
    });

    it('filters by API (apiIds) and by instance (apiVersionIds)', async () => {
      const instance = await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: apiB } });
      const asset = await testPrisma().exchangeAsset.findFirstOrThrow({
        where: { groupId: instance.groupId, assetId: instance.assetId },
      });
      const byApi = await get(`/events?${reportRange}&apiIds=${asset.id}&fields=Message%20ID`);
      expect(byApi.body).toEqual([E.readFile, E.prompt429, E.shadow].map((e) => ({ 'Message ID': e!.id })));
      const byVersion = await get(`/events?${reportRange}&apiVersionIds=${apiA}&fields=Message%20ID&maxResults=2`);
      expect(byVersion.body).toEqual([E.echoOk, E.echoDenied].map((e) => ({ 'Message ID': e!.id })));
      const both = await get(`/events?${reportRange}&apiIds=${asset.id}&apiVersionIds=${apiA}`);
      expect(both.body).toEqual([]);
    });
  });

  it('documents the four routes and their parameters in the OpenAPI document', async () => {
    const doc = (await cp.request('GET', '/openapi.json')).body;
    const params = (path: string) =>
      (doc.paths[`/analytics/1.0/{orgId}/environments/{envId}/${path}`].get.parameters as { name: string }[]).map((p) => p.name);
    expect(params('events')).toEqual(
      expect.arrayContaining(['format', 'startDate', 'endDate', 'maxResults', 'fields', 'apiIds', 'apiVersionIds']),
    );
    expect(params('access-logs')).toEqual(
      expect.arrayContaining(['from', 'to', 'apiId', 'method', 'tool', 'deniedBy', 'shadowDeniedBy', 'dlp', 'cursor', 'limit']),
    );
    expect(params('mcp-analytics')).toEqual(expect.arrayContaining(['interval', 'top', 'status']));
    expect(params('workflow-graph')).toEqual(expect.arrayContaining(['from', 'to', 'clientId']));
  });

  describe('bad input and access', () => {
    it.each([
      [
        '/access-logs?from=2026-12-05T10:00:00Z&to=2026-12-05T09:00:00Z',
        'query.from: must be before to (2026-12-05T09:00:00.000Z)',
      ],
      ['/access-logs?from=yesterday', 'query.from: must be an ISO 8601 date (2026-12-05) or date-time (2026-12-05T10:00:00Z)'],
      ['/access-logs?limit=501', 'query.limit: Too big: expected number to be <=500'],
      ['/access-logs?status=600', 'query.status.0: must be HTTP statuses (200) or classes (4xx) separated by commas'],
      ['/access-logs?apiId=x', 'query.apiId.0: must be integer ids separated by commas'],
      ['/access-logs?dlp=maybe', 'query.dlp: must be any, none, redacted, blocked or detected (logged)'],
      ['/access-logs?jsonRpcError=some', 'query.jsonRpcError: must be any, none or a JSON-RPC error code'],
      ['/access-logs?cursor=bm9wZQ', 'query.cursor: must be the nextCursor of a previous page'],
      ['/access-logs?tenant=x', 'query.tenant: is not a query parameter of this route'],
      [
        '/mcp-analytics?interval=1m&from=2026-01-01&to=2026-02-01',
        'query.interval: must make at most 1000 buckets of the time range (44640 with 1m)',
      ],
      ['/mcp-analytics?interval=5x', 'query.interval: must be a number of minutes, hours or days: 5m, 1h, 1d'],
      ['/events?fields=API%20ID.Nope', 'query.fields.1: must be fields separated by periods, among: API ID,'],
      ['/events?format=xml', 'query.format: must be json or csv'],
      ['/events?maxResults=20001', 'query.maxResults: Too big: expected number to be <=20000'],
      ['/events?startDate=2026-12-05&endDate=2026-12-04', 'query.startDate: must be before endDate (2026-12-04T00:00:00.000Z)'],
      ['/events?duration=1d', 'query.duration: is not a query parameter of this route'],
    ])('answers 400 naming the parameter for GET …%s', async (path, message) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(message);
    });

    it("answers 404 for another organization's or environment's ids, and 403 without View Analytics", async () => {
      const stranger = await newTenant(cp);
      for (const path of ['/access-logs', '/mcp-analytics', '/workflow-graph', '/events']) {
        const foreignOrg = await cp.request('GET', `${base}${path}`, { token: stranger.token });
        expect([path, foreignOrg.status, foreignOrg.body.code]).toEqual([path, 404, 'ORGANIZATION_NOT_FOUND']);
        const foreignEnv = await cp.request(
          'GET',
          `/analytics/1.0/${tenant.organizationId}/environments/${stranger.sandboxId}${path}`,
          { token: tenant.token },
        );
        expect([path, foreignEnv.status, foreignEnv.body.code]).toEqual([path, 404, 'ENVIRONMENT_NOT_FOUND']);
      }
      const policiesOnly = await newUser(cp, tenant.organizationId, ['read:api_policies']);
      const denied = await get(`/access-logs?${range}`, policiesOnly.token);
      expect(denied.status).toBe(403);
      expect(denied.body.message).toBe(
        `You need the View Analytics permission (read:analytics) in environment ${tenant.sandboxId}`,
      );
      for (const scope of ['read:analytics', 'read:api_configuration'] as const) {
        const reader = await newUser(cp, tenant.organizationId, [scope], tenant.sandboxId);
        const res = await get(`/access-logs?${range}`, reader.token);
        expect([scope, res.status, res.body.data?.length]).toEqual([scope, 200, 8]);
      }
    });

    it("never shows another environment's events, even of the same gateway's instance ids", async () => {
      const res = await cp.request(
        'GET',
        `/analytics/1.0/${tenant.organizationId}/environments/${tenant.productionId}/access-logs?${range}&apiId=${apiA}`,
        { token: tenant.token },
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    });
  });
});

describe('access log pagination', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let publisher: AccessEventPublisher;
  let apiId: number;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    const gateway = await registerGateway(cp, tenant, uniqueName('pages'));
    apiId = await deployedApi(cp, tenant, gateway.gatewayId);
    publisher = await accessEventPublisher(gateway.dir);
  });
  afterAll(async () => {
    publisher?.close();
    await cp.close();
    await closeTestPrisma();
  });

  it('walks every event once, newest first, while newer events keep arriving', async () => {
    const start = Date.now() - 30 * MINUTE_MS;
    // three events share each millisecond: the id breaks the tie
    const events = Array.from({ length: 600 }, (_, i) =>
      accessEvent({ apiId: String(apiId), timeUnixMs: start + Math.floor(i / 3) }),
    );
    expect(await publisher.publish({ events })).toEqual({ accepted: 600, refused: 0 });
    const expected = [...events]
      .sort((a, b) => b.timeUnixMs - a.timeUnixMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((e) => e.id);
    const path = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}/access-logs?from=${new Date(start).toISOString()}&limit=37`;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { data: { id: string }[]; nextCursor: string | null } } = await cp.request(
        'GET',
        `${path}${cursor ? `&cursor=${cursor}` : ''}`,
        { token: tenant.token },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((d) => d.id));
      cursor = res.body.nextCursor;
      pages++;
      // newer events arrive between pages: they sort before every cursor, so no page repeats or skips one
      await publisher.publish({ events: [accessEvent({ apiId: String(apiId), timeUnixMs: Date.now() - 10 })] });
    } while (cursor);
    expect(pages).toBe(Math.ceil(600 / 37));
    expect(seen).toEqual(expected);
  });
});
