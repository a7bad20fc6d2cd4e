/**
 * A database outage as one part of the control plane meets it, logged when it starts and when it
 * ends rather than once per failed call (every REST request, every gateway heartbeat, every poll).
 *
 * Callers report each database failure with `failed(err)` (which also tells them whether it was
 * an outage at all) and, when they learn of one, a success with `succeeded()`. A caller that never
 * sees successes (the HTTP error filter) learns of the end only by silence: a failure more than
 * QUIET_MS after the previous one counts as a new outage, and a long outage is logged again every
 * QUIET_MS with the number of failed calls.
 */
import type { Logger } from '@nestjs/common';
import { databaseFailureReason, isDatabaseUnavailable } from './database-unavailable.js';

const QUIET_MS = 60_000;

export class DatabaseOutage {
  private since?: number;
  private lastFailure = 0;
  private lastLogged = 0;
  private failures = 0;

  /** `consequence` completes the first line: what this part does while the database is away. */
  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly consequence: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the last thing heard of the database was a failure. */
  get active(): boolean {
    return this.since !== undefined;
  }

  /** Records `err` if it means the database is unavailable (isDatabaseUnavailable); false otherwise. */
  failed(err: unknown): boolean {
    if (!isDatabaseUnavailable(err)) return false;
    const now = this.now();
    if (this.since === undefined || now - this.lastFailure > QUIET_MS) {
      this.since = now;
      this.failures = 0;
      this.lastLogged = now;
      this.logger.warn(`the database is unavailable (${databaseFailureReason(err)}); ${this.consequence}`);
    }
    this.failures++;
    this.lastFailure = now;
    if (now - this.lastLogged >= QUIET_MS) {
      this.lastLogged = now;
      this.logger.warn(
        `the database is still unavailable after ${seconds(now - this.since)} (${this.failures} failed calls; last: ${databaseFailureReason(err)})`,
      );
    }
    return true;
  }

  /** A database call succeeded: ends the outage, if there was one. */
  succeeded(): void {
    if (this.since === undefined) return;
    this.logger.log(`the database is available again after ${seconds(this.now() - this.since)}`);
    this.since = undefined;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
