/**
 * A request body over the limit, over real sockets: every client gets its 413 (never a
 * connection reset), and the gateway reads the rest of an oversized body only up to a bound.
 */
import net from 'node:net';
import { MCP_POST_HEADERS } from '#portico/testing';
import { loadGatewayEnv } from '../env.js';
import { limitHits } from '../../test/support/in-process-gateway.js';
import { useMcpApiGateway } from '../../test/support/mcp-api-gateway.js';
import { DISCARD_MS, discardBytes } from './body.js';

/** The production default (PORTICO_GATEWAY_BODY_LIMIT_BYTES). */
const LIMIT = loadGatewayEnv({}).PORTICO_GATEWAY_BODY_LIMIT_BYTES;
const BODY_BYTES = 5_000_000;
const CLIENTS = 32;

/** What one client saw: a status, connection header and body, or the socket error that ended it. */
type Outcome = { status: number; connection: string | undefined; body: string } | { error: string };

/** Connects and writes the head of a POST to the MCP API, framed by `framing` (a Content-Length or Transfer-Encoding line). */
function startPost(port: number, framing: string, onConnect: (socket: net.Socket) => void): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(
      `POST /api/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${MCP_POST_HEADERS['content-type']}\r\n` +
        `Accept: ${MCP_POST_HEADERS.accept}\r\nConnection: close\r\n${framing}\r\n\r\n`,
    );
    onConnect(socket);
  });
  return socket;
}

/** One chunk of a chunked body. */
function chunkOf(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
}

/**
 * POSTs `body` the way many HTTP clients do (Python's requests, for one): the whole request is
 * written before the answer is read, on a connection of its own, with a Content-Length or
 * chunked. A connection the gateway resets while the client is still writing is an error here,
 * even when the 413 had been sent: such a client never reads it.
 */
function post(port: number, body: Buffer, chunked: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < body.length; offset += 256 * 1024) {
      const piece = body.subarray(offset, offset + 256 * 1024);
      pieces.push(chunked ? chunkOf(piece) : piece);
    }
    if (chunked) pieces.push(Buffer.from('0\r\n\r\n'));
    const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`;
    const socket = startPost(port, framing, () => writeAll());
    const writeAll = (): void => {
      while (pieces.length > 0) if (!socket.write(pieces.shift()!)) return void socket.once('drain', writeAll);
      socket.write(Buffer.alloc(0), () => readAnswer(socket, resolve));
    };
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** Reads an HTTP/1.1 answer up to the end of the connection. */
function readAnswer(socket: net.Socket, resolve: (outcome: Outcome) => void): void {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    const head = text.slice(0, split).split('\r\n');
    const connection = head.find((line) => /^connection:/i.test(line))?.replace(/^connection:\s*/i, '');
    resolve({ status: Number(head[0]?.split(' ')[1]), connection, body: text.slice(split + 4) });
  });
}

/** A JSON-RPC call whose text argument makes the body `size` bytes long. */
function bigCall(size: number): Buffer {
  const head = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"';
  const tail = '"}}}';
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail);
}

/** How a connection the gateway ended went: the body bytes the client had written, and when. */
interface Cut {
  /** false: the client was done sending and the connection was still open. */
  closed: boolean;
  written: number;
  elapsedMs: number;
}

/**
 * Sends a chunked body that never ends: `fast` bytes as quickly as the gateway takes them, then,
 * with `trickle`, a few bytes at a time for up to `forMs`. Resolves once the gateway ended the
 * connection, or when the client is done sending with the connection still open.
 */
function endlessBody(port: number, fast: number, trickle?: { bytes: number; everyMs: number; forMs: number }) {
  return new Promise<Cut>((resolve) => {
    const started = Date.now();
    const piece = chunkOf(Buffer.alloc(64 * 1024, 'x'));
    let written = 0;
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const finish = (closed: boolean) => {
      if (over) return;
      over = true;
      clearInterval(timer);
      socket.destroy();
      resolve({ closed, written, elapsedMs: Date.now() - started });
    };
    const pump = (): void => {
      while (!over && written < fast) {
        written += 64 * 1024;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      if (over) return;
      if (!trickle) return finish(false);
      const small = chunkOf(Buffer.alloc(trickle.bytes, 'x'));
      timer = setInterval(() => {
        if (Date.now() - started > trickle.forMs) return finish(false);
        written += trickle.bytes;
        socket.write(small);
      }, trickle.everyMs);
    };
    const socket = startPost(port, 'Transfer-Encoding: chunked', pump);
    socket.resume();
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

const TOO_LARGE = {
  jsonrpc: '2.0',
  id: null,
  error: { code: -32600, message: `Payload Too Large: the request body exceeds ${LIMIT} bytes` },
};

describe('a request body over the limit', () => {
  const served = useMcpApiGateway({ bodyLimitBytes: LIMIT });

  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])(`answers 413 to ${CLIENTS} concurrent clients sending 5 MB %s, none of them reset`, async (_how, chunked) => {
    expect(BODY_BYTES).toBeGreaterThan(LIMIT);
    const body = bigCall(BODY_BYTES);
    const outcomes = await Promise.all(Array.from({ length: CLIENTS }, () => post(served.port, body, chunked)));
    const expected = { status: 413, connection: 'close', body: JSON.stringify(TOO_LARGE) };
    expect(outcomes).toEqual(Array.from({ length: CLIENTS }, () => expected));
  });

  it('still serves a body within the limit on the same port (control case)', async () => {
    const outcome = await post(served.port, bigCall(64 * 1024), false);
    expect(outcome).toMatchObject({ status: 200 });
  });

  it('answers a declared Content-Length past the discard bound at once, without waiting for the body', async () => {
    const hits = await limitHits(served.gateway, 'api', 'body-size');
    const started = Date.now();
    const outcome = await new Promise<Outcome>((resolve) => {
      const socket = startPost(served.port, `Content-Length: ${discardBytes(LIMIT) + 1}`, () => readAnswer(socket, resolve));
      socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    expect(outcome).toEqual({ status: 413, connection: 'close', body: JSON.stringify(TOO_LARGE) });
    expect(await limitHits(served.gateway, 'api', 'body-size')).toBe(hits + 1);
    // Not after the discard time: nothing of the body was awaited.
    expect(Date.now() - started).toBeLessThan(DISCARD_MS / 2);
  });

  it('closes the connection of a client that keeps sending once the discard bound is read', async () => {
    const bound = discardBytes(LIMIT);
    // Far past the bound: an unbounded read would take all of it.
    const cut = await endlessBody(served.port, 8 * bound);
    expect(cut.closed).toBe(true);
    // The bound, plus at most what the loopback socket buffers of both ends hold.
    expect(cut.written).toBeGreaterThan(bound);
    expect(cut.written).toBeLessThan(bound + 32 * 1024 * 1024);
    // The byte bound ended it, not the time bound.
    expect(cut.elapsedMs).toBeLessThan(DISCARD_MS);
  });

  it('closes the connection of a client that trickles past the limit once the discard time is up', async () => {
    const cut = await endlessBody(served.port, LIMIT + 64 * 1024, { bytes: 1024, everyMs: 100, forMs: DISCARD_MS + 10_000 });
    expect(cut.closed).toBe(true);
    expect(cut.elapsedMs).toBeGreaterThanOrEqual(DISCARD_MS - 100);
    expect(cut.elapsedMs).toBeLessThan(DISCARD_MS + 5_000);
  });
});
