/**
 * The gateway sync service: a gRPC server (mTLS) carrying ConfigSyncService.Connect streams,
 * AccessEventService.Publish calls (access-events/access-event-ingest.service.ts) and
 * BackendTokenService calls (backend-oauth/backend-oauth.service.ts).
 *
 * Every control-plane replica runs one. Its server certificate is issued at start by the shared
 * CA; clients must present a certificate of the same CA, and the stream is accepted only when
 * that certificate is one Portico issued, is not revoked, and names a target that exists and is
 * not deleted; the same check admits each Publish, whose events are taken for that target alone.
 * Revisions come from the database (triggers), so any replica can serve any gateway
 * and a gateway may resume on another replica; LISTEN/NOTIFY plus a poll wake the sessions
 * (revision-watcher.ts).
 *
 * While the database is unavailable, open streams stay open (gateway-session.ts), and calls
 * that need it — a new stream's certificate check, a Publish — are refused with UNAVAILABLE,
 * which gateways retry; the outage is logged when it starts and ends, not per call. The first
 * successful poll afterwards re-checks every target and writes the reports that waited.
 */
import { hostname } from 'node:os';
import { X509Certificate } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import {
  AccessEventServiceService,
  BackendTokenServiceService,
  ConfigSyncServiceService,
  type ConnectRequest,
  type ConnectResponse,
  type GetUserTokenRequest,
  type GetUserTokenResponse,
  type PublishRequest,
  type PublishResponse,
  type RevokeUserTokenRequest,
  type RevokeUserTokenResponse,
} from '#portico/proto-ts';
import { BackendOAuthService } from '../backend-oauth/backend-oauth.service.js';
import { AccessEventIngest } from '../access-events/access-event-ingest.service.js';
import { DatabaseOutage } from '../common/database-outage.js';
import { DATABASE_URL } from '../common/prisma.service.js';
import { SecretBox } from '../common/secret-box.js';
import { ENV, type Env } from '../config/env.js';
import { CertificateAuthorityService } from '../gateway-registration/certificate-authority.service.js';
import { parseGatewayIdentity } from '../gateway-registration/gateway-identity.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { McpInventoryService } from '../mcp-inventory/mcp-inventory.service.js';
import { ToolPinsService } from '../tool-pins/tool-pins.service.js';
import { ConfigSyncRepository } from './config-sync.repository.js';
import { DATABASE_UNAVAILABLE_DETAILS, GatewaySession, type SessionIdentity } from './gateway-session.js';
import { RevisionWatcher } from './revision-watcher.js';
import { TargetStates } from './target-states.js';
import { SyncEndpoint } from './sync-endpoint.js';

/** Snapshots are small, but a large deployment must not hit grpc-js's 4 MiB default. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

type Call = ServerDuplexStream<ConnectRequest, ConnectResponse>;

/** How a call is refused: a gRPC status and its details. */
interface Refusal {
  code: GrpcStatus;
  details: string;
}

@Injectable()
export class ConfigSyncServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConfigSync');
  private readonly outage = new DatabaseOutage(
    this.logger,
    'open sync streams stay open on the configuration their gateways run, their reports wait; new streams and access events are refused with UNAVAILABLE',
  );
  private readonly sessions = new Map<string, Set<GatewaySession>>();
  private server?: Server;
  private watcher?: RevisionWatcher;
  private readonly states: TargetStates;

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    private readonly repo: ConfigSyncRepository,
    private readonly toolPins: ToolPinsService,
    private readonly apiKeys: ApiKeysService,
    private readonly ca: CertificateAuthorityService,
    secrets: SecretBox,
    private readonly endpoint: SyncEndpoint,
    private readonly accessEvents: AccessEventIngest,
    private readonly backendOAuth: BackendOAuthService,
    private readonly inventory: McpInventoryService,
  ) {
    this.states = new TargetStates(repo, (sealed) => secrets.open(sealed));
  }

  async onApplicationBootstrap(): Promise<void> {
    const host = this.env.PORTICO_SYNC_HOST ?? this.env.PORTICO_HOST;
    const { certificatePem, privateKeyPem } = await this.ca.issueServerCertificate(this.serverNames(host));
    const credentials = ServerCredentials.createSsl(
      Buffer.from(this.ca.caCertificatePem()),
      [{ cert_chain: Buffer.from(certificatePem), private_key: Buffer.from(privateKeyPem) }],
      true,
    );
    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    server.addService(ConfigSyncServiceService, { connect: (call: Call) => void this.accept(call) });
    server.addService(AccessEventServiceService, {
      // a batch of access events, taken for the target of the caller's certificate
      publish: (call: ServerUnaryCall<PublishRequest, PublishResponse>, callback: sendUnaryData<PublishResponse>) =>
        void this.unary(call, callback, 'taking access events', (targetId) => this.accessEvents.publish(targetId, call.request)),
    });
    server.addService(BackendTokenServiceService, {
      getUserToken: (
        call: ServerUnaryCall<GetUserTokenRequest, GetUserTokenResponse>,
        callback: sendUnaryData<GetUserTokenResponse>,
      ) =>
        void this.unary(call, callback, 'handing out a backend token', (targetId) =>
          this.backendOAuth.userToken(targetId, call.request),
        ),
      revokeUserToken: (
        call: ServerUnaryCall<RevokeUserTokenRequest, RevokeUserTokenResponse>,
        callback: sendUnaryData<RevokeUserTokenResponse>,
      ) =>
        void this.unary(call, callback, 'revoking a backend token', (targetId) =>
          this.backendOAuth.revokeUserToken(targetId, call.request),
        ),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${this.env.PORTICO_SYNC_PORT}`, credentials, (err, bound) =>
        err
          ? reject(new Error(`gateway sync service cannot listen on ${host}:${this.env.PORTICO_SYNC_PORT}: ${err.message}`))
          : resolve(bound),
      ),
    );
    this.server = server;
    // A DNS name, not an IP: TLS clients send it as SNI (RFC 6066 allows no IP there); the server
    // certificate always covers localhost.
    const dialHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(host) ? 'localhost' : host;
    this.endpoint.set(this.env.PORTICO_SYNC_PUBLIC_ADDRESS ?? `${dialHost}:${port}`);
    this.watcher = new RevisionWatcher({
      databaseUrl: this.databaseUrl,
      pollIntervalMs: this.env.PORTICO_SYNC_POLL_SECONDS * 1000,
      onChange: (targetId) => this.changed(targetId),
      onPoll: () => void this.poll(),
    });
    await this.watcher.start();
    this.logger.log(`gateway sync service (gRPC, mTLS) listening on ${host}:${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watcher?.stop();
    for (const set of this.sessions.values()) {
      for (const session of set) session.end(GrpcStatus.UNAVAILABLE, 'control plane shutting down');
    }
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.forceShutdown(), 2_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /** Connected sessions per target (status and tests). */
  sessionCount(targetId: string): number {
    return this.sessions.get(targetId)?.size ?? 0;
  }

  /** Sessions open on this process, every target's (metrics). */
  openSessions(): number {
    let open = 0;
    for (const set of this.sessions.values()) open += set.size;
    return open;
  }

  private async accept(call: Call): Promise<void> {
    let identity: SessionIdentity;
    try {
      identity = await this.authenticate(call);
    } catch (err) {
      const refusal = this.statusFor(err, 'accepting a sync stream');
      // an outage is logged once (DatabaseOutage), not at every gateway's retry
      if (refusal.details !== DATABASE_UNAVAILABLE_DETAILS) {
        this.logger.warn(`refused a sync stream from ${call.getPeer()}: ${refusal.details}`);
      }
      call.emit('error', refusal);
      return;
    }
    const session = new GatewaySession(call, identity, {
      repo: this.repo,
      recordToolDefinition: (report) => this.toolPins.recordReport(report),
      recordApiKeyUse: (targetId, apiId, keyId) => this.apiKeys.recordUse(targetId, apiId, keyId),
      recordObservedTools: (targetId, report) => this.inventory.recordObserved(targetId, report),
      targetState: (targetId) => this.states.get(targetId),
      heartbeatIntervalMs: this.env.PORTICO_GATEWAY_HEARTBEAT_SECONDS * 1000,
      maxAgeMs: this.env.PORTICO_SYNC_MAX_CONNECTION_AGE_SECONDS * 1000,
      outage: this.outage,
      logger: this.logger,
      onClose: (s) => this.closed(s),
    });
    let set = this.sessions.get(identity.targetId);
    if (!set) this.sessions.set(identity.targetId, (set = new Set()));
    set.add(session);
  }

  /** A unary call of the gateway whose certificate names `targetId`, answered by `handle`. */
  private async unary<Req, Res>(
    call: ServerUnaryCall<Req, Res>,
    callback: sendUnaryData<Res>,
    doing: string,
    handle: (targetId: string) => Promise<Res>,
  ): Promise<void> {
    try {
      const { targetId } = await this.authenticate(call);
      callback(null, await handle(targetId));
    } catch (err) {
      const refusal = this.statusFor(err, doing);
      if (refusal.code === GrpcStatus.UNAUTHENTICATED || refusal.code === GrpcStatus.PERMISSION_DENIED) {
        this.logger.warn(`refused ${doing} to ${call.getPeer()}: ${refusal.details}`);
      }
      callback(refusal);
    }
  }

  /**
   * The status a call ends with for `err`: refusals of authenticate() and PublishFailures carry
   * theirs; an unavailable database, or anything else, is UNAVAILABLE — worth the gateway's retry
   * — never grpc-js's UNKNOWN. Only the unexpected is logged here.
   */
  private statusFor(err: unknown, doing: string): Refusal {
    if (typeof (err as { code?: unknown }).code === 'number') return err as Refusal;
    if (this.outage.failed(err)) return { code: GrpcStatus.UNAVAILABLE, details: DATABASE_UNAVAILABLE_DETAILS };
    this.logger.error(`${doing} failed: ${(err as Error).message}`, (err as Error).stack);
    return { code: GrpcStatus.UNAVAILABLE, details: `the control plane failed ${doing}; retry later` };
  }

  /** The identity of the client certificate, if Portico issued it and it still counts. */
  private async authenticate(call: Pick<Call, 'getAuthContext'>): Promise<SessionIdentity> {
    const raw = call.getAuthContext().sslPeerCertificate?.raw;
    if (!raw) throw refusal(GrpcStatus.UNAUTHENTICATED, 'a client certificate is required');
    let identity: ReturnType<typeof parseGatewayIdentity>;
    try {
      identity = parseGatewayIdentity(new X509Certificate(raw));
    } catch (err) {
      throw refusal(GrpcStatus.UNAUTHENTICATED, `not a gateway certificate: ${(err as Error).message}`);
    }
    const stored = await this.repo.findCertificate(identity.serialNumber);
    if (!stored || stored.targetId !== identity.targetId) {
      throw refusal(GrpcStatus.UNAUTHENTICATED, `certificate ${identity.serialNumber} is unknown`);
    }
    if (stored.revokedAt) throw refusal(GrpcStatus.PERMISSION_DENIED, `certificate ${identity.serialNumber} was revoked`);
    if (stored.target.deletedAt) throw refusal(GrpcStatus.PERMISSION_DENIED, `gateway ${stored.target.name} was deleted`);
    return { targetId: identity.targetId, serialNumber: identity.serialNumber, notAfter: stored.notAfter };
  }

  /** A change to `targetId` was committed: rebuild its state once, then let its sessions push. */
  private changed(targetId: string): void {
    const sessions = this.sessions.get(targetId);
    if (!sessions) return;
    this.states.invalidate(targetId);
    for (const session of sessions) session.wake();
  }

  private closed(session: GatewaySession): void {
    const sessions = this.sessions.get(session.targetId);
    sessions?.delete(session);
    if (sessions?.size === 0) {
      this.sessions.delete(session.targetId);
      this.states.invalidate(session.targetId);
    }
  }

  /** Behind NOTIFY: a revision that moved without a notification heard counts as a change. */
  private async poll(): Promise<void> {
    if (!this.sessions.size) return;
    let revisions: Map<string, number>;
    try {
      revisions = await this.repo.revisions([...this.sessions.keys()]);
    } catch (err) {
      if (!this.outage.failed(err)) this.logger.warn(`revision poll failed: ${(err as Error).message}`);
      return;
    }
    this.outage.succeeded();
    for (const [targetId, sessions] of this.sessions) {
      const revision = revisions.get(targetId);
      if (revision === undefined) {
        for (const session of sessions) session.end(GrpcStatus.PERMISSION_DENIED, `gateway ${targetId} no longer exists`);
        continue;
      }
      if ((await this.states.heldRevision(targetId)) !== revision) this.states.invalidate(targetId);
      for (const session of sessions) {
        session.retryDeferred();
        session.revisionSeen(revision);
      }
    }
  }

  /** Names gateways may dial: loopback, this host, the public address and PORTICO_SYNC_TLS_HOSTNAMES. */
  private serverNames(host: string): string[] {
    const names = ['localhost', '127.0.0.1', '::1', hostname()];
    if (host !== '0.0.0.0' && host !== '::') names.push(host);
    const publicHost = this.env.PORTICO_SYNC_PUBLIC_ADDRESS?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (publicHost) names.push(publicHost);
    names.push(
      ...this.env.PORTICO_SYNC_TLS_HOSTNAMES.split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    );
    return [...new Set(names)];
  }
}

function refusal(code: GrpcStatus, details: string): Refusal {
  return { code, details };
}
