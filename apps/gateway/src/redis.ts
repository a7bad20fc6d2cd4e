/**
 * The gateway's Redis connection (PORTICO_REDIS_URL), shared by every policy that keeps state
 * across the replicas of a gateway target (cluster-wide rate limits and quotas). One client per
 * process; ioredis reconnects on its own. A command waits at most COMMAND_TIMEOUT_MS and is not
 * retried, so a Redis outage turns into a fast failure that the calling policy's failureMode
 * decides (fail-open or fail-closed), never a stalled request.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

const COMMAND_TIMEOUT_MS = 1_000;

export function connectRedis(url: string, logger: Logger): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(url, {
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
  });
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  // ioredis emits an error per failed reconnect attempt: log the first of each outage only.
  redis.on('error', (err: Error) => {
    if (healthy) log.error({ err: err.message }, 'redis unreachable; reconnecting');
    healthy = false;
  });
  return redis;
}
