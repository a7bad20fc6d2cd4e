import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'cli',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.integration-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};
