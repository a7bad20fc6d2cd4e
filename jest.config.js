// `npm test` runs every project; each has its own jest.config.js (Nx infers `test` targets from them).
import { existsSync, readdirSync } from 'node:fs';

const projects = ['apps', 'libs'].flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((name) => `${dir}/${name}/jest.config.js`)
        .filter((config) => existsSync(config))
        .map((config) => `<rootDir>/${config}`)
    : [],
);

export default {
  projects,
  // Integration tests start real servers on a shared 2-core machine (a project-level value is ignored).
  testTimeout: 60_000,
  // On a 2-core machine jest picks one worker and would then run every file inside its own
  // process, whose heap grows file by file until it dies (CI ran out of memory at 3.8 GB). A memory
  // limit makes jest use a worker and replace it once it holds more than this after a file.
  workerIdleMemoryLimit: '1GB',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
