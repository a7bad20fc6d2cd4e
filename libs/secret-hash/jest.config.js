import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'secret-hash',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
