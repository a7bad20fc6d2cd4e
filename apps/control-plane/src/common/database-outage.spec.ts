import { DatabaseOutage } from './database-outage.js';

/** What Node's net module throws for a refused connection (as pg passes it on). */
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
  syscall: 'connect',
  errno: -111,
});
/** What Prisma throws for a unique constraint: the database answered. */
const uniqueViolation = Object.assign(new Error('Unique constraint failed on the fields: (`clientId`)'), { code: 'P2002' });

describe('DatabaseOutage', () => {
  let now: number;
  let lines: string[];
  let outage: DatabaseOutage;
  beforeEach(() => {
    now = 1_000_000;
    lines = [];
    const logger = { warn: (line: string) => lines.push(`warn ${line}`), log: (line: string) => lines.push(`log ${line}`) };
    outage = new DatabaseOutage(logger, 'streams stay open', () => now);
  });

  it('logs the start of an outage once, however many calls fail, and its end once', () => {
    for (let i = 0; i < 20; i++) {
      expect(outage.failed(refused)).toBe(true);
      now += 1_000;
    }
    expect(outage.active).toBe(true);
    outage.succeeded();
    outage.succeeded();
    expect(outage.active).toBe(false);
    expect(lines).toEqual([
      'warn the database is unavailable (connect ECONNREFUSED 127.0.0.1:5432); streams stay open',
      'log the database is available again after 20.0 s',
    ]);
  });

  it('says nothing of errors the database answered, and does not count them as an outage', () => {
    expect(outage.failed(uniqueViolation)).toBe(false);
    expect(outage.failed(new Error('boom'))).toBe(false);
    outage.succeeded();
    expect([outage.active, lines]).toEqual([false, []]);
  });

  it('reminds of a long outage once a minute, with the failed calls', () => {
    for (let i = 0; i <= 13; i++) {
      outage.failed(refused);
      now += 10_000;
    }
    expect(lines).toEqual([
      'warn the database is unavailable (connect ECONNREFUSED 127.0.0.1:5432); streams stay open',
      'warn the database is still unavailable after 60.0 s (7 failed calls; last: connect ECONNREFUSED 127.0.0.1:5432)',
      'warn the database is still unavailable after 120.0 s (13 failed calls; last: connect ECONNREFUSED 127.0.0.1:5432)',
    ]);
  });

  it('takes a failure after a quiet minute for a new outage (callers that never see a success)', () => {
    outage.failed(refused);
    now += 61_000;
    outage.failed(refused);
    expect(lines).toEqual([
      'warn the database is unavailable (connect ECONNREFUSED 127.0.0.1:5432); streams stay open',
      'warn the database is unavailable (connect ECONNREFUSED 127.0.0.1:5432); streams stay open',
    ]);
  });
});
