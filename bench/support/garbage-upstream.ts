/**
 * An upstream that answers every request (POST, GET, DELETE) with 200 and something that is not
 * MCP, each kind in turn: an HTML page, JSON that is not JSON-RPC, a non-JSON body labelled
 * JSON, and an "event stream" that is not SSE (issue 16, item 7). Runs in the bench's process on
 * a free port of 127.0.0.1.
 */
import { startHttpServer, type TestHttpServer } from '#portico/testing';

const GARBAGE = [
  { contentType: 'text/html; charset=utf-8', body: '<html><body><h1>Service temporarily overloaded</h1></body></html>' },
  { contentType: 'application/json', body: '{"status":"ok","items":[]}' },
  { contentType: 'application/json', body: 'Internal Server Error' },
  { contentType: 'text/event-stream', body: 'this is not an event stream\nat all\n\n' },
];

export function startGarbageUpstream(): Promise<TestHttpServer> {
  let served = 0;
  return startHttpServer((_req, res) => {
    const { contentType, body } = GARBAGE[served++ % GARBAGE.length]!;
    res.writeHead(200, { 'content-type': contentType }).end(body);
  });
}
