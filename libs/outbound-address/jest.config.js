import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'outbound-address',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.integration-spec.ts'],
};
