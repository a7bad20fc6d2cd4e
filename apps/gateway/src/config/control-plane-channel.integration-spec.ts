/**
 * Channels to the control plane against a real gRPC server (mTLS) standing in for it: a channel
 * that could not connect is replaced, because grpc-js keeps failing calls on it with its last
 * error while it backs off; a new channel reaches a control plane that is back at once.
 */
import { type Client, Server, ServerCredentials, type ServiceError, status } from '@grpc/grpc-js';
import { AccessEventServiceClient, AccessEventServiceService, type PublishResponse } from '#portico/proto-ts';
import { createTestCa, freePort } from '#portico/testing';
import { controlPlaneAnswered, type ControlPlaneIdentity, openControlPlaneChannel } from './control-plane-channel.js';

type Outcome = { ok: true } | { ok: false; code: status; details: string };

/** One Publish (empty) on `client`. */
function publish(client: AccessEventServiceClient): Promise<Outcome> {
  return new Promise((resolve) =>
    client.publish({ replicaId: 'r', replicaName: 'r', events: [], droppedTotal: 0 }, (err: ServiceError | null) =>
      resolve(err ? { ok: false, code: err.code, details: err.details } : { ok: true }),
    ),
  );
}

describe('control-plane channels', () => {
  let identity: ControlPlaneIdentity;
  let serverCredentials: ServerCredentials;
  const opened: Client[] = [];
  const servers: Server[] = [];

  const open = () => {
    const client = openControlPlaneChannel(AccessEventServiceClient, identity, {});
    opened.push(client);
    return client;
  };

  /** A control plane on `port` whose Publish ends with `refusal`, or OK without one. */
  async function startControlPlane(port: number, refusal?: { code: status; details: string }): Promise<void> {
    const server = new Server();
    server.addService(AccessEventServiceService, {
      publish: (_call: unknown, callback: (err: Partial<ServiceError> | null, res?: PublishResponse) => void) =>
        refusal ? callback(refusal) : callback(null, { accepted: 0, refused: 0 }),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, serverCredentials, (err) => (err ? reject(err) : resolve())),
    );
    servers.push(server);
  }

  beforeAll(async () => {
    const ca = await createTestCa();
    const server = await ca.issue({ commonName: 'control plane', names: ['localhost', '127.0.0.1'], usage: 'server' });
    const gateway = await ca.issue({ commonName: 'gateway', usage: 'client' });
    serverCredentials = ServerCredentials.createSsl(
      Buffer.from(ca.certificatePem),
      [{ cert_chain: Buffer.from(server.certificatePem), private_key: Buffer.from(server.privateKeyPem) }],
      true,
    );
    identity = {
      address: '',
      caPem: ca.certificatePem,
      certificatePem: gateway.certificatePem,
      privateKeyPem: gateway.privateKeyPem,
    };
  });

  afterEach(() => {
    for (const client of opened.splice(0)) client.close();
    for (const server of servers.splice(0)) server.forceShutdown();
  });

  it('reaches a control plane that is back on a new channel at once, while the failed channel still fails', async () => {
    const port = await freePort();
    identity = { ...identity, address: `localhost:${port}` };
    const failed = open();
    expect(await publish(failed)).toMatchObject({
      ok: false,
      code: status.UNAVAILABLE,
      details: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(controlPlaneAnswered(failed)).toBe(false);

    await startControlPlane(port);
    expect(await publish(open())).toEqual({ ok: true });
    // What the new channel is for: the failed one is still in its own backoff, and says the control plane refuses connections.
    expect(await publish(failed)).toMatchObject({ ok: false, details: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('tells a refusal of a control plane that answered from one that cannot be reached', async () => {
    const port = await freePort();
    identity = { ...identity, address: `localhost:${port}` };
    await startControlPlane(port, { code: status.UNAVAILABLE, details: 'the control plane cannot take access events now' });
    const client = open();
    expect(await publish(client)).toMatchObject({
      ok: false,
      code: status.UNAVAILABLE,
      details: 'the control plane cannot take access events now',
    });
    expect(controlPlaneAnswered(client)).toBe(true);
  });
});
