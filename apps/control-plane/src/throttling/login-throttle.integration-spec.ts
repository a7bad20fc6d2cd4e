/**
 * Login and the token endpoint under the throttle, over real HTTP on the real database. The
 * control plane believes X-Forwarded-For from 127.0.0.1 (PORTICO_TRUSTED_PROXIES), so each test
 * speaks from addresses of its own and no test's failures count against another's. Lockouts last
 * ten minutes, far longer than any test, so nothing here depends on timing.
 */
import { queryAudit } from '../../test/support/audit.js';
import {
  type ControlPlaneProcess,
  startControlPlane,
  startControlPlaneProcess,
  type TestControlPlane,
} from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { logRecords } from '../../test/support/log-records.js';

const LOCKOUT_SECONDS = 600;
let nextAddress = 0;
/** An address no other test uses. */
const freshAddress = () => `198.51.${Math.floor(++nextAddress / 250)}.${(nextAddress % 250) + 1}`;

describe('login throttle', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;

  beforeAll(async () => {
    cp = await startControlPlane({
      PORTICO_TRUSTED_PROXIES: '127.0.0.1',
      PORTICO_LOGIN_MAX_FAILURES: '3',
      PORTICO_LOGIN_ACCOUNT_MAX_FAILURES: '6',
      PORTICO_LOGIN_ADDRESS_MAX_FAILURES: '8',
      PORTICO_LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
    });
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const login = (username: string, password: string, address: string) =>
    cp.request('POST', '/accounts/login', { json: { username, password }, headers: { 'x-forwarded-for': address } });
  const token = (form: Record<string, string>, address: string) =>
    cp.request('POST', '/accounts/api/v2/oauth2/token', { form, headers: { 'x-forwarded-for': address } });
  const newAccount = async () => {
    const user = await newUser(cp, tenant.organizationId, []);
    return { ...user, password: 'user-password-1' };
  };

  /** A 429 LOGIN_THROTTLED with `message` and a Retry-After of at most the lockout. */
  const expectThrottled = (res: Awaited<ReturnType<typeof login>>, message: string) => {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 429,
      body: {
        status: 429,
        name: 'TooManyRequestsError',
        code: 'LOGIN_THROTTLED',
        message: expect.stringMatching(new RegExp(`^${message}; retry in \\d+ s$`)),
      },
    });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(LOCKOUT_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    expect(res.body.message).toBe(`${message}; retry in ${retryAfter} s`);
  };

  it('refuses an account from an address after 3 failures, even with the right password; other addresses log in', async () => {
    const user = await newAccount();
    const attacker = freshAddress();
    for (let i = 0; i < 3; i++) expect((await login(user.username, 'wrong-password', attacker)).status).toBe(401);
    expectThrottled(
      await login(user.username, user.password, attacker),
      'Too many failed attempts for this account from this address',
    );
    expect((await login(user.username, user.password, freshAddress())).status).toBe(200);
    // still refused: the success elsewhere does not lift it
    expectThrottled(
      await login(user.username, user.password, attacker),
      'Too many failed attempts for this account from this address',
    );
  });

  it('holds back addresses new to an account after 6 failures from anywhere, but not one it logged in from', async () => {
    const user = await newAccount();
    const home = freshAddress();
    expect((await login(user.username, user.password, home)).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await login(user.username, 'wrong-password', freshAddress())).status).toBe(401);
    expectThrottled(await login(user.username, user.password, freshAddress()), 'Too many failed attempts for this account');
    expect((await login(user.username, user.password, home)).status).toBe(200);
  });

  it('refuses an address after 8 failures on any accounts, unknown ones included', async () => {
    const user = await newAccount();
    const stuffer = freshAddress();
    for (let i = 0; i < 8; i++) expect((await login(uniqueName('nobody'), 'wrong-password', stuffer)).status).toBe(401);
    expectThrottled(await login(user.username, user.password, stuffer), 'Too many failed attempts from this address');
    expect((await login(user.username, user.password, freshAddress())).status).toBe(200);
  });

  it('checks a burst of parallel wrong passwords no more times than the limit', async () => {
    const user = await newAccount();
    const attacker = freshAddress();
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(user.username, 'wrong-password', attacker)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429))
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('throttles the token endpoint per client id, and password grants per user together with login', async () => {
    const app = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: tenant.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials', 'password'] },
    });
    expect(app.status).toBe(201);
    const { client_id, client_secret } = app.body;
    const attacker = freshAddress();
    for (let i = 0; i < 3; i++) {
      const res = await token({ grant_type: 'client_credentials', client_id, client_secret: 'wrong-secret' }, attacker);
      expect(res.body.code).toBe('INVALID_CLIENT');
    }
    expectThrottled(
      await token({ grant_type: 'client_credentials', client_id, client_secret }, attacker),
      'Too many failed attempts for this account from this address',
    );
    expect((await token({ grant_type: 'client_credentials', client_id, client_secret }, freshAddress())).status).toBe(200);

    const user = await newAccount();
    const guesser = freshAddress();
    expect((await login(user.username, 'wrong-password', guesser)).status).toBe(401);
    expect((await login(user.username, 'wrong-password', guesser)).status).toBe(401);
    const grant = { grant_type: 'password', client_id, client_secret, username: user.username };
    expect((await token({ ...grant, password: 'wrong-password' }, guesser)).body.code).toBe('INVALID_CREDENTIALS');
    expectThrottled(
      await login(user.username, user.password, guesser),
      'Too many failed attempts for this account from this address',
    );
    expectThrottled(
      await token({ ...grant, password: user.password }, guesser),
      'Too many failed attempts for this account from this address',
    );
    expect((await token({ ...grant, password: user.password }, freshAddress())).status).toBe(200);
  });

  it("audits a lockout of an existing account in its organization, with the sender's address", async () => {
    const user = await newAccount();
    const attacker = freshAddress();
    for (let i = 0; i < 3; i++) await login(user.username, 'wrong-password', attacker);
    const { data } = await queryAudit(cp, tenant.token, tenant.organizationId, { actions: ['lock'], objectIds: [user.id] });
    expect(data).toEqual([
      expect.objectContaining({
        organizationId: tenant.organizationId,
        platform: 'Access Management',
        objectType: 'user',
        objectId: user.id,
        objectName: user.username,
        action: 'lock',
        userName: 'unknown',
        clientIp: attacker,
        payload: {
          before: null,
          after: {
            scope: 'account-address',
            address: attacker,
            failedAttempts: 3,
            lockedForSeconds: LOCKOUT_SECONDS,
            lockedUntil: expect.any(String),
          },
        },
      }),
    ]);
    const lockedUntil = Date.parse(data[0]!.payload.after.lockedUntil);
    expect(lockedUntil - Date.parse(data[0]!.timestamp)).toBeGreaterThan((LOCKOUT_SECONDS - 60) * 1000);
  });

  it('leaves no audit record for attempts on an account that does not exist', async () => {
    const attacker = freshAddress();
    const nobody = uniqueName('nobody');
    for (let i = 0; i < 3; i++) await login(nobody, 'wrong-password', attacker);
    expectThrottled(
      await login(nobody, 'wrong-password', attacker),
      'Too many failed attempts for this account from this address',
    );
    expect(await testPrisma().auditRecord.count({ where: { clientIp: attacker } })).toBe(0);
  });
});

describe('login throttle without trusted proxies', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_LOGIN_MAX_FAILURES: '2' });
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('counts the TCP peer, whatever X-Forwarded-For says', async () => {
    const tenant = await newTenant(cp);
    const login = (password: string, forwardedFor: string) =>
      cp.request('POST', '/accounts/login', {
        json: { username: tenant.username, password },
        headers: { 'x-forwarded-for': forwardedFor },
      });
    expect((await login('wrong-password', '203.0.113.1')).status).toBe(401);
    expect((await login('wrong-password', '203.0.113.2')).status).toBe(401);
    const res = await login(tenant.password, '203.0.113.3');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('LOGIN_THROTTLED');
  });
});

describe('login hashing bound', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({
      PORTICO_TRUSTED_PROXIES: '127.0.0.1',
      PORTICO_LOGIN_HASH_CONCURRENCY: '1',
      PORTICO_LOGIN_HASH_QUEUE: '0',
    });
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('answers logins beyond the hashing slots with 503 LOGIN_BUSY and Retry-After, never a 500', async () => {
    // 30 senders at once, each on an account and from an address of its own: only the bound refuses.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        cp.request('POST', '/accounts/login', {
          json: { username: uniqueName('nobody'), password: 'wrong-password' },
          headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
        }),
      ),
    );
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([401, 503]);
    for (const busy of answers.filter((a) => a.status === 503)) {
      expect(busy.body).toEqual({
        status: 503,
        name: 'ServiceUnavailableError',
        code: 'LOGIN_BUSY',
        message: 'Too many logins are being checked at once; retry shortly',
      });
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // a refused check counts for nothing: each account can still log in at once
    const tenant = await newTenant(cp);
    expect(
      (await cp.request('POST', '/accounts/login', { json: { username: tenant.username, password: tenant.password } })).status,
    ).toBe(200);
  });
});

describe('login lockout log', () => {
  let cp: ControlPlaneProcess;
  beforeAll(async () => {
    cp = await startControlPlaneProcess({ PORTICO_LOG_LEVEL: 'warn', PORTICO_LOGIN_MAX_FAILURES: '2' });
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('names the account and the address of a lockout, never a password, nor an account name that names nobody', async () => {
    const tenant = await newTenant(cp);
    const password = `typed-wrong-${uniqueName('pw')}`;
    const passwordAsUsername = `typed-in-username-${uniqueName('pw')}`;
    for (const username of [tenant.username, passwordAsUsername]) {
      for (let i = 0; i < 2; i++)
        expect((await cp.request('POST', '/accounts/login', { json: { username, password } })).status).toBe(401);
      expect((await cp.request('POST', '/accounts/login', { json: { username, password } })).status).toBe(429);
    }
    const lines = [
      `login lockout: user "${tenant.username}" locked for 60 s from 127.0.0.1 after 2 failed attempts from there`,
      'login lockout: an unknown user locked for 60 s from 127.0.0.1 after 2 failed attempts from there',
    ];
    const messages = () => logRecords(cp.output()).map((record) => record.msg);
    // The child's output reaches this process on its own schedule: wait for it, 10 s at most.
    for (let waited = 0; waited < 10_000 && !lines.every((line) => messages().includes(line)); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const line of lines) expect(messages()).toContain(line);
    expect(cp.output()).not.toContain(password);
    expect(cp.output()).not.toContain(passwordAsUsername);
  });
});
