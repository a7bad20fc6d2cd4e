/**
 * Bounds the secret hashing that requests without credentials can cause. Checking a password or a
 * client secret is an scrypt of 16 MiB and tens of milliseconds on libuv's thread pool (four
 * threads by default, shared with file and DNS work): a flood of logins would queue there without
 * bound, holding memory and starving everything else that needs the pool.
 *
 * At most `concurrency` checks run at once and up to `queueLimit` more wait their turn, first come
 * first served; past that a check is refused at once with 503 LOGIN_BUSY (the exception filter adds
 * Retry-After). The bound is per control-plane process.
 */
import { DomainError } from '../common/domain-error.js';

export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  /** Runs `check` when a slot is free; throws LOGIN_BUSY when none is and the queue is full. */
  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queueLimit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new DomainError('LOGIN_BUSY', 'Too many logins are being checked at once; retry shortly');
    try {
      return await check();
    } finally {
      // A waiting check takes the slot over; `running` counts it already.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
