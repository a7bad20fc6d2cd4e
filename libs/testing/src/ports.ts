/** Free TCP ports for tests (never a fixed port: tests run in parallel on shared machines). */
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on `host`: the OS picks it for a listener on port 0, which
 * is then closed. Another process may take it before the caller binds it; callers that bind
 * themselves should prefer port 0.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned')),
      );
    });
  });
}
