/**
 * A replica's side of the sync stream, for specs that speak the protocol directly: a
 * ConfigSyncService client holding a client certificate, and the Hello a replica opens with.
 */
import { credentials } from '@grpc/grpc-js';
import { ConfigSyncServiceClient, type ConnectRequest } from '#portico/proto-ts';

/** Where a registered gateway streams to (and the CA it trusts there), and the client certificate it streams with (PEM). */
export interface SyncIdentity {
  syncAddress: string;
  caCertificate: string;
  privateKey: string;
  certificate: string;
}

/** A client of the sync service at `identity.syncAddress`, over TLS with its client certificate; the caller closes it. */
export function syncClient(identity: SyncIdentity): ConfigSyncServiceClient {
  return new ConfigSyncServiceClient(
    identity.syncAddress,
    credentials.createSsl(
      Buffer.from(identity.caCertificate),
      Buffer.from(identity.privateKey),
      Buffer.from(identity.certificate),
    ),
  );
}

/** The Hello of a replica that runs nothing yet (revision 0, no capabilities), speaking protocol 1 only. */
export function hello(replicaId: string, replicaName = replicaId): ConnectRequest {
  return {
    message: {
      $case: 'hello',
      value: {
        protocolMin: 1,
        protocolMax: 1,
        replicaId,
        replicaName,
        gatewayVersion: '1.0.0',
        runningRevision: 0,
        runningHash: '',
        capabilities: [],
      },
    },
  };
}
