import { loadEnv } from '../config/env.js';

describe('PORTICO_PROBE_DENY', () => {
  it('is loopback, metadata, link-local and private when unset or empty, nothing with none, and names a bad entry', () => {
    expect(loadEnv({}).PORTICO_PROBE_DENY).toEqual(['loopback', 'metadata', 'link-local', 'private']);
    expect(loadEnv({ PORTICO_PROBE_DENY: '' }).PORTICO_PROBE_DENY).toEqual(['loopback', 'metadata', 'link-local', 'private']);
    expect(loadEnv({ PORTICO_PROBE_DENY: 'none' }).PORTICO_PROBE_DENY).toEqual([]);
    expect(loadEnv({ PORTICO_PROBE_DENY: 'Metadata, 203.0.113.0/24' }).PORTICO_PROBE_DENY).toEqual([
      'metadata',
      '203.0.113.0/24',
    ]);
    expect(() => loadEnv({ PORTICO_PROBE_DENY: 'loopback,intranet' })).toThrow(/PORTICO_PROBE_DENY: .*intranet/);
  });
});
