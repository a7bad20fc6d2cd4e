#!/usr/bin/env node
// The gateway process: `node dist/apps/gateway/src/main.js [--dir <registration dir>]`, the
// directory `portico gateway register --out` wrote. Every setting is an environment variable
// (README); --dir overrides PORTICO_GATEWAY_DIR.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadGatewayEnv } from './env.js';
import { startGateway } from './gateway.js';

const { values } = parseArgs({ options: { dir: { type: 'string' } }, strict: true });
const env = loadGatewayEnv({ ...process.env, ...(values.dir ? { PORTICO_GATEWAY_DIR: values.dir } : {}) });
const logger = pino({ level: env.PORTICO_LOG_LEVEL });

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
  logger.fatal({ error: (err as Error).message }, 'gateway cannot start');
  process.exit(1);
}
