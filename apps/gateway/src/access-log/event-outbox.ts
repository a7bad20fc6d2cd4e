/**
 * Encoded access events (event-batcher.ts) waiting for the control plane, in the primary process.
 *
 * - Memory first, up to `memoryLimitBytes`. When that is full, everything in memory moves to the
 *   spill file (when there is one and it has room: `spillLimitBytes`), else it is dropped and
 *   counted; so is a batch the control plane refuses as malformed (retrying cannot help). Nothing
 *   is dropped silently: `dropped` goes to /metrics, /status and every Publish.
 * - The publisher takes the oldest events first (the spill file's, then memory's), commits what
 *   the control plane stored and gives back what it did not. The file is truncated once read to
 *   its end; a file left by an earlier run is read first, so events outlive a restart.
 * - File access is synchronous: it happens only while the control plane is away (spilling) or
 *   just back (draining), a few MiB at a time, and it keeps the order of records trivially right.
 *
 * Spill file records: count (uint32 LE), length (uint32 LE), the batch's bytes.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EventBatch } from './event-batcher.js';

const HEADER = 8;

export interface EventOutboxOptions {
  readonly memoryLimitBytes: number;
  /** undefined: no spill file (events past the memory limit are dropped). */
  readonly spillPath: string | undefined;
  readonly spillLimitBytes: number;
  readonly logger: Logger;
}

/** Events taken for one Publish: commit once stored, give back otherwise. */
export interface TakenEvents {
  readonly batches: readonly Uint8Array[];
  readonly count: number;
  commit(): void;
  giveBack(): void;
}

export class EventOutbox {
  private memory: EventBatch[] = [];
  private memoryBytes = 0;
  private memoryEvents = 0;
  private fd: number | undefined;
  /** Bytes in the file, where reading resumes, and the events not read yet. */
  private fileSize = 0;
  private readOffset = 0;
  private fileEvents = 0;
  private droppedEvents = 0;
  private listener: (() => void) | undefined;

  constructor(private readonly options: EventOutboxOptions) {
    if (options.spillPath !== undefined && existsSync(options.spillPath)) this.openLeftOver(options.spillPath);
  }

  /** Events dropped since start. */
  get dropped(): number {
    return this.droppedEvents;
  }

  /** Events waiting, and the bytes they take in memory and in the file. */
  get queued(): { events: number; memoryBytes: number; spilledBytes: number } {
    return {
      events: this.memoryEvents + this.fileEvents,
      memoryBytes: this.memoryBytes,
      spilledBytes: this.fileSize - this.readOffset,
    };
  }

  /** Bytes waiting in memory (the publisher publishes early once a batch's worth waits). */
  get memoryQueuedBytes(): number {
    return this.memoryBytes;
  }

  /** `listener` runs after each add. */
  onAdd(listener: () => void): void {
    this.listener = listener;
  }

  readonly add = (batch: EventBatch): void => {
    if (this.memoryBytes + batch.bytes.length > this.options.memoryLimitBytes) this.spill();
    this.memory.push(batch);
    this.memoryBytes += batch.bytes.length;
    this.memoryEvents += batch.count;
    this.listener?.();
  };

  /** The oldest waiting events, about `maxBytes` of them (at least one batch); undefined when none wait. */
  take(maxBytes: number): TakenEvents | undefined {
    if (this.fileEvents > 0) return this.takeFromFile(maxBytes);
    if (this.memory.length === 0) return undefined;
    let bytes = 0;
    let end = 0;
    while (end < this.memory.length && (end === 0 || bytes + this.memory[end]!.bytes.length <= maxBytes)) {
      bytes += this.memory[end]!.bytes.length;
      end++;
    }
    const taken = this.memory.splice(0, end);
    const count = taken.reduce((sum, batch) => sum + batch.count, 0);
    this.memoryBytes -= bytes;
    this.memoryEvents -= count;
    return {
      batches: taken.map((batch) => batch.bytes),
      count,
      commit: () => undefined,
      giveBack: () => {
        this.memory.unshift(...taken);
        this.memoryBytes += bytes;
        this.memoryEvents += count;
      },
    };
  }

  /** Moves what memory holds to the spill file (shutdown, or memory full); drops it when it cannot. */
  spill(): void {
    if (this.memory.length === 0) return;
    const batches = this.memory;
    const bytes = this.memoryBytes;
    const events = this.memoryEvents;
    this.memory = [];
    this.memoryBytes = 0;
    this.memoryEvents = 0;
    const room = this.options.spillLimitBytes - (this.fileSize - this.readOffset);
    if (this.options.spillPath === undefined || bytes + HEADER * batches.length > room) {
      this.drop(events, this.options.spillPath === undefined ? 'memory full' : 'memory and spill file full');
      return;
    }
    try {
      this.fd ??= openSync(this.options.spillPath, 'a+');
      for (const batch of batches) {
        const header = Buffer.alloc(HEADER);
        header.writeUInt32LE(batch.count, 0);
        header.writeUInt32LE(batch.bytes.length, 4);
        writeSync(this.fd, header, 0, HEADER, this.fileSize);
        writeSync(this.fd, batch.bytes, 0, batch.bytes.length, this.fileSize + HEADER);
        this.fileSize += HEADER + batch.bytes.length;
        this.fileEvents += batch.count;
      }
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message, file: this.options.spillPath }, 'access events cannot be spilled');
      this.drop(events, 'spill file not writable');
    }
  }

  /** Takes `taken` off the outbox as dropped: the control plane refused it for good (a malformed batch). */
  refused(taken: TakenEvents, reason: string): void {
    taken.commit();
    this.drop(taken.count, reason);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private drop(events: number, reason: string): void {
    if (this.droppedEvents === 0) this.options.logger.warn({ reason }, 'access events dropped');
    this.droppedEvents += events;
  }

  private takeFromFile(maxBytes: number): TakenEvents {
    const fd = this.fd!;
    const batches: Uint8Array[] = [];
    let offset = this.readOffset;
    let count = 0;
    let bytes = 0;
    const header = Buffer.alloc(HEADER);
    while (offset < this.fileSize && (batches.length === 0 || bytes < maxBytes)) {
      readSync(fd, header, 0, HEADER, offset);
      const length = header.readUInt32LE(4);
      const batch = Buffer.alloc(length);
      readSync(fd, batch, 0, length, offset + HEADER);
      batches.push(batch);
      count += header.readUInt32LE(0);
      bytes += length;
      offset += HEADER + length;
    }
    return {
      batches,
      count,
      commit: () => {
        this.readOffset = offset;
        this.fileEvents -= count;
        if (this.readOffset === this.fileSize) {
          ftruncateSync(fd, 0);
          this.fileSize = 0;
          this.readOffset = 0;
        }
      },
      giveBack: () => undefined,
    };
  }

  /** Reads the records of a file an earlier run left (a torn last record is cut off). */
  private openLeftOver(path: string): void {
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(HEADER);
    let offset = 0;
    while (offset + HEADER <= size) {
      readSync(fd, header, 0, HEADER, offset);
      const next = offset + HEADER + header.readUInt32LE(4);
      if (next > size) break;
      this.fileEvents += header.readUInt32LE(0);
      offset = next;
    }
    if (offset < size) ftruncateSync(fd, offset);
    this.fd = fd;
    this.fileSize = offset;
    if (this.fileEvents > 0)
      this.options.logger.info({ events: this.fileEvents, file: path }, 'access events left by an earlier run will be published');
  }
}
