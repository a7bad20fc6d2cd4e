import { translate } from '../config/translate.js';
import { gatewayConfig } from '../../test/support/gateway-config.js';
import { rewriteEndpoint } from './legacy-endpoint.js';

const upstreamOf = (url: string) =>
  translate(gatewayConfig([{ id: '1', port: 80, basePath: '/x', upstream: url }])).compiled.apis[0]!.upstreams.get('u1')!;

describe('rewriteEndpoint', () => {
  it.each([
    ['http://up:3003/', '/legacy', '/message?sessionId=abc', 'http://up:3003/sse', '/legacy/message?sessionId=abc'],
    ['http://up:3003/', '/legacy', 'message?sessionId=abc', 'http://up:3003/sse', '/legacy/message?sessionId=abc'],
    ['http://up:3003/', '/legacy', 'http://up:3003/message?sessionId=abc', 'http://up:3003/sse', '/legacy/message?sessionId=abc'],
    ['http://up:3003/mcp/', '/g', '/mcp/messages?s=1', 'http://up:3003/mcp/sse', '/g/messages?s=1'],
    ['http://up:3003/mcp/', '/g', 'messages', 'http://up:3003/mcp/sse', '/g/messages'],
    ['http://up:3003/', '/', '/message', 'http://up:3003/sse', '/message'],
    ['http://up:3003/mcp/', '/', '/mcp', 'http://up:3003/mcp/sse', '/'],
  ])('upstream %s, base %s: %s -> %s', (url, basePath, data, requestUrl, expected) => {
    expect(rewriteEndpoint(data, requestUrl, upstreamOf(url), basePath)).toBe(expected);
  });

  it.each([
    ['another origin', 'http://elsewhere/message'],
    ['a path outside the upstream URL', '/other/message'],
  ])('leaves %s alone', (_name, data) => {
    expect(rewriteEndpoint(data, 'http://up:3003/mcp/sse', upstreamOf('http://up:3003/mcp/'), '/g')).toBeUndefined();
  });
});
