/**
 * The "Node floor" of reference/sync-and-performance.md section C (its proxy.js, MODE=parse): a
 * node:http server that reads the whole request, JSON.parses it, forwards it on an undici Pool
 * (64 connections, no pipelining) and answers with the whole upstream body. No routing, policies,
 * headers rules or timeouts: what any Node proxy pays, measured next to the gateway in the same
 * rounds. Prints `listening on port <n>`.
 *
 *   node <build>/bench/servers/node-floor.js --port <n> --upstream http://127.0.0.1:<m>/
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values: args } = parseArgs({
  options: { port: { type: 'string' }, upstream: { type: 'string' } },
  strict: true,
});
if (!args.port || !args.upstream) throw new Error('--port and --upstream are required');

const pool = new Pool(new URL(args.upstream).origin, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
const upstreamPath = new URL(args.upstream).pathname.replace(/\/$/, '');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const raw = Buffer.concat(chunks);
      let message: { method?: unknown };
      try {
        message = JSON.parse(raw.toString('utf8')) as { method?: unknown };
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
        return;
      }
      if (message.method === undefined) {
        res.writeHead(400).end();
        return;
      }
      try {
        const { statusCode, body } = await pool.request({
          path: upstreamPath + (req.url ?? '/').replace(/^\/fixed/, ''),
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(raw.length) },
          body: raw,
        });
        const out = Buffer.from(await body.arrayBuffer());
        res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': out.length });
        res.end(out);
      } catch (err) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String((err as Error).message) }));
      }
    })();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(args.port), '127.0.0.1', () => console.log(`listening on port ${args.port}`));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().then(() => process.exit(0));
});
