import { BUNDLED_POLICY_TYPES } from '#portico/gateway-release';
import { POLICY_TYPES } from './registry.js';

describe('policy registry', () => {
  it('implements exactly the policy types the control plane assumes of this release', () => {
    expect([...POLICY_TYPES].sort()).toEqual([...BUNDLED_POLICY_TYPES].sort());
  });
});
