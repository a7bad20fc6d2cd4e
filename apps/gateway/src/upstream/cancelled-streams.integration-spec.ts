/**
 * Event streams the client cancels, over real sockets: the gateway ends the upstream request and
 * keeps no upstream connection for it, so the open descriptors (client, gateway and upstream all
 * live in this process) are back to where they were soon after.
 */
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { MCP_POST_HEADERS } from '#portico/testing';
import { useMcpApiGateway } from '../../test/support/mcp-api-gateway.js';

const STREAMS = 100;

/** Open descriptors of this process. */
function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** A `slow` tools/call answered as an event stream; resolves with a function that cancels it once its first event arrived. */
function openStream(port: number, id: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/mcp', method: 'POST', headers: MCP_POST_HEADERS, agent: false },
      (res) => {
        if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
          reject(new Error(`stream ${id}: ${res.statusCode} ${res.headers['content-type']}`));
        }
        // The progress notification comes first; the answer would take a minute.
        res.once('data', () => resolve(() => req.destroy()));
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'slow', arguments: { ms: 60_000 }, _meta: { progressToken: id } },
      }),
    );
  });
}

/** Polls until the open descriptors are down to `baseline`; resolves with how long that took (or undefined past `withinMs`). */
async function backTo(baseline: number, withinMs: number): Promise<{ ms: number | undefined; open: number }> {
  const started = Date.now();
  for (;;) {
    const open = openDescriptors();
    if (open <= baseline) return { ms: Date.now() - started, open };
    if (Date.now() - started > withinMs) return { ms: undefined, open };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('event streams the client cancels', () => {
  const served = useMcpApiGateway();

  it(`leave no upstream connection behind: ${STREAMS} cancelled streams, descriptors back to baseline within 5 s`, async () => {
    // One round first, so that everything this path loads and keeps is in the baseline.
    (await openStream(served.port, 0))();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const baseline = openDescriptors();

    const cancels = await Promise.all(Array.from({ length: STREAMS }, (_, i) => openStream(served.port, i + 1)));
    // Each open stream holds a client and an upstream connection, both ends of each in this process.
    expect(openDescriptors()).toBeGreaterThanOrEqual(baseline + 2 * STREAMS);
    for (const cancel of cancels) cancel();

    const settled = await backTo(baseline, 5_000);
    expect({ baseline, ...settled }).toEqual({ baseline, open: baseline, ms: expect.any(Number) });
  });
});
