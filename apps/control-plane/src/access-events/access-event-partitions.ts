/**
 * The daily partitions of the access events table, and retention.
 *
 * Contract: before a batch is inserted, each of its days inside the window [retention cutoff,
 * today + ON_DEMAND_DAYS] (UTC) has a partition; each is created once and remembered by this
 * process. An event outside the window (a gateway clock far off) goes to the DEFAULT partition,
 * so an insert never waits on or fails for a partition. Every RETENTION_INTERVAL_MS each control
 * plane creates the partitions of today and the next AHEAD_DAYS days, drops the partitions whose
 * whole day is older than PORTICO_ACCESS_LOG_RETENTION_DAYS and deletes such rows of the DEFAULT
 * partition: events are kept at least that many days and at most one day more. Replicas doing so
 * at once take turns (an advisory lock in the migration's functions).
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ENV, type Env } from '../config/env.js';
import { AccessEventsRepository } from './access-events.repository.js';

const DAY_MS = 86_400_000;
/** Partitions created ahead by the retention job. */
const AHEAD_DAYS = 2;
/** How far ahead a batch's days get a partition of their own. */
const ON_DEMAND_DAYS = 7;
const RETENTION_INTERVAL_MS = 3_600_000;

/** The UTC date of `time`, `YYYY-MM-DD`. */
function utcDay(time: Date | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Every day from `first` to `last` (`YYYY-MM-DD`), both included. */
function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(first); t <= Date.parse(last); t += DAY_MS) days.push(utcDay(t));
  return days;
}

/** The partitions and retention of this process (see the module comment). */
@Injectable()
export class AccessEventPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AccessEvents');
  /** Days whose partition is known to exist. */
  private readonly known = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: AccessEventsRepository,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runRetention().catch((err: Error) => this.logger.warn(`access event retention failed: ${err.message}`));
    this.timer = setInterval(
      () => void this.runRetention().catch((err: Error) => this.logger.warn(`access event retention failed: ${err.message}`)),
      RETENTION_INTERVAL_MS,
    ).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The oldest instant retention keeps at `now`. */
  cutoff(now: Date): Date {
    return new Date(now.getTime() - this.env.PORTICO_ACCESS_LOG_RETENTION_DAYS * DAY_MS);
  }

  /** Makes sure the days of `times` inside the window have their partitions. */
  async ensureFor(times: readonly Date[], now = new Date()): Promise<void> {
    const first = utcDay(this.cutoff(now));
    const last = utcDay(now.getTime() + ON_DEMAND_DAYS * DAY_MS);
    const missing = [...new Set(times.map(utcDay))].filter((d) => d >= first && d <= last && !this.known.has(d)).sort();
    if (missing.length) await this.create(missing[0]!, missing.at(-1)!);
  }

  /**
   * One retention pass as of `now`: creates today's partition and the next days', drops the
   * expired ones. Returns the names of the partitions it dropped.
   */
  async runRetention(now = new Date()): Promise<string[]> {
    await this.create(utcDay(now), utcDay(now.getTime() + AHEAD_DAYS * DAY_MS));
    const cutoff = this.cutoff(now);
    const dropped = await this.repo.dropPartitionsBefore(cutoff);
    for (const day of this.known) if (day < utcDay(cutoff)) this.known.delete(day);
    if (dropped.length)
      this.logger.log(`dropped access event partitions older than ${cutoff.toISOString()}: ${dropped.join(', ')}`);
    return dropped;
  }

  private async create(first: string, last: string): Promise<void> {
    await this.repo.createPartitions(first, last);
    for (const day of daysBetween(first, last)) this.known.add(day);
  }
}
