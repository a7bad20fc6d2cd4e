/**
 * The access log of one data plane: names the events of finished exchanges (access-record.ts
 * builds them) and hands them to the sink. Event ids are this process's random prefix and a
 * sequence, unique enough for the control plane to store a republished batch once.
 */
import { randomBytes } from 'node:crypto';
import type { AccessEvent } from '#portico/proto-ts';
import type { AccessEventSink } from './access-record.js';

export class AccessLog {
  private readonly prefix = `${randomBytes(8).toString('hex')}-`;
  private sequence = 0;
  /** The id of the next event. */
  readonly next = (): string => this.prefix + (++this.sequence).toString(36);

  constructor(private readonly sink: AccessEventSink) {}

  write(events: readonly AccessEvent[]): void {
    for (const event of events) this.sink(event);
  }
}
