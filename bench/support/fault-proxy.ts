/**
 * A TCP proxy on 127.0.0.1 in front of an upstream that can be switched, with traffic flowing,
 * into the ways an upstream fails. libs/testing's startTcpProxy (down/stall/up) serves Postgres
 * and Redis; an upstream needs more ways to break:
 * - `pass`: forwards to the upstream;
 * - `slow`: forwards, but every chunk the upstream sends reaches the client `delayMs` later (in order);
 * - `reset`: every open connection is reset (RST) and so is every new one at its first bytes;
 * - `redirect`: forwards to another port (e.g. a server answering garbage);
 * - `down()`: stops listening and drops every connection, as the port of a killed process refuses.
 * Switching between `pass` and `redirect` drops the open connections, so that pooled keep-alive
 * connections do not keep reaching the previous target; `slow` and back keep them.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type FaultMode =
  { kind: 'pass' } | { kind: 'slow'; delayMs: number } | { kind: 'reset' } | { kind: 'redirect'; port: number };

export interface FaultProxy {
  readonly port: number;
  readonly mode: FaultMode;
  set(mode: FaultMode): void;
  /** Stops listening and drops every connection (new connections are refused). */
  down(): Promise<void>;
  /** Listens again on the same port (in the current mode). */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Writes what the target sends to `client`, each chunk `delay()` ms after it arrived, never out of order. */
function delayedWriter(client: Socket, delay: () => number): (chunk: Buffer) => void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.due <= now) client.write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };
  client.on('close', () => clearTimeout(timer));
  return (chunk) => {
    const due = Math.max(Date.now() + delay(), queue.at(-1)?.due ?? 0);
    if (queue.length === 0 && due <= Date.now()) {
      client.write(chunk);
      return;
    }
    queue.push({ due, chunk });
    if (!timer) timer = setTimeout(flush, due - Date.now());
  };
}

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  let mode: FaultMode = { kind: 'pass' };
  let server: Server | undefined;
  let port = 0;

  const accept = (client: Socket) => {
    track(client);
    if (mode.kind === 'reset') {
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const target = createConnection(mode.kind === 'redirect' ? mode.port : upstreamPort, '127.0.0.1');
    track(target);
    client.pipe(target);
    const write = delayedWriter(client, () => (mode.kind === 'slow' ? mode.delayMs : 0));
    target.on('data', write);
    target.on('end', () => client.end());
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(accept);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });
  const down = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    set(next) {
      const previous = mode;
      mode = next;
      if (next.kind === 'reset') for (const socket of sockets) socket.resetAndDestroy();
      else if (next.kind !== previous.kind && (next.kind === 'redirect' || previous.kind === 'redirect'))
        for (const socket of sockets) socket.destroy();
    },
    down,
    async up() {
      if (!server) await listen();
    },
    close: down,
  };
}
