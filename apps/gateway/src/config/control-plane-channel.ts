/**
 * The gRPC channels the gateway opens to the control plane (the sync stream, the access-event
 * publisher), over mTLS with the registration's certificate.
 *
 * Callers MUST replace a channel once an attempt on it could not reach the control plane, rather
 * than try again on it: a grpc-js channel that failed to connect runs a reconnect backoff of its
 * own (1 s growing ×1.6 up to 120 s) and until that ends fails every call at once with its last
 * attempt's error — a stale ECONNREFUSED while the control plane is already back. With a new
 * channel every attempt is a real one, paced by ReconnectBackoff. Each channel gets a subchannel
 * pool of its own, so a new channel is never handed the old one's subchannel (backoff and all)
 * from the process-wide pool, whatever grpc-js counts as the same target and credentials.
 */
import type { Registration } from '#portico/gateway-registration';
import { type ChannelCredentials, type ChannelOptions, type Client, connectivityState, credentials } from '@grpc/grpc-js';

/** Where the control plane is and who this gateway is to it. */
export interface ControlPlaneIdentity {
  readonly address: string;
  readonly caPem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** The identity a registration (registration.yaml) gives. */
export function controlPlaneIdentity(registration: Registration): ControlPlaneIdentity {
  return {
    address: registration.syncAddress,
    caPem: registration.caCertificate,
    certificatePem: registration.certificate,
    privateKeyPem: registration.privateKey,
  };
}

type ClientConstructor<C> = new (address: string, credentials: ChannelCredentials, options: ChannelOptions) => C;

/** A client of `ClientClass` on a channel of its own to the control plane. */
export function openControlPlaneChannel<C extends Client>(
  ClientClass: ClientConstructor<C>,
  identity: ControlPlaneIdentity,
  options: ChannelOptions,
): C {
  return new ClientClass(
    identity.address,
    credentials.createSsl(Buffer.from(identity.caPem), Buffer.from(identity.privateKeyPem), Buffer.from(identity.certificatePem)),
    { ...options, 'grpc.use_local_subchannel_pool': 1 },
  );
}

/**
 * Whether the control plane answered the call that just failed on `client` (its connection is
 * up: the failure is a refusal) rather than not being reached. Ask before closing the client.
 */
export function controlPlaneAnswered(client: Client): boolean {
  return client.getChannel().getConnectivityState(false) === connectivityState.READY;
}
