import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'gateway-registration',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.integration-spec.ts'],
};
