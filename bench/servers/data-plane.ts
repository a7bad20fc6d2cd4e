/**
 * The gateway's data plane alone, as its own process, for quick hot-path measurements without a
 * control plane: one MCP API with mcp-support at `/fixed` goes through the production
 * translate() and DataPlane, with the production defaults of env.ts (log level warn, default
 * metrics collected as gateway.ts does). Prints `listening on port <n>` once the listener is bound.
 * bench/data-plane-quick.ts compiles it with tsc together with the gateway code it measures and
 * runs the JavaScript, as production runs dist/:
 *
 *   node <build>/bench/servers/data-plane.js --port <n> --upstream http://127.0.0.1:<m>/ [--workers <w>] [--policies <file>]
 *
 * `--access-log` turns the access log on (PORTICO_GATEWAY_ACCESS_LOG; off otherwise): events are
 * built, batched and encoded as in production, and taken from the outbox each second.
 *
 * `--policies` names a JSON file of policies applied after mcp-support, in order:
 * `[{ "type": "mcp-acl", "configuration": { … } }, …]` (a chain of bench/chains/).
 *
 * With `--workers` > 1 it serves as the gateway does with PORTICO_GATEWAY_WORKERS: worker
 * processes behind this one (apps/gateway/src/workers). SIGTERM closes the data plane and exits
 * normally, so `--cpu-prof` writes its profile.
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { POLICY_TEMPLATES, compareVersions } from '#portico/policy-catalog';
import { ApiType, GatewayConfig, PolicyMode } from '#portico/proto-ts';
import { loadGatewayEnv } from '../../apps/gateway/src/env.js';
import { EventOutbox } from '../../apps/gateway/src/access-log/event-outbox.js';
import { startServing } from '../../apps/gateway/src/workers/serving.js';
import { runWorker } from '../../apps/gateway/src/workers/worker.js';
import { readChain } from './chain-file.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    upstream: { type: 'string' },
    workers: { type: 'string', default: '1' },
    policies: { type: 'string' },
    'access-log': { type: 'boolean', default: false },
  },
  strict: true,
});
if (!args.port || !args.upstream) throw new Error('--port and --upstream are required');

const env = loadGatewayEnv({
  ...process.env,
  PORTICO_LOG_LEVEL: 'warn',
  PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
  PORTICO_GATEWAY_WORKERS: args.workers,
  PORTICO_GATEWAY_ACCESS_LOG: String(args['access-log']),
});
const logger = pino({ level: env.PORTICO_LOG_LEVEL });
if (cluster.isWorker) {
  runWorker(env, logger);
} else {
  await servePrimary();
}

async function servePrimary(): Promise<void> {
  // No control plane here: policy reports are dropped; access events are taken from the outbox
  // and made into a request body each second as the publisher does, and not sent.
  const outbox = env.PORTICO_GATEWAY_ACCESS_LOG
    ? new EventOutbox({
        memoryLimitBytes: env.PORTICO_GATEWAY_ACCESS_LOG_MEMORY_BYTES,
        spillPath: undefined,
        spillLimitBytes: 0,
        logger,
      })
    : undefined;
  if (outbox) {
    setInterval(() => {
      for (let taken = outbox.take(4 * 1024 * 1024); taken; taken = outbox.take(4 * 1024 * 1024)) {
        Buffer.concat([...taken.batches]);
        taken.commit();
      }
    }, 1_000).unref();
  }
  const serving = await startServing(env, logger, { report: () => undefined, events: outbox?.add });
  const port = Number(args.port);
  const latest = (type: string) =>
    POLICY_TEMPLATES.filter((t) => t.assetId === type)
      .map((t) => t.version)
      .sort(compareVersions)
      .at(-1);
  const chain = args.policies ? readChain(args.policies).policies : [];
  const policies = [{ type: 'mcp-support', configuration: {} }, ...chain].map((policy, i) => ({
    id: String(i + 1),
    type: policy.type,
    version: latest(policy.type),
    configurationJson: JSON.stringify(policy.configuration),
    managedJson: policy.managed === undefined ? '' : JSON.stringify(policy.managed),
    mode: PolicyMode.POLICY_MODE_ENFORCE,
  }));
  const config = GatewayConfig.fromPartial({
    gatewayId: 'bench',
    gatewayName: 'bench',
    apis: [
      {
        id: '1',
        name: 'bench',
        type: ApiType.API_TYPE_MCP,
        listener: { port, basePath: '/fixed' },
        upstreams: [{ id: 'u1', label: '', url: args.upstream }],
        policies,
      },
    ],
  });
  const { failures } = await serving.serve(config);
  if (failures.length > 0) throw new Error(`the bench API is not served: ${JSON.stringify(failures)}`);
  console.log(`listening on port ${port}`);
  process.once('SIGTERM', () => {
    void serving.close().then(() => process.exit(0));
  });
}
