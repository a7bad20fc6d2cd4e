import { compareVersions, minorVersion } from './asset-version.js';

describe('compareVersions', () => {
  it.each([
    ['1.10.0', '1.9.0'],
    ['2.0.0', '1.99.99'],
    ['1.0.0', '1.0.0-rc.1'],
    ['1.0.0-rc.2', '1.0.0-rc.1'],
    ['1.0.0-rc.10', '1.0.0-rc.9'],
    ['1.0.0-beta', '1.0.0-alpha.1'],
    ['1.0.0-alpha.beta', '1.0.0-alpha.1'],
    ['1.0.0-alpha.1', '1.0.0-alpha'],
  ])('orders %s after %s', (newer, older) => {
    expect(compareVersions(newer, older)).toBeGreaterThan(0);
    expect(compareVersions(older, newer)).toBeLessThan(0);
  });

  it('treats equal versions as equal', () => {
    expect(compareVersions('1.2.3-rc.1', '1.2.3-rc.1')).toBe(0);
  });
});

describe('minorVersion', () => {
  it.each([
    ['1.2.3', '1.2'],
    ['10.0.1-rc.1', '10.0'],
  ])('is %s → %s', (version, minor) => {
    expect(minorVersion(version)).toBe(minor);
  });
});
