/** The access events' outbox on a real file system: memory, then the spill file, then counted drops; oldest first. */
import { mkdtemp, rm, stat, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { PublishRequest, type AccessEvent } from '#portico/proto-ts';
import { EventBatcher, type EventBatch } from './event-batcher.js';
import { EventOutbox, type EventOutboxOptions } from './event-outbox.js';

const logger = pino({ level: 'silent' });

/** A batch of `count` events named `<name>-<i>`. */
function batch(name: string, count: number): EventBatch {
  const batches: EventBatch[] = [];
  const batcher = new EventBatcher((b) => batches.push(b), count);
  for (let i = 0; i < count; i++) batcher.add({ ...PublishRequest.fromPartial({ events: [{}] }).events[0]!, id: `${name}-${i}` });
  return batches[0]!;
}

/** The ids of the events taken, as the control plane decodes the concatenated request. */
const ids = (batches: readonly Uint8Array[]): string[] =>
  PublishRequest.decode(Buffer.concat(batches)).events.map((event: AccessEvent) => event.id);

describe('EventOutbox', () => {
  let dir: string;
  let spillPath: string;
  const outboxes: EventOutbox[] = [];
  const open = (options: Partial<EventOutboxOptions>) => {
    const outbox = new EventOutbox({
      memoryLimitBytes: 1024 * 1024,
      spillPath,
      spillLimitBytes: 1024 * 1024,
      logger,
      ...options,
    });
    outboxes.push(outbox);
    return outbox;
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portico-outbox-'));
    spillPath = path.join(dir, 'access-events.spill');
  });
  afterEach(async () => {
    outboxes.splice(0).forEach((outbox) => outbox.close());
    await rm(dir, { recursive: true, force: true });
  });

  it('batches events into one PublishRequest when concatenated, and gives back what was not stored', () => {
    const outbox = open({});
    outbox.add(batch('a', 3));
    outbox.add(batch('b', 2));
    const taken = outbox.take(1024 * 1024)!;
    expect(taken.count).toBe(5);
    expect(ids(taken.batches)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
    expect(outbox.queued.events).toBe(0);
    taken.giveBack();
    expect(outbox.queued.events).toBe(5);
    outbox.take(1024 * 1024)!.commit();
    expect(outbox.take(1024 * 1024)).toBeUndefined();
  });

  it('spills to the file when memory is full, publishes the file first, and truncates it once read', async () => {
    const size = batch('x', 50).bytes.length;
    const outbox = open({ memoryLimitBytes: size * 2 + 1 });
    for (const name of ['a', 'b', 'c', 'd']) outbox.add(batch(name, 50));
    // a and b went to the file when c did not fit; c and d are in memory.
    expect(outbox.queued).toMatchObject({ events: 200, memoryBytes: size * 2 });
    expect((await stat(spillPath)).size).toBe(2 * (size + 8));
    const first = outbox.take(size)!;
    expect(ids(first.batches).slice(0, 1)).toEqual(['a-0']);
    first.giveBack();
    const again = outbox.take(10 * size)!;
    expect(ids(again.batches).map((id) => id[0])).toEqual([...'a'.repeat(50), ...'b'.repeat(50)]);
    again.commit();
    expect((await stat(spillPath)).size).toBe(0);
    expect(ids(outbox.take(10 * size)!.batches)[0]).toBe('c-0');
    expect(outbox.dropped).toBe(0);
  });

  it('drops and counts what neither memory nor the file can hold, and what the control plane refuses', () => {
    const size = batch('x', 10).bytes.length;
    const outbox = open({ memoryLimitBytes: size + 1, spillLimitBytes: size + 8 });
    outbox.add(batch('a', 10));
    outbox.add(batch('b', 10)); // a spilled
    outbox.add(batch('c', 10)); // b does not fit in the file: dropped
    expect(outbox.dropped).toBe(10);
    expect(outbox.queued.events).toBe(20);
    // A batch the control plane refuses for good is dropped and counted too.
    outbox.refused(outbox.take(1024 * 1024)!, 'malformed');
    expect(outbox.dropped).toBe(20);
    expect(outbox.queued.events).toBe(10);
    const noFile = open({ memoryLimitBytes: size + 1, spillPath: undefined });
    noFile.add(batch('a', 10));
    noFile.add(batch('b', 10));
    expect(noFile.dropped).toBe(10);
  });

  it('publishes what an earlier run left in the file, without its torn last record', async () => {
    const first = open({});
    first.add(batch('old', 4));
    first.spill();
    first.close();
    await appendFile(spillPath, Buffer.from([9, 0, 0, 0, 200, 0, 0, 0, 1, 2]));
    const next = open({});
    expect(next.queued.events).toBe(4);
    next.add(batch('new', 1));
    const taken = next.take(1024)!;
    expect(ids(taken.batches)).toEqual(['old-0', 'old-1', 'old-2', 'old-3']);
    taken.commit();
    expect(ids(next.take(1024)!.batches)).toEqual(['new-0']);
  });
});
