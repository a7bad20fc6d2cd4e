/**
 * The tiny upstream of reference/sync-and-performance.md section C: drains the POST body and
 * answers every request with the same ~300-byte JSON-RPC tools/call result. It costs a few µs
 * per request, so what a proxy in front of it adds is visible. Run as its own process (its CPU
 * is accounted separately); prints `listening on port <n>` once it listens on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    result: { content: [{ type: 'text', text: 'x'.repeat(180) }], isError: false, _meta: { upstream: 'echo', ts: 0 } },
  }),
);

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on port ${(server.address() as AddressInfo).port} (${body.length}-byte answer)`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
