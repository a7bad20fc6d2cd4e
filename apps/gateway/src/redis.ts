/**
 * The gateway's Redis connection (PORTICO_REDIS_URL), shared by every policy that keeps state
 * across the replicas of a gateway target (cluster-wide rate limits and quotas). One client per
 * process; ioredis reconnects on its own. A command waits at most COMMAND_TIMEOUT_MS and is not
 * retried, so a Redis outage turns into a fast failure that the calling policy's failureMode
 * decides (fail-open or fail-closed), never a stalled request.
 *
 * With PORTICO_REDIS_CLUSTER the URL names one node of a Redis Cluster (its credentials and TLS
 * apply to every node): the client learns the slots from it and follows MOVED and ASK, which are
 * routing, not retries. Failures are not retried there either:
 * - no offline queue: a command sent while no node answers, or before the slots are known, fails
 *   at once (ioredis would queue it without a time limit). A command sent to a node while its
 *   connection opens fails too, so every node is connected as soon as the cluster is ready;
 * - no delayed retry on CLUSTERDOWN or a lost node (by default ioredis retries every 100 ms until
 *   the command timeout, so a failure that is known at once would cost a request a second);
 * - no auto-pipelining: ioredis files a script command under the slot of its first argument (the
 *   key count, for a script of several keys), and the pipeline then refuses the keys of other nodes.
 * Policies keep what one command touches in one slot with a hash tag (`portico:{<policy>:<key>}:…`).
 *
 * The kind of server is configured, not detected: it can only be learnt from a server that
 * answers, and a gateway starts and serves while Redis is down. A plain client that finds a
 * cluster node logs how to fix it (most keys would fail with MOVED); a cluster client pointed at
 * a plain server logs Redis's "cluster support disabled".
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { GatewayEnv } from './env.js';

const COMMAND_TIMEOUT_MS = 1_000;

const PER_CONNECTION: RedisOptions = {
  connectTimeout: COMMAND_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
  maxRetriesPerRequest: 0,
};

/** What policies get as CompileContext.redis: one server's client or a Redis Cluster's. */
export type RedisConnection = Redis | Cluster;

/** The connection of PORTICO_REDIS_URL (a node of a cluster with PORTICO_REDIS_CLUSTER); none when unset. */
export function gatewayRedis(env: GatewayEnv, logger: Logger): RedisConnection | undefined {
  if (env.PORTICO_REDIS_URL === undefined) return undefined;
  return env.PORTICO_REDIS_CLUSTER
    ? connectRedisCluster(env.PORTICO_REDIS_URL, logger)
    : connectRedis(env.PORTICO_REDIS_URL, logger);
}

/** A client of the one server of `url`. */
export function connectRedis(url: string, logger: Logger): Redis {
  const log = logger.child({ component: 'redis' });
  const redis = new Redis(url, { ...PER_CONNECTION, enableAutoPipelining: true });
  redis.on('ready', () => {
    redis.info('cluster').then(
      (info) => {
        if (/^cluster_enabled:1\b/m.test(info)) {
          log.error(
            'PORTICO_REDIS_URL is a node of a Redis Cluster: set PORTICO_REDIS_CLUSTER=true (keys of other nodes fail with MOVED)',
          );
        }
      },
      () => undefined, // an ACL may deny INFO: then nothing is learnt
    );
  });
  return watched(redis, log);
}

/** A client of the Redis Cluster that the node of `url` belongs to. */
export function connectRedisCluster(url: string, logger: Logger): Cluster {
  const seed = new URL(url);
  const cluster = new Cluster([{ host: seed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(seed.port || 6379) }], {
    enableOfflineQueue: false,
    retryDelayOnClusterDown: 0,
    retryDelayOnFailover: 0,
    slotsRefreshTimeout: COMMAND_TIMEOUT_MS,
    // Connect to names as given (not resolved to an address first), so TLS checks certificates against them.
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      ...PER_CONNECTION,
      username: decodeURIComponent(seed.username) || undefined,
      password: decodeURIComponent(seed.password) || undefined,
      ...(seed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
  // ioredis opens a node's connection on its first command and, without an offline queue, refuses
  // the next ones while it opens. Nodes are connected once the cluster is ready, not before: the
  // cluster's own ready check is refused too by a node whose connection is opening.
  const connect = (node: Redis) => {
    if (node.status === 'wait') void node.connect().catch(() => undefined);
  };
  cluster.on('ready', () => cluster.nodes('all').forEach(connect));
  cluster.on('+node', (node: Redis) => {
    if (cluster.status === 'ready') connect(node);
  });
  return watched(cluster, logger.child({ component: 'redis' }));
}

/** Logs the first error of each outage (ioredis emits one per failed reconnect) and the recovery. */
function watched<C extends RedisConnection>(client: C, log: Logger): C {
  let healthy = true;
  client.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  client.on('error', (err: Error & { lastNodeError?: Error }) => {
    // A cluster's "Failed to refresh slots cache." carries the cause in lastNodeError.
    const cause = err.lastNodeError ? `${err.message} ${err.lastNodeError.message}` : err.message;
    if (healthy) log.error({ err: cause }, 'redis unreachable; reconnecting');
    healthy = false;
  });
  return client;
}
