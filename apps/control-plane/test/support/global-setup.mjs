// Jest loads global setup outside its ESM/TypeScript pipeline, so this plain module loads the
// TypeScript setup through tsx. See test-database.ts for what it does.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setupTestDatabase } = await tsImport('./test-database.ts', import.meta.url);
  const db = await setupTestDatabase();
  process.env.PORTICO_TEST_DATABASE_URL = db.url;
  globalThis.__porticoStopTestDb = db.stop;
}
