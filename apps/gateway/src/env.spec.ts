import { availableParallelism } from 'node:os';
import { loadGatewayEnv } from './env.js';

describe('gateway environment', () => {
  it('parses the listener names, Redis URL and worker count', () => {
    const env = loadGatewayEnv({
      PORTICO_GATEWAY_HOSTS: ' MCP.example.com, *.corp.example ,',
      PORTICO_REDIS_URL: 'rediss://cache.internal:6380',
      PORTICO_GATEWAY_WORKERS: '3',
      PORTICO_GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, fd00::1 ,',
    });
    expect(env.PORTICO_GATEWAY_TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'fd00::1']);
    expect(env.PORTICO_GATEWAY_HOSTS).toEqual(['mcp.example.com', '*.corp.example']);
    expect(env.PORTICO_REDIS_URL).toBe('rediss://cache.internal:6380');
    expect(env.PORTICO_GATEWAY_WORKERS).toBe(3);
  });

  it('defaults to no extra names, no Redis and one worker per CPU', () => {
    const env = loadGatewayEnv({});
    expect(env.PORTICO_GATEWAY_HOSTS).toEqual([]);
    expect(env.PORTICO_GATEWAY_TRUSTED_PROXIES).toEqual([]);
    expect(env.PORTICO_REDIS_URL).toBeUndefined();
    expect(env.PORTICO_GATEWAY_WORKERS).toBe(availableParallelism());
  });

  it('takes PORTICO_REDIS_URL for a node of a Redis Cluster with PORTICO_REDIS_CLUSTER', () => {
    expect(loadGatewayEnv({ PORTICO_REDIS_URL: 'redis://node-0:6379/0', PORTICO_REDIS_CLUSTER: 'true' })).toMatchObject({
      PORTICO_REDIS_URL: 'redis://node-0:6379/0',
      PORTICO_REDIS_CLUSTER: true,
    });
    expect(loadGatewayEnv({ PORTICO_REDIS_URL: 'redis://cache:6379/2' }).PORTICO_REDIS_CLUSTER).toBe(false);
  });

  it.each([
    [{ PORTICO_REDIS_CLUSTER: 'maybe' }, 'PORTICO_REDIS_CLUSTER: must be true or false'],
    [{ PORTICO_REDIS_CLUSTER: 'true' }, 'PORTICO_REDIS_CLUSTER: true needs PORTICO_REDIS_URL'],
    [
      { PORTICO_REDIS_CLUSTER: 'true', PORTICO_REDIS_URL: 'redis://node-0:6379/2' },
      'PORTICO_REDIS_URL: a Redis Cluster has only database 0',
    ],
  ])('refuses the Redis Cluster settings %j', (variables, message) => {
    expect(() => loadGatewayEnv(variables)).toThrow(message);
  });

  it.each([
    ['PORTICO_GATEWAY_HOSTS', 'mcp.example.com,http://x'],
    ['PORTICO_GATEWAY_HOSTS', 'a..b'],
    ['PORTICO_REDIS_URL', 'http://127.0.0.1:6379'],
    ['PORTICO_GATEWAY_WORKERS', '0'],
    ['PORTICO_GATEWAY_WORKERS', 'two'],
    ['PORTICO_GATEWAY_TRUSTED_PROXIES', '10.0.0.0/40'],
    ['PORTICO_GATEWAY_TRUSTED_PROXIES', 'proxy.internal'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(name);
  });
});
