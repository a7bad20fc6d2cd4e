import { translate } from '../config/translate.js';
import { gatewayConfig } from '../../test/support/gateway-config.js';
import { hasDotSegment, hostWithoutPort, matchApi, pickUpstream, selectRoute } from './router.js';

describe('matchApi', () => {
  const { compiled } = translate(
    gatewayConfig(
      ['/', '/demo', '/demo/deep'].map((basePath, i) => ({
        id: String(i),
        type: 'http',
        port: 80,
        basePath,
        upstream: 'http://h/',
      })),
    ),
  );
  const apis = compiled.ports.get(80)!;

  it.each([
    ['/demo', '/demo', ''],
    ['/demo/', '/demo', '/'],
    ['/demo/x', '/demo', '/x'],
    ['/demox', '/', '/demox'],
    ['/demo/deep/a/b', '/demo/deep', '/a/b'],
    ['/demo/deeper', '/demo', '/deeper'],
    ['/', '/', '/'],
  ])('%s -> base %s, rest %j', (path, basePath, restPath) => {
    const match = matchApi(apis, path);
    expect([match?.api.basePath, match?.restPath]).toEqual([basePath, restPath]);
  });

  it('matches nothing when no API covers the path', () => {
    expect(
      matchApi(
        apis.filter((a) => a.basePath !== '/'),
        '/other',
      ),
    ).toBeUndefined();
  });
});

describe('selectRoute and pickUpstream', () => {
  const { compiled } = translate(
    gatewayConfig([
      {
        id: '1',
        type: 'http',
        port: 80,
        basePath: '/',
        upstream: [
          { id: 'a', url: 'http://a/' },
          { id: 'b', url: 'http://b/' },
        ],
        routes: [
          { label: 'post', methods: ['POST'], upstreams: [{ upstreamId: 'a', weight: 1 }] },
          { label: 'root', pathRegex: '/', upstreams: [{ upstreamId: 'b', weight: 1 }] },
          {
            label: 'split',
            upstreams: [
              { upstreamId: 'a', weight: 1 },
              { upstreamId: 'b', weight: 3 },
            ],
          },
        ],
      },
    ]),
  );
  const api = compiled.apis[0]!;

  it.each([
    ['POST', '/x', 'post'],
    ['GET', '', 'root'],
    ['GET', '/', 'root'],
    ['GET', '/x', 'split'],
  ])('%s %j takes route %s', (method, rest, label) => {
    expect(selectRoute(api, method, rest, {})?.label).toBe(label);
  });

  it('chooses upstreams by weight', () => {
    const split = api.routes[2]!;
    expect(pickUpstream(split, () => 0).id).toBe('a');
    expect(pickUpstream(split, () => 0.24).id).toBe('a');
    expect(pickUpstream(split, () => 0.26).id).toBe('b');
    expect(pickUpstream(split, () => 0.999).id).toBe('b');
  });
});

describe('path and host helpers', () => {
  it.each([
    ['/a/../b', true],
    ['/a/./b', true],
    ['/..', true],
    ['/a/%2E%2e/b', true],
    ['/a/..b', false],
    ['/a/b.json', false],
    ['/a%20b', false],
  ])('hasDotSegment(%s) = %s', (path, expected) => {
    expect(hasDotSegment(path)).toBe(expected);
  });

  it.each([
    ['Example.COM:8080', 'example.com'],
    ['example.com', 'example.com'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
    [undefined, undefined],
  ])('hostWithoutPort(%s) = %s', (host, expected) => {
    expect(hostWithoutPort(host)).toBe(expected);
  });
});
