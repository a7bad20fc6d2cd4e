/**
 * The access log of one data plane: names the events of finished exchanges and hands them to the
 * sink (access-record.ts builds them). Event ids are this process's random prefix and a
 * sequence, unique enough for the control plane to store a republished batch once.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessEventSink, AccessRecord } from './access-record.js';

export class AccessLog {
  private readonly prefix = `${randomBytes(8).toString('hex')}-`;
  private sequence = 0;
  private readonly next = (): string => this.prefix + (++this.sequence).toString(36);

  constructor(private readonly sink: AccessEventSink) {}

  /** Logs the exchange `record` describes, once its answer ended; a request no API took is not logged. */
  write(record: AccessRecord, req: IncomingMessage, res: ServerResponse, exchange: Parameters<AccessRecord['events']>[3]): void {
    if (record.apiId === '') return;
    for (const event of record.events(this.next, req, res, exchange)) this.sink(event);
  }
}
