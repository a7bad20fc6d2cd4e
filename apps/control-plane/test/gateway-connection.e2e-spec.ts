/**
 * Who may hold a sync stream, and what the control plane shows about it: replicas of one
 * registration, heartbeat timeouts, revoked certificates, deleted targets, foreign and unknown
 * certificates.
 */
import { X509Certificate } from 'node:crypto';
import { type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { createKeyAndCsr, readRegistration } from '#portico/gateway-registration';
import type { ConnectRequest, ConnectResponse, Snapshot } from '#portico/proto-ts';
import { createTestCa, freePort, type GatewayProcess, startGatewayProcess } from '#portico/testing';
import { CertificateAuthorityService } from '../src/gateway-registration/certificate-authority.service.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  deploymentStatus,
  deployMcpInstance,
  eventually,
  MCP_SUPPORT,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';
import { hello, syncClient, type SyncIdentity } from './support/sync-stream.js';

const HELLO = hello('raw');

/** Opens a raw stream with the given client certificate, sends `first`, and returns how the stream ended. */
async function connectWith(
  registration: { syncAddress: string; caCertificate: string },
  keyPem: string,
  certPem: string,
  first: ConnectRequest = HELLO,
): Promise<ServiceError> {
  const client = syncClient({ ...registration, privateKey: keyPem, certificate: certPem });
  try {
    return await new Promise<ServiceError>((resolve) => {
      const stream = client.connect();
      stream.on('data', (_msg: ConnectResponse) => undefined);
      stream.on('error', resolve);
      stream.write(first);
    });
  } finally {
    client.close();
  }
}

/**
 * A replica speaking the sync protocol directly (no data plane): Hello with `replicaId`, heartbeats,
 * and every Snapshot answered by `answer` (a Nack when it returns an error message, else an Ack).
 */
function rawReplica(registration: SyncIdentity, replicaId: string, answer: (snapshot: Snapshot) => string | undefined) {
  const client = syncClient(registration);
  const snapshots: Snapshot[] = [];
  const stream = client.connect();
  stream.on('error', () => undefined);
  stream.on('data', (msg: ConnectResponse) => {
    if (msg.message?.$case !== 'snapshot') return;
    const snapshot = msg.message.value;
    snapshots.push(snapshot);
    const error = answer(snapshot);
    stream.write(
      error === undefined
        ? {
            message: {
              $case: 'ack',
              value: { nonce: snapshot.nonce, revision: snapshot.revision, hash: snapshot.hash, failedApis: [] },
            },
          }
        : {
            message: {
              $case: 'nack',
              value: { nonce: snapshot.nonce, rejectedRevision: snapshot.revision, runningRevision: 0, errorMessage: error },
            },
          },
    );
  });
  stream.write(hello(replicaId, 'raw'));
  // faster than the test control plane's heartbeat interval
  const heartbeat = setInterval(
    () => stream.write({ message: { $case: 'heartbeat', value: { runningRevision: 0, runningHash: '' } } }),
    200,
  );
  return {
    snapshots,
    close: () => {
      clearInterval(heartbeat);
      stream.cancel();
      client.close();
    },
  };
}

describe('gateway connections', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  const processes: GatewayProcess[] = [];
  let envPath: string;

  const start = async (registered: RegisteredGateway, listenHost = '127.0.0.1') => {
    const gateway = await startGatewayProcess({ dir: registered.dir, listenHost });
    processes.push(gateway);
    return gateway;
  };
  const gatewayPath = (registered: RegisteredGateway) => `/standalone/api/v1${envPath}/gateways/${registered.gatewayId}`;
  const targetRow = async (registered: RegisteredGateway) => {
    const res = await cp.request('GET', `/apimanager/xapi/v1${envPath}/gateway-targets`, { token: tenant.token });
    return res.body.rows.find((r: { id: string }) => r.id === registered.gatewayId);
  };
  const replicas = async (registered: RegisteredGateway) =>
    (await cp.request('GET', `${gatewayPath(registered)}/replicas`, { token: tenant.token })).body.content;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '0.5', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    envPath = `/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await cp?.close();
    await closeTestPrisma();
  });

  it('shows the processes of one registration as replicas of one running target', async () => {
    const registered = await registerGateway(cp, tenant, 'replicated');
    expect((await targetRow(registered)).status).toBe('DISCONNECTED');
    // Replicas on one machine bind their listeners on different loopback addresses.
    const [one, two] = await Promise.all([start(registered, '127.0.0.1'), start(registered, '127.0.0.2')]);
    await Promise.all([one, two].map((g) => g.waitForStatus((s) => s.sync.state === 'connected')));
    const row = await eventually(async () => {
      const r = await targetRow(registered);
      return r?.replicas === 2 ? r : undefined;
    }, 'two connected replicas');
    expect(row).toMatchObject({ status: 'RUNNING', version: '1.0.0' });
    expect((await replicas(registered)).map((r: { nodeId: string }) => r.nodeId).sort()).toEqual(
      [one.replicaId, two.replicaId].sort(),
    );
  });

  it('fails the deployments of a revision a replica NACKs, and never pushes that revision to it again', async () => {
    const registered = await registerGateway(cp, tenant, 'nacking');
    const registration = await readRegistration(registered.dir);
    const instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: 'http://127.0.0.1:9/',
      port: await freePort(),
      basePath: '/nacked',
      targetId: registered.gatewayId,
    });
    const first = rawReplica(registration, 'nacker', () => 'cannot store the configuration: disk full');
    try {
      await eventually(async () => ((await deploymentStatus(cp, tenant, instance)) === 'failed' ? true : undefined), 'failed');
      const [replica] = await replicas(registered);
      expect(replica.configurationStatus).toEqual({ status: 'FAILED', message: 'cannot store the configuration: disk full' });
      const deployments = `${instance.apisPath}/${instance.apiId}/deployments`;
      const [deployment] = (await cp.request('GET', deployments, { token: tenant.token })).body;
      const status = await cp.request('GET', `${deployments}/${deployment.id}/status`, { token: tenant.token });
      expect(status.body.errorMessage).toBe('cannot store the configuration: disk full');
    } finally {
      first.close();
    }
    const rejected = first.snapshots.at(-1)!.revision;

    const second = rawReplica(registration, 'nacker', () => undefined);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // more than two revision polls
      expect(second.snapshots).toEqual([]);
      // A newer revision is pushed (and this time applied).
      const label = await cp.request('PATCH', `${instance.apisPath}/${instance.apiId}`, {
        token: tenant.token,
        json: { instanceLabel: uniqueName('relabelled') },
      });
      expect(label.status).toBe(200);
      await rolledOut(cp, tenant, instance);
      expect(second.snapshots.map((snapshot) => snapshot.revision > rejected)).toEqual([true]);
    } finally {
      second.close();
    }
  });

  it('refuses a policy its connected replicas do not implement (an older gateway), naming the policy and the target', async () => {
    const registered = await registerGateway(cp, tenant, 'older');
    const older = rawReplica(await readRegistration(registered.dir), 'older-build', () => undefined); // capabilities: []
    try {
      await eventually(async () => ((await replicas(registered))[0]?.status === 'CONNECTED' ? true : undefined), 'connected');
      expect((await replicas(registered))[0].capabilities).toEqual([]);
      const instance = await deployMcpInstance(cp, tenant, {
        upstreamUrl: 'http://127.0.0.1:9/',
        port: await freePort(),
        basePath: '/older',
        targetId: registered.gatewayId,
        mcpSupport: false,
      });
      const applied = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/policies`, {
        token: tenant.token,
        json: { ...MCP_SUPPORT, configurationData: {} },
      });
      expect(applied.status).toBe(409);
      expect(applied.body.message).toBe(
        `Policy mcp-support cannot be enforced by gateway older (${registered.gatewayId}): its gateways implement no policy`,
      );
    } finally {
      older.close();
    }
  });

  it('counts a replica that stops heartbeating as disconnected, and connected again once it resumes', async () => {
    const registered = await registerGateway(cp, tenant, 'paused');
    const gateway = await start(registered);
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    await eventually(async () => ((await targetRow(registered))?.status === 'RUNNING' ? true : undefined), 'RUNNING');
    gateway.child.kill('SIGSTOP');
    try {
      // The process holds its TCP connection but says nothing: three missed heartbeats end the stream.
      await eventually(async () => ((await targetRow(registered))?.status === 'DISCONNECTED' ? true : undefined), 'DISCONNECTED');
      expect((await replicas(registered))[0]).toMatchObject({ status: 'DISCONNECTED' });
    } finally {
      gateway.child.kill('SIGCONT');
    }
    await eventually(async () => ((await targetRow(registered))?.status === 'RUNNING' ? true : undefined), 'RUNNING again');
  });

  it('ends the stream of a revoked certificate and refuses it from then on', async () => {
    const registered = await registerGateway(cp, tenant, 'revoked');
    const gateway = await start(registered);
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    const { certificate } = await readRegistration(registered.dir);
    const serial = new X509Certificate(certificate).serialNumber;
    const revoked = await cp.request('DELETE', `${gatewayPath(registered)}/certificates/${serial}`, { token: tenant.token });
    expect(revoked.status).toBe(204);
    const status = await gateway.waitForStatus((s) => /revoked/.test(s.sync.lastError ?? ''));
    expect(status.sync.lastError).toBe(`PERMISSION_DENIED: certificate ${serial} was revoked`);
    // A new stream with the same certificate is refused at once.
    const registration = await readRegistration(registered.dir);
    const refused = await connectWith(registration, registration.privateKey, registration.certificate);
    expect(refused.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(refused.details).toBe(`certificate ${serial} was revoked`);
  });

  it('ends the stream of a revoked certificate at once even while a push awaits an answer that never comes', async () => {
    const registered = await registerGateway(cp, tenant, 'mute');
    const registration = await readRegistration(registered.dir);
    const serial = new X509Certificate(registration.certificate).serialNumber;
    const client = syncClient(registration);
    try {
      const stream = client.connect();
      // A replica that takes the snapshot and never ACKs it; it heartbeats, so only the revocation can end its stream.
      const heartbeat = setInterval(
        () => stream.write({ message: { $case: 'heartbeat', value: { runningRevision: 0, runningHash: '' } } }),
        100,
      );
      stream.on('close', () => clearInterval(heartbeat));
      stream.on('error', () => clearInterval(heartbeat));
      const pushed = new Promise<void>((resolve) =>
        stream.on('data', (msg: ConnectResponse) => msg.message?.$case === 'snapshot' && resolve()),
      );
      const ended = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
      stream.write(HELLO);
      await pushed;
      const revoked = await cp.request('DELETE', `${gatewayPath(registered)}/certificates/${serial}`, { token: tenant.token });
      expect(revoked.status).toBe(204);
      const at = Date.now();
      // Not the heartbeat timeout's UNAVAILABLE: the revocation itself ends the stream.
      expect(await ended).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: `certificate ${serial} was revoked` });
      expect(Date.now() - at).toBeLessThan(2_000);
    } finally {
      client.close();
    }
  });

  it('ends the stream of a deleted gateway and refuses it from then on', async () => {
    const registered = await registerGateway(cp, tenant, 'deleted');
    const gateway = await start(registered);
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    expect((await cp.request('DELETE', gatewayPath(registered), { token: tenant.token })).status).toBe(202);
    const status = await gateway.waitForStatus((s) => /deleted/.test(s.sync.lastError ?? ''));
    expect(status.sync.lastError).toBe('PERMISSION_DENIED: gateway deleted was deleted');
    const registration = await readRegistration(registered.dir);
    const refused = await connectWith(registration, registration.privateKey, registration.certificate);
    expect(refused).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: 'gateway deleted was deleted' });
  });

  it('refuses a certificate of another CA at the TLS handshake, and one of its CA that it never issued', async () => {
    const registered = await registerGateway(cp, tenant, 'genuine');
    const registration = await readRegistration(registered.dir);

    const foreign = await createTestCa('Foreign CA');
    const impostor = await foreign.issue({ commonName: 'impostor', usage: 'client' });
    const handshake = await connectWith(registration, impostor.privateKeyPem, impostor.certificatePem);
    expect(handshake.code).toBe(GrpcStatus.UNAVAILABLE);

    // Signed by the right CA, but not a certificate registration issued (no record of it).
    const { privateKeyPem, csrPem } = await createKeyAndCsr('unrecorded');
    const unrecorded = await cp.app.get(CertificateAuthorityService).signGatewayCertificate(csrPem, {
      organizationId: tenant.organizationId,
      environmentId: tenant.sandboxId,
      targetId: registered.gatewayId,
      name: 'unrecorded',
    });
    const unknown = await connectWith(registration, privateKeyPem, unrecorded.certificatePem);
    expect(unknown).toMatchObject({
      code: GrpcStatus.UNAUTHENTICATED,
      details: `certificate ${unrecorded.serialNumber} is unknown`,
    });
  });
  it('refuses a stream that does not open with a Hello, or whose protocol range it does not speak', async () => {
    const registered = await registerGateway(cp, tenant, 'protocol');
    const registration = await readRegistration(registered.dir);
    const { privateKey, certificate } = registration;
    const heartbeatFirst = await connectWith(registration, privateKey, certificate, {
      message: { $case: 'heartbeat', value: { runningRevision: 0, runningHash: '' } },
    });
    expect(heartbeatFirst).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'the first message must be a Hello' });
    const future = await connectWith(registration, privateKey, certificate, {
      message: { $case: 'hello', value: { ...(HELLO.message!.value as object), protocolMin: 2, protocolMax: 3 } as never },
    });
    expect(future).toMatchObject({
      code: GrpcStatus.FAILED_PRECONDITION,
      details: 'gateway speaks sync protocol 2..3; this control plane speaks 1',
    });
  });
});

describe('maximum connection age', () => {
  let cp: TestControlPlane;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_SYNC_MAX_CONNECTION_AGE_SECONDS: '1', PORTICO_GATEWAY_HEARTBEAT_SECONDS: '0.5' });
  });
  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    await cp?.close();
    await closeTestPrisma();
  });

  it('ends old streams so gateways reconnect at once, without counting it as an error', async () => {
    const tenant = await newTenant(cp);
    const registered = await registerGateway(cp, tenant, 'rebalanced');
    gateway = await startGatewayProcess({ dir: registered.dir });
    const status = await gateway.waitForStatus((s) => s.sync.streams >= 3 && s.sync.state === 'connected', 20_000);
    expect(status.sync.lastError).toBeNull();
    // Reconnecting to the same control plane pushes nothing new: the replica is current.
    expect(status.sync.snapshots).toBe(1);
  });
});
