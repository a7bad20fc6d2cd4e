import { loadGatewayEnv } from '../env.js';

describe('upstream settings of the gateway environment', () => {
  it('default to no denied address and 1024 connections per pool', () => {
    const env = loadGatewayEnv({});
    expect(env.PORTICO_GATEWAY_UPSTREAM_DENY).toEqual([]);
    expect(env.PORTICO_GATEWAY_UPSTREAM_CONNECTIONS).toBe(1024);
  });

  it('parse a deny list and a connection cap', () => {
    const env = loadGatewayEnv({
      PORTICO_GATEWAY_UPSTREAM_DENY: ' Loopback, link-local ,metadata,10.0.0.0/8,',
      PORTICO_GATEWAY_UPSTREAM_CONNECTIONS: '64',
    });
    expect(env.PORTICO_GATEWAY_UPSTREAM_DENY).toEqual(['loopback', 'link-local', 'metadata', '10.0.0.0/8']);
    expect(env.PORTICO_GATEWAY_UPSTREAM_CONNECTIONS).toBe(64);
  });

  it.each([
    ['PORTICO_GATEWAY_UPSTREAM_DENY', 'loopback,intranet', '"intranet" is not one of'],
    ['PORTICO_GATEWAY_UPSTREAM_CONNECTIONS', '0', ''],
    ['PORTICO_GATEWAY_UPSTREAM_CONNECTIONS', 'many', ''],
  ])('refuse %s=%s naming the variable', (name, value, cause) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(name);
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(cause);
  });
});
