// Runs `prisma generate` offline.
//
// The Prisma CLI tries to download its native schema engine before generating, which fails on
// machines that reach only the npm registry. Generation itself never runs that engine, so any
// existing executable satisfies the check (see shared toolchain notes); migrations use the
// WebAssembly engine instead.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: ['ignore', 'pipe', 'inherit'], env });
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '');
  process.exit(result.status ?? 1);
}
