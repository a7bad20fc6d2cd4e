/**
 * What Prisma 7 (pg driver adapter) and pg really throw when the database goes away, and that
 * isDatabaseUnavailable tells those apart from errors the database answered. The connection is
 * broken for real: a TCP proxy in front of the test database is taken down (refused, dropped),
 * stalled (accepts, never answers), or the server ends the session (pg_terminate_backend).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { startTcpProxy, type TcpProxy } from '#portico/testing';
import { testDatabaseUrl } from '../../test/support/control-plane.js';
import { closeTestPrisma, testPrisma, uniqueName } from '../../test/support/factories.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { DomainError } from './domain-error.js';

/** Each client's connections carry its own application_name, so a test finds (and ends) exactly its own query. */
const APPLICATION_NAME = 'database-unavailable-spec';

describe('isDatabaseUnavailable', () => {
  let proxy: TcpProxy;
  let viaProxy: URL;
  const clients: PrismaClient[] = [];

  /** A Prisma client with a fresh pool through the proxy (no connection left from another test), named `name`. */
  function prisma(pool: { max?: number; connectionTimeoutMillis?: number } = {}, name = APPLICATION_NAME): PrismaClient {
    const url = new URL(viaProxy);
    url.searchParams.set('application_name', name);
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString(), max: 2, ...pool }) });
    clients.push(client);
    return client;
  }

  /** Sessions of the client named `name` in the database; with `query`, only those running a query like it. */
  async function sessions(name: string, query = '%'): Promise<number> {
    const [row] = await testPrisma().$queryRaw<{ count: bigint }[]>`
      SELECT count(*) FROM pg_stat_activity WHERE application_name = ${name} AND query LIKE ${query}`;
    return Number(row!.count);
  }

  /** Waits until a `pg_sleep` of the client named `name` runs (so breaking the connection breaks a query). */
  const sleeping = (name: string) => until(async () => (await sessions(name, '%pg_sleep%')) > 0, `a query of ${name}`);

  /** Waits until the database has no session left of the client named `name`. */
  const backendsGone = (name: string) => until(async () => (await sessions(name)) === 0, `the end of ${name}'s sessions`);

  beforeAll(async () => {
    const database = new URL(testDatabaseUrl());
    proxy = await startTcpProxy(Number(database.port), database.hostname);
    database.hostname = '127.0.0.1';
    database.port = String(proxy.port);
    viaProxy = database;
  });
  afterEach(() => proxy.up());
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.$disconnect().catch(() => undefined)));
    await proxy?.close();
    await closeTestPrisma();
  });

  it('recognises a refused connection in model and raw queries and both kinds of transaction (P1001, P2010)', async () => {
    const db = prisma();
    await proxy.down();
    const errors = [
      await failure(db.organization.findMany({ take: 1 })),
      await failure(db.$queryRaw`SELECT 1`),
      await failure(db.$transaction(async (tx) => tx.organization.findMany({ take: 1 }))),
      await failure(db.$transaction([db.organization.findMany({ take: 1 })])),
      await failure(db.organization.create({ data: { name: uniqueName('org'), clientId: uniqueName('cid') } })),
    ];
    expect(errors.map((e) => [e.code, isDatabaseUnavailable(e)])).toEqual([
      ['P1001', true],
      ['P2010', true], // "Raw query failed", the adapter's DatabaseNotReachable in meta
      ['P1001', true],
      ['P1001', true],
      ['P1001', true],
    ]);
    expect(errors[0]!.message).toMatch(/Can't reach database server at 127\.0\.0\.1:\d+/);
  });

  it('recognises a connection dropped under a running query ("Connection terminated unexpectedly")', async () => {
    const name = uniqueName(APPLICATION_NAME);
    const query = failure(prisma({}, name).$queryRaw`SELECT pg_sleep(5)::text`);
    await sleeping(name);
    await proxy.down();
    const err = await query;
    expect([err.message, isDatabaseUnavailable(err)]).toEqual(['Connection terminated unexpectedly', true]);
  });

  it('leaves nothing of a transaction whose connection dropped before it committed', async () => {
    const name = uniqueName(APPLICATION_NAME);
    const write = failure(
      prisma({}, name).$transaction(async (tx) => {
        await tx.organization.create({ data: { name, clientId: uniqueName('cid') } });
        await tx.$queryRaw`SELECT pg_sleep(2)::text`;
      }),
    );
    await sleeping(name);
    await proxy.down();
    expect(isDatabaseUnavailable(await write)).toBe(true);
    // The server notices the lost client when the sleep ends, and rolls the transaction back.
    await backendsGone(name);
    expect(await testPrisma().organization.count({ where: { name } })).toBe(0);
  });

  it('recognises the server ending the session (57P01, as at a shutdown)', async () => {
    const name = uniqueName(APPLICATION_NAME);
    const query = failure(prisma({}, name).$queryRaw`SELECT pg_sleep(5)::text`);
    await sleeping(name);
    await testPrisma().$queryRaw`SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE application_name = ${name}`;
    const err = await query;
    expect([err.code, err.meta?.driverAdapterError?.cause?.code, isDatabaseUnavailable(err)]).toEqual(['P2010', '57P01', true]);
  });

  it('recognises timeouts acquiring a connection: connect, pool slot and transaction start (P2028)', async () => {
    await proxy.stall();
    const db = prisma({ max: 1, connectionTimeoutMillis: 500 });
    const [connecting, waitingForSlot] = await Promise.all([
      failure(db.organization.findMany({ take: 1 })),
      failure(db.organization.findMany({ take: 1 })),
    ]);
    const starting = await failure(prisma().$transaction(async (tx) => tx.organization.count(), { maxWait: 200 }));
    expect([connecting, waitingForSlot, starting].map((e) => [e.code ?? e.message, isDatabaseUnavailable(e)]).sort()).toEqual([
      ['Connection terminated due to connection timeout', true],
      ['P2028', true], // "Unable to start a transaction in the given time"
      ['timeout exceeded when trying to connect', true],
    ]);
  });

  it("recognises pg's own errors when pg is used directly (the revision watcher's LISTEN connection)", async () => {
    const connect = async () => {
      const client = new pg.Client({ connectionString: viaProxy.toString(), connectionTimeoutMillis: 500 });
      try {
        await client.connect();
        throw new Error('connected');
      } catch (err) {
        return err as Error & { code?: string };
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    await proxy.down();
    const refused = await connect();
    await proxy.stall();
    const stalled = await connect();
    expect([refused.code, isDatabaseUnavailable(refused)]).toEqual(['ECONNREFUSED', true]);
    expect([stalled.message, isDatabaseUnavailable(stalled)]).toEqual(['timeout expired', true]);
  });

  it('leaves errors the database answered as they are: constraints, a missing row, bad SQL, and our own errors', async () => {
    const db = prisma();
    const org = await db.organization.create({ data: { name: uniqueName('org'), clientId: uniqueName('cid') } });
    const answered = [
      await failure(db.organization.create({ data: { name: uniqueName('org'), clientId: org.clientId } })),
      await failure(db.organization.update({ where: { id: '00000000-0000-0000-0000-000000000000' }, data: { name: 'x' } })),
      await failure(
        db.environment.create({
          data: {
            organizationId: '00000000-0000-0000-0000-000000000000',
            name: 'x',
            type: 'sandbox',
            isProduction: false,
            clientId: uniqueName('cid'),
          },
        }),
      ),
      await failure(db.$queryRawUnsafe('SELEC 1')),
    ];
    expect(answered.map((e) => [e.code, isDatabaseUnavailable(e)])).toEqual([
      ['P2002', false],
      ['P2025', false],
      ['P2003', false],
      ['P2010', false],
    ]);
    await db.organization.delete({ where: { id: org.id } });
    for (const err of [new Error('boom'), new DomainError('TARGET_NOT_FOUND', 'Gateway x not found'), undefined, 'text']) {
      expect(isDatabaseUnavailable(err)).toBe(false);
    }
  });
});

/** Polls `probe` every 25 ms until it holds (10 s at most). */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

type CaughtError = Error & { code?: string; meta?: { driverAdapterError?: { cause?: { code?: string } } } };

/** The error `promise` rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (err) {
    return err as CaughtError;
  }
  throw new Error('expected a failure');
}
