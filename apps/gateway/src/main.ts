#!/usr/bin/env node
// The gateway process: `node dist/apps/gateway/src/main.js [--dir <registration dir>]`, the
// directory `portico gateway register --out` wrote. Every setting is an environment variable
// (README); --dir overrides PORTICO_GATEWAY_DIR. It logs, as each of its workers does, through
// the root logger of #portico/logging (JSON lines, readable on a terminal); a start that fails is
// logged at fatal with the reason and exits 1.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { loadGatewayEnv } from './env.js';
import { readRegistration } from '#portico/gateway-registration';
import { exitCannotStart, rootLogger } from '#portico/logging';
import { controlPlaneIdentity } from './config/control-plane-channel.js';
import { startGateway } from './gateway.js';
import { runWorker } from './workers/worker.js';

const logger = rootLogger('gateway');
const env = loadEnvOrExit();

if (cluster.isWorker) {
  // A worker of PORTICO_GATEWAY_WORKERS > 1 (workers/worker.ts): the primary runs the rest. It
  // asks the control plane for users' backend tokens itself, with the registration's identity.
  runWorker(
    env,
    logger.child({ worker: cluster.worker?.id }),
    controlPlaneIdentity(await readRegistration(env.PORTICO_GATEWAY_DIR)),
  );
} else {
  await runPrimary();
}

async function runPrimary(): Promise<void> {
  try {
    const gateway = await startGateway(env, logger);
    let stopping = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        if (stopping) return;
        stopping = true;
        void gateway.close().then(() => process.exit(0));
      });
    }
  } catch (err) {
    exitCannotStart(logger, err);
  }
}

function loadEnvOrExit() {
  try {
    const { values } = parseArgs({ options: { dir: { type: 'string' } }, strict: true });
    return loadGatewayEnv({ ...process.env, ...(values.dir ? { PORTICO_GATEWAY_DIR: values.dir } : {}) });
  } catch (err) {
    exitCannotStart(logger, err);
  }
}
