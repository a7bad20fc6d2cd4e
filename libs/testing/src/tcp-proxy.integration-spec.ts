import { connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** What happened to one connection through the proxy: the echo of `ping`, or how it ended. */
function exchange(port: number, waitMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('no answer'), waitMs);
    socket.once('connect', () => socket.write('ping'));
    socket.once('data', (data) => done(`echo ${data.toString()}`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.once('end', () => done('closed'));
  });
}

/** A connection through the proxy that answered once; `ended` resolves when it closes. */
async function openConnection(port: number): Promise<{ ended: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve('closed')));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()).once('connect', () => socket.write('ping')));
  return { ended };
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    proxy = await startTcpProxy((echo.address() as { port: number }).port);
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards, drops and refuses when down, and forwards again on the same port when up', async () => {
    expect(await exchange(proxy.port)).toBe('echo ping');
    const open = await openConnection(proxy.port);
    await proxy.down();
    expect(await open.ended).toBe('closed');
    expect(await exchange(proxy.port)).toBe('ECONNREFUSED');
    await proxy.up();
    await proxy.up(); // already up: nothing changes
    expect(await exchange(proxy.port)).toBe('echo ping');
  });

  it('accepts and never answers when stalled, and drops the stalled connections when up', async () => {
    const open = await openConnection(proxy.port);
    await proxy.stall();
    expect(await open.ended).toBe('closed');
    const stalled = connect(proxy.port, '127.0.0.1');
    const stalledEnd = new Promise<string>((resolve) => stalled.once('close', () => resolve('closed')));
    stalled.on('error', () => undefined);
    expect(await exchange(proxy.port, 300)).toBe('no answer');
    await proxy.up();
    expect(await stalledEnd).toBe('closed');
    expect(await exchange(proxy.port)).toBe('echo ping');
    // stalled while down: listens again, still answering nothing
    await proxy.down();
    await proxy.stall();
    expect(await exchange(proxy.port, 300)).toBe('no answer');
    await proxy.up();
    expect(await exchange(proxy.port)).toBe('echo ping');
  });
});
