/**
 * Wakes the sync service when a target's configuration revision moves.
 *
 * The database triggers send `NOTIFY portico_config '<targetId>'` in the writing transaction, so
 * every control-plane replica LISTENing hears about a commit within milliseconds. Notifications
 * are lost while the listening connection is down, so NOTIFY is only a hint: a poll every
 * PORTICO_SYNC_POLL_SECONDS re-reads the revisions of the targets this replica streams to, and
 * the listener reconnects, then polls once for what it missed. Sessions compare revisions
 * themselves, so a spurious or repeated wake-up costs one snapshot read at most.
 *
 * The reconnect backoff stops at RETRY_MAX_MS so that, once the database is back, changes are
 * heard within a second again (an attempt against a database that is down costs one refused
 * connection). A lost connection is logged once, and again when LISTEN is back — not per attempt.
 */
import { Logger } from '@nestjs/common';
import pg from 'pg';

export const CONFIG_CHANNEL = 'portico_config';

const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 500;
/** A database that accepts the connection but never answers must not stall the listener for good. */
const CONNECT_TIMEOUT_MS = 5_000;

export interface RevisionWatcherOptions {
  databaseUrl: string;
  pollIntervalMs: number;
  /** Called with a target id that may have a new revision. */
  onChange(targetId: string): void;
  /** Called on every poll tick; the sync service re-checks its targets. */
  onPoll(): void;
}

export class RevisionWatcher {
  private readonly logger = new Logger('RevisionWatcher');
  private client?: pg.Client;
  private poll?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private retryDelayMs = RETRY_INITIAL_MS;
  /** When the LISTEN connection was lost (and logged), until it is back. */
  private lostAt?: number;
  private stopped = false;

  constructor(private readonly options: RevisionWatcherOptions) {}

  /** Resolves once the first LISTEN is in place (or failed and a retry is scheduled). */
  async start(): Promise<void> {
    this.poll = setInterval(() => this.options.onPoll(), this.options.pollIntervalMs);
    this.poll.unref();
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    this.client = client;
    client.on('notification', (msg) => {
      if (msg.channel === CONFIG_CHANNEL && msg.payload) this.options.onChange(msg.payload);
    });
    client.on('error', (err) => this.reconnect(client, err));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CONFIG_CHANNEL}`);
      this.retryDelayMs = RETRY_INITIAL_MS;
      if (this.lostAt !== undefined) {
        this.logger.log(`LISTEN ${CONFIG_CHANNEL} is back after ${((Date.now() - this.lostAt) / 1000).toFixed(1)} s`);
        this.lostAt = undefined;
      }
      // Changes committed while we were not listening: let the sessions re-read.
      this.options.onPoll();
    } catch (err) {
      this.reconnect(client, err as Error);
    }
  }

  private reconnect(client: pg.Client, err?: Error): void {
    if (this.stopped || client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.lostAt === undefined) {
      this.lostAt = Date.now();
      this.logger.warn(
        `LISTEN ${CONFIG_CHANNEL} connection lost${err ? `: ${err.message}` : ''}; retrying every ${RETRY_MAX_MS} ms, polling meanwhile`,
      );
    }
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
    this.retry = setTimeout(() => void this.listen(), delay);
    this.retry.unref();
  }
}
