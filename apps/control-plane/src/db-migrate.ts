// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadEnv } from './config/env.js';
import { migrate, openDatabase } from './database/database.js';

const env = loadEnv();
const db = await openDatabase(env, console.log);
try {
  const applied = await migrate(db.url);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.stop();
}
