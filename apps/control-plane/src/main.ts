// `npm start`: the control plane on its embedded defaults (see README for every variable).
import { Logger } from '@nestjs/common';
import { createControlPlane } from './app.js';
import { loadEnv } from './config/env.js';
import { migrate, openDatabase } from './database/database.js';

const logger = new Logger('Portico');
const env = loadEnv();
const db = await openDatabase(env, (line) => logger.log(line));
const applied = await migrate(db.url);
if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
const app = await createControlPlane(env, db.url);
await app.listen(env.PORTICO_PORT, env.PORTICO_HOST);
logger.log(`control plane listening on http://${env.PORTICO_HOST}:${env.PORTICO_PORT}`);

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
