/**
 * rate-limiting on a Redis Cluster (PORTICO_REDIS_CLUSTER): a real 3-master Redis 7 cluster,
 * started here from the machine's redis-server on free ports in a temporary directory. Two
 * replicas, each with its own cluster client, enforce one sum per key for keys spread over every
 * master; scripts sent at once for keys of every master each reach their key's node; a plain
 * client pointed at a node says to set the variable; one master down, then the whole cluster
 * stopped: 429 or uncounted passage as blockOnUnknownQuota says, without a stalled request;
 * counting resumes once the cluster is back. Skipped only when redis-server or redis-cli is not
 * installed.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import pino from 'pino';
import { postMcp, startMcpServer, type TestMcpServer } from '#portico/testing';
import { loadGatewayEnv } from '../env.js';
import { connectRedis, gatewayRedis, type RedisConnection } from '../redis.js';
import {
  type ApiSpec,
  freePorts,
  gatewayConfig,
  startTestGateway,
  type TestGateway,
  expectRateLimitOutage,
  rateLimit,
  toolCall,
} from '../../test/support/in-process-gateway.js';

const MISSING = ['redis-server', 'redis-cli'].filter((command) => spawnSync(command, ['--version']).error !== undefined);
const describeWithRedis = MISSING.length === 0 ? describe : describe.skip;
const SKIPPED = MISSING.length === 0 ? '' : ` (skipped: ${MISSING.join(' and ')} not installed)`;
// jest does not name the tests of a skipped file: say it.
if (SKIPPED) console.warn(`rate-limiting on a Redis Cluster${SKIPPED}`);

const execFileAsync = promisify(execFile);

/** Polls `probe` until it holds; throws naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** One redis-server of the cluster: its client port and cluster bus port, and its process while it runs. */
interface RedisNode {
  readonly port: number;
  readonly busPort: number;
  process?: ChildProcess;
  exited?: Promise<unknown>;
  /** What its processes wrote to stderr (start-up errors; the rest goes to its log file). */
  stderr: string;
}

describeWithRedis(`rate-limiting on a Redis Cluster${SKIPPED}`, () => {
  let dir: string;
  let nodes: RedisNode[] = [];
  let upstream: TestMcpServer;
  let up: string;
  const gateways: TestGateway[] = [];
  const connections: RedisConnection[] = [];

  const cli = async (node: RedisNode, ...args: string[]) =>
    (await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(node.port), ...args], { timeout: 10_000 })).stdout;

  // Not daemonized: the test holds each process, and afterAll kills what is left.
  const startNode = (node: RedisNode) => {
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(node.port), '--bind', '127.0.0.1', '-::1', '--dir', dir],
        ...['--cluster-enabled', 'yes', '--cluster-port', String(node.busPort)],
        ...['--cluster-config-file', `nodes-${node.port}.conf`, '--cluster-node-timeout', '1000'],
        ...['--save', '', '--appendonly', 'no', '--logfile', `redis-${node.port}.log`],
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => (node.stderr += chunk.toString()));
    node.process = child;
    node.exited = once(child, 'exit');
  };
  const stopNode = async (node: RedisNode) => {
    node.process?.kill('SIGTERM');
    await node.exited;
    node.process = undefined;
  };
  /** `wait`, its error followed by what the nodes wrote. */
  const explained = (wait: Promise<void>) =>
    wait.catch(async (error: Error) => {
      const logs = await Promise.all(
        nodes.map(async (n) => {
          const log = await readFile(path.join(dir, `redis-${n.port}.log`), 'utf8').catch(() => '');
          return `--- redis-server ${n.port}:\n${n.stderr}${log}`;
        }),
      );
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
  const clusterOk = () =>
    explained(
      until('cluster_state:ok on every node', async () =>
        (await Promise.all(nodes.map((n) => cli(n, 'cluster', 'info')))).every((i) => i.includes('cluster_state:ok')),
      ),
    );

  /** The client of PORTICO_REDIS_CLUSTER=true with the first node by `host`, once it is connected to every master. */
  const clusterClient = async (host = '127.0.0.1') => {
    const env = loadGatewayEnv({ PORTICO_REDIS_URL: `redis://${host}:${nodes[0]!.port}`, PORTICO_REDIS_CLUSTER: 'true' });
    const client = gatewayRedis(env, pino({ level: 'silent' }));
    if (!(client instanceof Cluster)) throw new Error('PORTICO_REDIS_CLUSTER=true did not give a Redis Cluster client');
    connections.push(client);
    await until(
      `the cluster client (seed ${host}) connected to every master`,
      async () =>
        client.status === 'ready' && client.nodes('master').filter((node) => node.status === 'ready').length === nodes.length,
    );
    return client;
  };
  /** `total` counters of `policyId`, on every master: a client that does not follow MOVED could not have kept them. */
  const expectOnEveryMaster = async (policyId: string, total: number) => {
    const counters = await Promise.all(nodes.map((n) => cli(n, '--scan', '--pattern', `portico:{${policyId}:*`)));
    const perMaster = counters.map((keys) => keys.split('\n').filter(Boolean).length);
    expect(perMaster.reduce((a, b) => a + b)).toBe(total);
    expect(Math.min(...perMaster)).toBeGreaterThan(0);
  };
  const start = async (apis: (port: number) => ApiSpec[], redis: RedisConnection) => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(gatewayConfig(apis(port)), { redis });
    gateways.push(gateway);
    return { gateway, base: `http://127.0.0.1:${port}` };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portico-redis-cluster-'));
    const ports = await freePorts(6);
    nodes = [0, 1, 2].map((i) => ({ port: ports[i]!, busPort: ports[i + 3]!, stderr: '' }));
    nodes.forEach(startNode);
    await explained(
      until('every redis-server answering', async () =>
        (await Promise.all(nodes.map((n) => cli(n, 'ping')))).every((pong) => pong.trim() === 'PONG'),
      ),
    );
    await execFileAsync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], {
      timeout: 30_000,
    });
    await clusterOk();
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    up = upstream.url.replace(/mcp$/, '');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    for (const connection of connections) connection.disconnect();
    await upstream?.close();
    await Promise.all(
      nodes.map(async (node) => {
        node.process?.kill('SIGKILL');
        await node.exited;
      }),
    );
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('enforces one sum per key across two replicas, for keys spread over every master', async () => {
    const policyId = 'per-client-on-a-cluster';
    const apis = (port: number): ApiSpec[] => [
      {
        id: 'rl',
        port,
        basePath: '/rl',
        upstream: up,
        policies: [
          'mcp-support',
          rateLimit(policyId, {
            rateLimits: [{ maximumRequests: 3, timePeriodInMilliseconds: 3_600_000 }],
            keySelector: "#[attributes.headers['x-client']]",
          }),
        ],
      },
    ];
    // The second replica names its seed node by a host name: none of the nodes it learns (by
    // address) is the connection it started from, so its ready check runs on a new connection.
    const replicas = [await start(apis, await clusterClient()), await start(apis, await clusterClient('localhost'))];
    const clients = Array.from({ length: 30 }, (_, i) => `client-${i}`);
    const statuses = new Map(clients.map((client) => [client, [] as number[]]));
    // Every client's requests alternate between the replicas; the clients' requests run at once.
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        clients.map(async (client, i) => {
          const answer = await postMcp(`${replicas[(round + i) % 2]!.base}/rl/mcp`, toolCall(round, 'echo'), {
            'x-client': client,
          });
          statuses.get(client)!.push(answer.status);
        }),
      );
    }
    expect(Object.fromEntries(statuses)).toEqual(Object.fromEntries(clients.map((client) => [client, [200, 200, 200, 429]])));
    await expectOnEveryMaster(policyId, clients.length);
  }, 30_000);

  it('routes a script by its keys, not its first argument, with commands for every master at once', async () => {
    const client = await clusterClient();
    // Shaped as the quota's script: the key count first, as a script of any number of keys is called.
    client.defineCommand('countOnce', { lua: "return redis.call('INCR', KEYS[1])" });
    const count = (client as unknown as Record<string, (...args: unknown[]) => Promise<number>>).countOnce!;
    const keys = Array.from({ length: 30 }, (_, i) => `portico:{script-on-a-cluster:${i}}:1`);
    expect(await Promise.all(keys.map((key) => count.call(client, 1, key)))).toEqual(keys.map(() => 1));
    await expectOnEveryMaster('script-on-a-cluster', keys.length);
  });

  it('a plain client pointed at a node of the cluster says to set PORTICO_REDIS_CLUSTER', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    connections.push(connectRedis(`redis://127.0.0.1:${nodes[0]!.port}`, logger));
    await until('the warning logged', async () => lines.length > 0, 5_000);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        component: 'redis',
        msg: 'PORTICO_REDIS_URL is a node of a Redis Cluster: set PORTICO_REDIS_CLUSTER=true (keys of other nodes fail with MOVED)',
      }),
    ]);
  });

  describe('with the cluster taken down mid-traffic', () => {
    let base: string;
    beforeAll(async () => {
      const limits = { rateLimits: [{ maximumRequests: 1000, timePeriodInMilliseconds: 3_600_000 }] };
      ({ base } = await start(
        (port) => [
          { id: 'closed', port, basePath: '/closed', upstream: up, policies: ['mcp-support', rateLimit('closed', limits)] },
          {
            id: 'open',
            port,
            basePath: '/open',
            upstream: up,
            policies: ['mcp-support', rateLimit('open', { ...limits, blockOnUnknownQuota: false })],
          },
        ],
        await clusterClient(),
      ));
    });

    it('refuses with 429 Retry-After 1 when blockOnUnknownQuota, passes uncounted otherwise, without retrying, with one master down and with none, and counts again once the cluster is back', async () => {
      const call = (apiPath: string) => postMcp(`${base}${apiPath}/mcp`, toolCall(1, 'echo'));
      const duringOutage = async () => {
        // After a failure a policy leaves Redis alone for 1 s: wait it out, so these requests ask the cluster.
        await sleep(1_100);
        // Neither CLUSTERDOWN nor a lost node is retried: the answer does not wait for the 1 s
        // command timeout (ioredis's default retries, 100 ms apart, until then).
        await expectRateLimitOutage(call, 500);
      };
      expect([(await call('/closed')).status, (await call('/open')).status]).toEqual([200, 200]);

      await stopNode(nodes[1]!);
      const survivors = [nodes[0]!, nodes[2]!];
      await until('cluster_state:fail on the other masters', async () =>
        (await Promise.all(survivors.map((n) => cli(n, 'cluster', 'info')))).every((i) => i.includes('cluster_state:fail')),
      );
      await duringOutage();

      await Promise.all(survivors.map(stopNode));
      await duringOutage();

      nodes.forEach(startNode);
      await clusterOk();
      await until('a request counted again after the restart', async () => (await call('/closed')).status === 200);
    }, 60_000);
  });
});
