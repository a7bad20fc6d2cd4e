/**
 * A gateway replica's side of AccessEventService for tests: Publish over the real gRPC server with
 * a registered gateway's client certificate, and access events with sensible defaults.
 */
import { randomUUID } from 'node:crypto';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { readRegistration } from '#portico/gateway-registration';
import { AccessEvent, AccessEventServiceClient, PublishRequest, type PublishResponse } from '#portico/proto-ts';
import { freePort } from '#portico/testing';
import type { ControlPlaneClient } from './control-plane.js';
import { type TestTenant, uniqueName } from './factories.js';
import { deployMcpInstance } from './gateways.js';

export interface AccessEventPublisher {
  /** Publishes `request` (replica `replica-1` unless it says otherwise); rejects with the ServiceError. */
  publish(request: Partial<PublishRequest>): Promise<PublishResponse>;
  close(): void;
}

/** A publisher holding the client certificate of the gateway registered into `dir`. */
export async function accessEventPublisher(dir: string): Promise<AccessEventPublisher> {
  const r = await readRegistration(dir);
  const client = new AccessEventServiceClient(
    r.syncAddress,
    credentials.createSsl(Buffer.from(r.caCertificate), Buffer.from(r.privateKey), Buffer.from(r.certificate)),
  );
  return {
    publish: (request) =>
      new Promise((resolve, reject) =>
        client.publish(
          PublishRequest.fromPartial({ replicaId: 'replica-1', replicaName: 'replica one', ...request }),
          (err: ServiceError | null, response: PublishResponse) => (err ? reject(err) : resolve(response)),
        ),
      ),
    close: () => client.close(),
  };
}

/** A tools/call of `echo` that went well, one second ago, with `fields` on top. */
export function accessEvent(fields: Partial<AccessEvent> & { apiId: string }): AccessEvent {
  return AccessEvent.fromPartial({
    id: randomUUID(),
    timeUnixMs: Date.now() - 1000,
    requestId: randomUUID(),
    sessionId: 'session-1',
    httpMethod: 'POST',
    path: '/mcp',
    httpStatus: 200,
    mcpMethod: 'tools/call',
    jsonrpcId: '1',
    targetName: 'echo',
    durationUs: 1500,
    upstreamLatencyUs: 1000,
    bytesIn: 120,
    bytesOut: 340,
    clientAddress: '127.0.0.1',
    userAgent: 'test-agent/1.0',
    ...fields,
  });
}

/** An MCP instance of the tenant's Sandbox deployed to `targetId` (its upstream never called); its id. */
export async function deployedApi(cp: ControlPlaneClient, tenant: TestTenant, targetId: string): Promise<number> {
  const instance = await deployMcpInstance(cp, tenant, {
    upstreamUrl: 'http://127.0.0.1:9/',
    port: await freePort(),
    basePath: `/${uniqueName('events')}`,
    targetId,
    mcpSupport: false,
  });
  return instance.apiId;
}
