// `npm start`: the control plane on its embedded defaults (see README for every variable).
import { Logger } from '@nestjs/common';
import { apiScheme, createControlPlane } from './app.js';
import { nestLogLevels } from './common/log-levels.js';
import { loadEnv } from './config/env.js';
import { migrate, openDatabase } from './database/database.js';

const env = loadEnv();
// Lines logged before the application exists follow PORTICO_LOG_LEVEL too.
Logger.overrideLogger(nestLogLevels(env.PORTICO_LOG_LEVEL));
const logger = new Logger('Portico');
// An embedded PostgreSQL left running by a killed control plane is stopped here first (see
// database/embedded-postgres.ts).
const db = await openDatabase(env, (line) => logger.log(line));
let app: Awaited<ReturnType<typeof createControlPlane>>;
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

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void app
      .close()
      .then(() => db.stop())
      .then(() => process.exit(0));
  });
}
