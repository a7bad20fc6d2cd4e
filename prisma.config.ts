// Prisma CLI configuration. Portico applies migrations itself with Prisma's WebAssembly schema
// engine (apps/control-plane/src/database), so the CLI is only used for `prisma generate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/portico' },
});
