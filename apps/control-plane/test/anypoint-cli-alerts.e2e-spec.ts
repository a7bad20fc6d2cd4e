/**
 * anypoint-cli-v4 1.6.12's `api-mgr alert add | list` (Anypoint Monitoring's basic alerts) and
 * `api-mgr alert add-legacy | list-legacy` (API Manager's alerts of an instance) against Portico,
 * with every effect read back over REST. Recipients given with `--recipient <username>` go
 * through `GET /accounts/api/organizations/{orgId}/members`, as the CLI resolves them itself.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { type AnypointCli, startCliControlPlane } from './support/anypoint-cli.js';
import type { TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newApiInstance, newTenant, newUser, testPrisma, type TestTenant } from './support/factories.js';

describe('anypoint-cli-v4 api-mgr alert', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let cli: AnypointCli;
  let member: { id: string; username: string };

  beforeAll(async () => {
    ({ cp, tenant, cli } = await startCliControlPlane());
    member = await newUser(cp, tenant.organizationId, ['read:organization']);
    await testPrisma().user.update({
      where: { id: member.id },
      data: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    });
  }, 300_000);
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  const env = () => `organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
  const monitoring = () => `/monitoring/api/alerts/api/v2/${env()}/alerts`;
  const legacy = (api: number) => `/apimanager/api/v1/${env()}/apis/${api}/alerts`;
  const get = async (path: string) => {
    const res = await cp.request('GET', path, { token: tenant.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const newApi = async () => (await newApiInstance(tenant)).id;
  /** A rate-limiting policy applied to `api`; its id. */
  const newPolicy = async (api: number): Promise<number> => {
    const res = await cp.request('POST', `/apimanager/api/v1/${env()}/apis/${api}/policies`, {
      token: tenant.token,
      json: {
        groupId: POLICY_GROUP_ID,
        assetId: 'rate-limiting',
        assetVersion: '1.4.1',
        configurationData: { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  /** The flags each command gets unless a test gives others: a request count above 1 in one minute, e-mailed. */
  const DEFAULT_FLAGS = {
    add: { severity: 'info', type: 'request-count', operator: 'ab', threshold: '1', periods: '1', email: 'ops@example.com' },
    'add-legacy': {
      severity: 'Info',
      type: 'request-count',
      operator: 'gt',
      threshold: '1',
      periods: '1',
      duration: '1',
      durationUnit: 'minutes',
      email: 'ops@example.com',
    },
  };
  /** `api-mgr alert <command> <api> <name>` with DEFAULT_FLAGS and `flags`: a list repeats its flag, `true` is a bare flag. */
  const alertArgs = (
    command: keyof typeof DEFAULT_FLAGS,
    api: number,
    name: string,
    flags: Record<string, string | true | string[]>,
  ) => [
    'api-mgr',
    'alert',
    command,
    String(api),
    name,
    ...Object.entries<string | true | string[]>({ ...DEFAULT_FLAGS[command], ...flags }).flatMap(([flag, value]) =>
      value === true ? [`--${flag}`] : [value].flat().flatMap((v) => [`--${flag}`, v]),
    ),
  ];
  /** `alert add` / `add-legacy` printed `Created new alert with ID "<id>" in API ID "<api>"`: the id. */
  const createdId = (stdout: string, api: number): string => {
    const match = /Created new alert with ID "([0-9a-f-]{36})" in API ID "(\d+)"/.exec(stdout);
    expect(match?.[2]).toBe(String(api));
    return match![1]!;
  };

  describe('add and list (monitoring)', () => {
    it('adds a request-count alert with e-mail and member recipients and custom templates, and lists it', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add', api, 'too-many-requests', {
          severity: 'critical',
          operator: 'abeq',
          threshold: '100',
          periods: '5',
          recipient: member.username,
          subject: '${severity}: ${api} is busy',
          message: '${api} served ${value} requests',
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      const id = createdId(added.stdout, api);

      const alert = await get(`${monitoring()}/${id}`);
      expect(alert).toMatchObject({
        alertId: id,
        name: 'too-many-requests',
        severity: 'critical',
        masterOrganizationId: tenant.organizationId,
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        deploymentType: 'CLOUDHUB',
        metricType: 'api_request_count',
        resources: [{ apiId: api, apiVersionId: api, type: 'api', deploymentType: 'CLOUDHUB' }],
        condition: { operator: 'aboveOrEquals', threshold: 100, interval: 5 },
        wildcardAlert: false,
        // the CLI sends members as the e-mail addresses it read from the members list
        notifications: [
          {
            type: 'email',
            recipients: ['ops@example.com', 'ada@example.com'],
            subject: '${severity}: ${api} is busy',
            message: '${api} served ${value} requests',
          },
        ],
        state: 'pending',
      });

      const listed = await cli.json(['api-mgr', 'alert', 'list', String(api)]);
      expect(listed).toEqual([alert]);
      const table = await cli.run(['api-mgr', 'alert', 'list', String(api)]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`${id}.*too-many-requests.*api_request_count.*Yes.*critical.*2`));
    });

    it('adds a response-code alert with the default templates', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add', api, 'server-errors', {
          severity: 'warning',
          type: 'response-code',
          responseCode: ['500', '503'],
          threshold: '3',
          email: 'oncall@example.com',
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      const alert = await get(`${monitoring()}/${createdId(added.stdout, api)}`);
      expect(alert).toMatchObject({
        metricType: 'api_response_code_count',
        resources: [{ apiId: api, subFilters: [{ name: 'response_code', values: ['500', '503'] }] }],
        condition: { operator: 'above', threshold: 3, interval: 1 },
        notifications: [{ type: 'email', recipients: ['oncall@example.com'], subject: '${severity}: ${api} ${condition}' }],
      });
    });

    it('adds a policy-violation alert on a policy of the instance (the CLI checks it through the Graph API)', async () => {
      const api = await newApi();
      const policy = await newPolicy(api);
      const added = await cli.run(
        alertArgs('add', api, 'rejections', {
          type: 'policy-violation',
          policyId: String(policy),
          threshold: '10',
          periods: '2',
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      expect(await get(`${monitoring()}/${createdId(added.stdout, api)}`)).toMatchObject({
        metricType: 'api_policy_violation_count',
        resources: [{ apiId: api, subFilters: [{ name: 'policy_id', values: [String(policy)] }] }],
      });
    });

    it("refuses another organization's instance with the control plane's 404 message, creating nothing", async () => {
      const other = await newTenant(cp);
      const theirs = (await newApiInstance(other)).id;
      const added = await cli.run(alertArgs('add', theirs, 'intruder', {}));
      expect(added.code).not.toBe(0);
      expect(added.stderr).toContain(`API instance ${theirs} not found`);
      expect(await testPrisma().alert.count({ where: { apiId: theirs } })).toBe(0);
      const listed = await cli.run(['api-mgr', 'alert', 'list', String(theirs)]);
      expect(listed.code).not.toBe(0);
      expect(listed.stderr).toContain(`API instance ${theirs} not found`);
    });

    it('refuses a threshold that is not a number with a 400 naming the field', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add', api, 'bad-threshold', {
          threshold: 'many',
        }),
      );
      expect(added.code).not.toBe(0);
      expect(added.stderr).toContain('body.condition.threshold: must be a number from 0 to 1000000000000');
      expect(await get(`${monitoring()}?apiId=${api}`)).toEqual([]);
    });
  });

  describe('add-legacy and list-legacy', () => {
    it('adds a response-code alert with user and e-mail recipients, and lists it', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add-legacy', api, 'legacy-errors', {
          enabled: true,
          severity: 'Critical',
          type: 'response-code',
          responseCode: '500',
          threshold: '10',
          periods: '3',
          duration: '5',
          recipient: member.username,
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      const id = createdId(added.stdout, api);

      const alert = await get(`${legacy(api)}/${id}`);
      expect(alert).toMatchObject({
        apiAlertsVersion: '1.0.0',
        api: { id: api },
        id,
        name: 'legacy-errors',
        type: 'api-response-code',
        enabled: true,
        severity: 'CRITICAL',
        condition: {
          resourceType: 'api-version',
          aggregate: 'COUNT',
          operator: 'GREATER_THAN',
          value: 10,
          filter: [{ property: 'responseCode', operator: 'IN', values: ['500'] }],
        },
        period: { duration: { count: 5, weight: 'MINUTES' }, repeat: 3 },
        recipients: [
          { type: 'email', value: 'ops@example.com' },
          { type: 'user', value: member.id, firstName: 'Ada', lastName: 'Lovelace' },
        ],
        state: 'pending',
      });

      const listed = await cli.json(['api-mgr', 'alert', 'list-legacy', String(api)]);
      expect(listed).toEqual([alert]);
      const table = await cli.run(['api-mgr', 'alert', 'list-legacy', String(api)]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`${id}.*legacy-errors.*api-response-code.*Yes.*CRITICAL.*2`));
    });

    it('adds a disabled response-time alert (no --enabled) counting requests slower than --responseTime', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add-legacy', api, 'slow', {
          type: 'response-time',
          responseTime: '750',
          threshold: '5',
          durationUnit: 'hours',
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      const alert = await get(`${legacy(api)}/${createdId(added.stdout, api)}`);
      expect(alert).toMatchObject({
        type: 'api-response-time',
        enabled: false,
        severity: 'INFO',
        condition: {
          operator: 'GREATER_THAN',
          value: 5,
          filter: [{ property: 'responseTime', operator: 'GREATER_THAN', values: '750' }],
        },
        period: { duration: { count: 1, weight: 'HOURS' }, repeat: 1 },
      });
      const stored = await testPrisma().alert.findUniqueOrThrow({ where: { id: alert.id } });
      expect(stored).toMatchObject({ metric: 'response-time', slowerThanMs: 750, enabled: false });
    });

    it('adds a policy-violation alert with the policy and its template', async () => {
      const api = await newApi();
      const policy = await newPolicy(api);
      const added = await cli.run(
        alertArgs('add-legacy', api, 'legacy-rejections', {
          enabled: true,
          severity: 'Warning',
          type: 'policy-violation',
          policyId: String(policy),
          operator: 'eq',
          threshold: '0',
          duration: '10',
        }),
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      expect(await get(`${legacy(api)}/${createdId(added.stdout, api)}`)).toMatchObject({
        type: 'api-policy-violation',
        condition: { operator: 'EQUAL', value: 0 },
        policyId: policy,
        policyTemplate: { id: 'rate-limiting', name: 'Rate Limiting' },
      });
    });

    it('refuses a period longer than 31 days with a 400 naming the field, creating nothing', async () => {
      const api = await newApi();
      const added = await cli.run(
        alertArgs('add-legacy', api, 'too-long', {
          severity: 'Warning',
          operator: 'lt',
          periods: '40',
          durationUnit: 'days',
        }),
      );
      expect(added.code).not.toBe(0);
      expect(added.stderr).toContain('body.period: the periods (40 × 1 days) must span at most 31 days');
      expect(await get(legacy(api))).toEqual([]);
    });
  });
});
