import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'logging',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.integration-spec.ts'],
};
