/**
 * A fetch held to an address policy: a denied address is never connected to, directly or through
 * a redirect, and each refusal is reported with its origin. 127.0.0.2 stands for a denied machine,
 * 127.0.0.1 for an allowed one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, type TestHttpServer } from '#portico/testing';
import { AddressDenied, AddressPolicy } from './address-policy.js';
import { outboundFetch } from './outbound-fetch.js';

describe('outboundFetch', () => {
  let allowed: TestHttpServer;
  let denied: TestHttpServer;
  const refusals: { origin: string; rule: string }[] = [];
  const policyFetch = () =>
    outboundFetch(new AddressPolicy(['127.0.0.2', 'metadata']), 5_000, (origin, refusal) =>
      refusals.push({ origin, rule: refusal.rule }),
    );

  beforeAll(async () => {
    const answer = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/redirect') return void res.writeHead(302, { location: `${denied.origin}/keys` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    };
    allowed = await startHttpServer(answer);
    denied = await startHttpServer(answer, '127.0.0.2');
  });
  beforeEach(() => void refusals.splice(0));
  afterAll(async () => {
    await Promise.all([allowed.close(), denied.close()]);
  });

  it('is the global fetch when no address is denied', () => {
    expect(outboundFetch(undefined, 5_000, () => undefined)).toBe(fetch);
  });

  it('fetches from an allowed address', async () => {
    const response = await policyFetch()(`${allowed.origin}/keys`, { method: 'GET' });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { keys: [] } });
    expect(refusals).toEqual([]);
  });

  it('refuses a denied address without connecting, and reports the origin and rule', async () => {
    const before = denied.requests.length;
    const failed = await policyFetch()(`${denied.origin}/keys`).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(TypeError);
    expect((failed as TypeError).cause).toBeInstanceOf(AddressDenied);
    expect((failed as TypeError).cause).toMatchObject({
      address: '127.0.0.2',
      rule: '127.0.0.2',
      code: 'PORTICO_OUTBOUND_DENIED',
      message: 'outbound address 127.0.0.2 is denied by 127.0.0.2',
    });
    expect(denied.requests.length).toBe(before);
    expect(refusals).toEqual([{ origin: denied.origin, rule: '127.0.0.2' }]);
  });

  it('refuses a redirect from an allowed address to a denied one', async () => {
    const before = denied.requests.length;
    const failed = await policyFetch()(`${allowed.origin}/redirect`).catch((error: Error) => error);
    expect((failed as TypeError).cause).toBeInstanceOf(AddressDenied);
    expect(allowed.requests.at(-1)?.url).toBe('/redirect');
    expect(denied.requests.length).toBe(before);
  });
});
