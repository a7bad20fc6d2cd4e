/**
 * A TCP proxy on 127.0.0.1 in front of a real service (Redis, Postgres, an upstream), for fault
 * tests: it can be taken down, which drops every connection through it and refuses new ones as a
 * stopped service would; stalled, which drops every connection and then accepts new ones without
 * ever answering, as a hung host would; and brought back on the same port.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and stops listening (new connections are refused). */
  down(): Promise<void>;
  /**
   * Drops every open connection; new ones are accepted but nothing passes either way (clients
   * see their connect or query time out). `up()` ends it.
   */
  stall(): Promise<void>;
  /** Forwards again, listening on the same port; stalled connections are dropped. No-op when already up. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        track(client);
        if (stalled) {
          client.on('error', () => undefined);
          return;
        }
        const target = createConnection(targetPort, targetHost);
        track(target);
        client.pipe(target).pipe(client);
        client.on('error', () => target.destroy());
        target.on('error', () => client.destroy());
      });
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
    stalled = false;
    dropAll();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    down,
    async stall() {
      stalled = true;
      dropAll();
      if (!server) await listen();
    },
    async up() {
      if (stalled) {
        stalled = false;
        dropAll();
      }
      if (!server) await listen();
    },
    close: down,
  };
}
