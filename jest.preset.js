// Shared jest settings: ESM TypeScript through SWC (decorators + metadata for NestJS).
import { SWC_OPTIONS } from './libs/testing/src/swc-options.mjs';

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', SWC_OPTIONS],
  },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    '^#portico/(.*)$': '<rootDir>/../../libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
