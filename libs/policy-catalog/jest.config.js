import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'policy-catalog',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
