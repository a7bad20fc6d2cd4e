/**
 * Retries of one notification delivery: up to `attempts` tries, waiting `baseDelayMs`, then twice
 * that, and so on, between them; a PermanentDeliveryError (a refusal that would be repeated) ends
 * them at once. Every failure is logged; nothing is thrown, so a delivery never stops the
 * evaluator.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';

/** A failure that trying again would repeat (an SMTP 5xx, a webhook's 4xx, an address PORTICO_OUTBOUND_DENY refuses). */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** Runs `attempt` per the policy (see the module comment); resolves true once it succeeded. */
export async function deliverWithRetries(
  what: string,
  attempt: () => Promise<void>,
  policy: RetryPolicy,
  logger: Pick<Logger, 'warn' | 'error'>,
  signal: AbortSignal,
): Promise<boolean> {
  for (let i = 1; ; i++) {
    try {
      await attempt();
      return true;
    } catch (err) {
      const reason = (err as Error).message;
      const last = i >= policy.attempts || err instanceof PermanentDeliveryError || signal.aborted;
      if (last) {
        logger.error(`${what} failed after ${i} attempt${i === 1 ? '' : 's'}, given up: ${reason}`);
        return false;
      }
      const delay = policy.baseDelayMs * 2 ** (i - 1);
      logger.warn(`${what} failed (attempt ${i} of ${policy.attempts}), trying again in ${delay} ms: ${reason}`);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        logger.error(`${what} given up after ${i} attempt${i === 1 ? '' : 's'}: the control plane is stopping`);
        return false;
      }
    }
  }
}
