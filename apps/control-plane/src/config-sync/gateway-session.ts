/**
 * One gateway replica's configuration stream, after its certificate was accepted.
 *
 * Contract (proto/portico/config/v1/sync.proto): the first message is a Hello; the session answers
 * with a HelloAck and from then on pushes a Snapshot whenever the target's revision differs from
 * what the replica runs. At most one push is in flight: wake-ups while a push awaits its Ack/Nack
 * only mark the session dirty, and the newest state is pushed once it is answered (coalescing). A
 * revision the replica NACKed — on this stream or an earlier one — is never pushed to it again.
 * The session ends the stream when the target is deleted or the certificate revoked
 * (PERMISSION_DENIED), when the replica stops heartbeating (UNAVAILABLE), and at its maximum
 * age (UNAVAILABLE, so the replica reconnects at once, possibly to another control plane).
 *
 * A database outage does not end an accepted stream: the replica keeps running what it has, its
 * liveness is kept in memory, heartbeats the database cannot take are skipped, and its ACKs,
 * NACKs and policy reports wait in order until the database is back (record()). A stream still
 * opening cannot be set up without the database and is refused with UNAVAILABLE, which the
 * gateway retries. Max age is not enforced during an outage: a replica sent away then could not
 * be accepted again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { type ServerDuplexStream, status as GrpcStatus } from '@grpc/grpc-js';
import type { Ack, ConnectRequest, ConnectResponse, Hello, Nack, PolicyReport, ToolsObserved } from '#portico/proto-ts';
import type { DatabaseOutage } from '../common/database-outage.js';
import type { ToolDefinitionReported } from '../tool-pins/tool-pins.service.js';
import type { ConfigSyncRepository } from './config-sync.repository.js';
import type { TargetState } from './target-states.js';

/** The sync protocol versions this control plane speaks. */
export const PROTOCOL_VERSION = 1;

/** Status details of a stream (or call) refused because the database is unavailable. */
export const DATABASE_UNAVAILABLE_DETAILS = "the control plane's database is unavailable; retry later";

/**
 * Reports of one replica that may wait for the database; beyond, the oldest are dropped and
 * counted (the gateway's own outbox keeps as many).
 */
const MAX_DEFERRED_WRITES = 1000;

export interface SessionDeps {
  repo: ConfigSyncRepository;
  /** Records a tool definition an mcp-tool-pinning policy reported; resolves to why it was dropped, if it was. */
  recordToolDefinition(report: ToolDefinitionReported): Promise<string | undefined>;
  /** Records that an API key was used; resolves to why the report was dropped, if it was. */
  recordApiKeyUse(targetId: string, apiId: string, keyId: string): Promise<string | undefined>;
  /** Records a tool list the replica observed (AI inventory); resolves to why it was dropped, if it was. */
  recordObservedTools(targetId: string, report: ToolsObserved): Promise<string | undefined>;
  /** The shared, current state of a target (target-states.ts). */
  targetState(targetId: string): Promise<TargetState>;
  heartbeatIntervalMs: number;
  maxAgeMs: number;
  /** The sync service's record of a database outage: says whether an error is one, and logs it once. */
  outage: DatabaseOutage;
  logger: Logger;
  onClose(session: GatewaySession): void;
}

/** The gateway identity the accepted client certificate carries. */
export interface SessionIdentity {
  targetId: string;
  serialNumber: string;
  notAfter: Date;
}

type Call = ServerDuplexStream<ConnectRequest, ConnectResponse>;

interface Running {
  revision: number;
  hash: string;
}

interface Pending extends Running {
  nonce: string;
}

/** A write of what the replica reported, kept until the database takes it. */
interface DeferredWrite {
  what: string;
  write(): Promise<void>;
}

export class GatewaySession {
  private replicaId = '';
  private connectedAt = new Date();
  private running: Running = { revision: 0, hash: '' };
  private rejectedRevision: number | null = null;
  private pending?: Pending;
  /** The revision of the last snapshot this session built (or was told of by the poll). */
  private knownRevision = -1;
  private busy = false;
  private dirty = false;
  private closed = false;
  /** Whether the HelloAck went out: from then on the stream rides out a database outage. */
  private established = false;
  /** Reports of the replica the database has not taken yet, oldest first (record()). */
  private deferred: DeferredWrite[] = [];
  private droppedWrites = 0;
  private silence?: NodeJS.Timeout;
  private maxAge?: NodeJS.Timeout;
  /** Messages are handled one after another, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly call: Call,
    readonly identity: SessionIdentity,
    private readonly deps: SessionDeps,
  ) {
    call.on('data', (msg: ConnectRequest) => {
      this.queue = this.queue.then(() => this.handle(msg)).catch((err: Error) => this.fail(err));
    });
    call.on('end', () => this.close());
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
    call.on('close', () => this.close());
    this.armSilenceTimer();
  }

  get targetId(): string {
    return this.identity.targetId;
  }

  /** Told by the poll that the target is at `revision`; pushes if that is news. */
  revisionSeen(revision: number): void {
    if (revision !== this.knownRevision) this.wake();
  }

  /** Something about the target may have changed: rebuild and push if needed. */
  wake(): void {
    if (this.closed || !this.replicaId) return;
    if (this.busy || this.pending) {
      this.dirty = true;
      // A push still awaiting its answer must not keep a revoked or deleted replica connected.
      if (this.pending && !this.busy) void this.checkStanding().catch((err: Error) => this.fail(err));
      return;
    }
    this.busy = true;
    this.dirty = false;
    void this.sync()
      .catch((err: Error) => this.fail(err))
      .finally(() => {
        this.busy = false;
        if (this.dirty && !this.pending) this.wake();
      });
  }

  /** The database answers again (a poll succeeded): write the reports that waited for it. */
  retryDeferred(): void {
    if (this.closed || !this.deferred.length) return;
    this.queue = this.queue
      .then(() => this.flushDeferred())
      .then(
        () => undefined,
        (err: Error) => this.fail(err),
      );
  }

  /** Ends the stream with `code` and `details`. */
  end(code: GrpcStatus, details: string): void {
    if (this.closed) return;
    this.deps.logger.log(`ending stream of gateway ${this.targetId} replica ${this.replicaId || '?'}: ${details}`);
    this.call.emit('error', { code, details });
    this.close();
  }

  private async handle(msg: ConnectRequest): Promise<void> {
    if (this.closed) return;
    this.armSilenceTimer();
    const message = msg.message;
    if (!this.replicaId) {
      if (message?.$case !== 'hello') return this.end(GrpcStatus.INVALID_ARGUMENT, 'the first message must be a Hello');
      return this.hello(message.value);
    }
    switch (message?.$case) {
      case 'ack':
        return this.ack(message.value);
      case 'nack':
        return this.nack(message.value);
      case 'heartbeat':
        return this.heartbeat();
      case 'policyReport':
        return this.policyReport(message.value);
      case 'toolsObserved':
        return this.toolsObserved(message.value);
      case 'hello':
        return this.end(GrpcStatus.INVALID_ARGUMENT, 'Hello may only be sent once per stream');
      default:
        return this.end(GrpcStatus.INVALID_ARGUMENT, 'empty or unknown message');
    }
  }

  private async hello(hello: Hello): Promise<void> {
    if (!hello.replicaId || hello.replicaId.length > 200) {
      return this.end(GrpcStatus.INVALID_ARGUMENT, 'Hello.replica_id must be 1 to 200 characters');
    }
    if (hello.protocolMin > PROTOCOL_VERSION || hello.protocolMax < PROTOCOL_VERSION) {
      return this.end(
        GrpcStatus.FAILED_PRECONDITION,
        `gateway speaks sync protocol ${hello.protocolMin}..${hello.protocolMax}; this control plane speaks ${PROTOCOL_VERSION}`,
      );
    }
    this.connectedAt = new Date();
    this.rejectedRevision = await this.deps.repo.connect(
      this.targetId,
      {
        replicaId: hello.replicaId,
        name: (hello.replicaName || hello.replicaId).slice(0, 200),
        gatewayVersion: hello.gatewayVersion.slice(0, 50),
        capabilities: hello.capabilities.slice(0, 500).map((c) => c.slice(0, 200)),
        certExpiresAt: this.identity.notAfter,
      },
      this.connectedAt,
    );
    this.replicaId = hello.replicaId;
    this.running = { revision: hello.runningRevision, hash: hello.runningHash };
    const { target } = await this.deps.targetState(this.targetId);
    this.call.write({
      message: {
        $case: 'helloAck',
        value: {
          protocolVersion: PROTOCOL_VERSION,
          heartbeatIntervalMs: this.deps.heartbeatIntervalMs,
          gatewayId: this.targetId,
          gatewayName: target?.name ?? '',
        },
      },
    });
    this.established = true;
    this.armMaxAge();
    this.wake();
  }

  /** Liveness is the silence timer's; lastSeenAt only reports it, so a heartbeat the database cannot take is skipped, not kept. */
  private async heartbeat(): Promise<void> {
    if (!(await this.flushDeferred())) return;
    try {
      await this.deps.repo.heartbeat(this.targetId, this.replicaId, new Date());
    } catch (err) {
      if (this.deps.outage.failed(err)) return;
      throw err;
    }
    this.deps.outage.succeeded();
  }

  /** Ends the stream when the target was deleted or this replica's certificate revoked; false then. */
  private inGoodStanding({ target, snapshot, revokedSerials }: TargetState): boolean {
    if (!target || target.deletedAt || !snapshot) {
      this.end(GrpcStatus.PERMISSION_DENIED, `gateway ${target?.name ?? this.targetId} was deleted`);
      return false;
    }
    if (revokedSerials.has(this.identity.serialNumber)) {
      this.end(GrpcStatus.PERMISSION_DENIED, `certificate ${this.identity.serialNumber} was revoked`);
      return false;
    }
    return true;
  }

  private async checkStanding(): Promise<void> {
    this.inGoodStanding(await this.deps.targetState(this.targetId));
  }

  private async sync(): Promise<void> {
    const state = await this.deps.targetState(this.targetId);
    if (!this.inGoodStanding(state)) return;
    const snapshot = state.snapshot!;
    this.knownRevision = snapshot.revision;
    const current = snapshot.revision === this.running.revision && snapshot.hash === this.running.hash;
    if (current || snapshot.revision === this.rejectedRevision || this.closed) return;
    const nonce = randomUUID();
    this.pending = { nonce, revision: snapshot.revision, hash: snapshot.hash };
    this.call.write({ message: { $case: 'snapshot', value: { ...this.pending, config: snapshot.config } } });
  }

  private async ack(ack: Ack): Promise<void> {
    if (!this.answers(ack.nonce)) return;
    this.running = { revision: ack.revision, hash: ack.hash };
    const liveSince = new Date(Date.now() - 3 * this.deps.heartbeatIntervalMs);
    const failedApis = ack.failedApis
      .slice(0, 1000)
      .map((f) => ({ apiId: f.apiId.slice(0, 20), error: f.errorMessage.slice(0, 2000) || 'not served, without a reason' }));
    for (const failed of failedApis) {
      this.deps.logger.warn(
        `gateway ${this.targetId} replica ${this.replicaId} does not serve API ${failed.apiId}: ${failed.error}`,
      );
    }
    await this.record(`ACK of revision ${ack.revision}`, () =>
      this.deps.repo.ack(this.targetId, this.replicaId, ack.revision, ack.hash, failedApis, liveSince),
    );
    this.answered();
  }

  private async nack(nack: Nack): Promise<void> {
    if (!this.answers(nack.nonce)) return;
    this.rejectedRevision = nack.rejectedRevision;
    const error = nack.errorMessage.slice(0, 2000) || 'rejected without a reason';
    this.deps.logger.warn(
      `gateway ${this.targetId} replica ${this.replicaId} rejected revision ${nack.rejectedRevision}: ${error}`,
    );
    await this.record(`NACK of revision ${nack.rejectedRevision}`, () =>
      this.deps.repo.nack(this.targetId, this.replicaId, nack.rejectedRevision, error),
    );
    this.answered();
  }

  /** A report the control plane cannot use is logged and dropped; the stream goes on. */
  private async policyReport(report: PolicyReport): Promise<void> {
    const apiId = report.apiId.slice(0, 20);
    const dropped = (why: string) =>
      this.deps.logger.warn(`gateway ${this.targetId} replica ${this.replicaId}: policy report for API ${apiId} dropped: ${why}`);
    const store = this.reportStore(report);
    if (!store) return dropped('empty or unknown report');
    await this.record(`policy report for API ${apiId}`, async () => {
      const why = await store();
      if (why) dropped(why);
    });
  }

  /** A tool list the control plane cannot use (an API not deployed here, …) is logged and dropped; the stream goes on. */
  private async toolsObserved(report: ToolsObserved): Promise<void> {
    const apiId = report.apiId.slice(0, 20);
    await this.record(`tool list of API ${apiId}`, async () => {
      const why = await this.deps.recordObservedTools(this.targetId, report);
      if (why)
        this.deps.logger.warn(`gateway ${this.targetId} replica ${this.replicaId}: tool list of API ${apiId} dropped: ${why}`);
    });
  }

  /** How `report` is stored (resolving to why it was dropped, if it was); undefined for an unknown report. */
  private reportStore({ apiId, policyId, report }: PolicyReport): (() => Promise<string | undefined>) | undefined {
    switch (report?.$case) {
      case 'toolDefinition': {
        const reported = { targetId: this.targetId, replicaId: this.replicaId, apiId, policyId, ...report.value };
        return () => this.deps.recordToolDefinition(reported);
      }
      case 'apiKeyUsed': {
        const { keyId } = report.value;
        return () => this.deps.recordApiKeyUse(this.targetId, apiId, keyId);
      }
      default:
        return undefined;
    }
  }

  /**
   * Writes what the replica reported, after any reports still waiting. While the database is
   * unavailable the write waits, in order, and is tried again with the replica's next message and
   * after each successful poll; the stream goes on. Each write sets what the replica said, so
   * trying one again after the connection broke under it is harmless.
   */
  private async record(what: string, write: () => Promise<void>): Promise<void> {
    this.deferred.push({ what, write });
    if (this.deferred.length > MAX_DEFERRED_WRITES) {
      this.deferred.shift();
      this.droppedWrites++;
    }
    await this.flushDeferred();
  }

  /** Writes the waiting reports, oldest first; false while the database is still unavailable. */
  private async flushDeferred(): Promise<boolean> {
    while (this.deferred.length) {
      try {
        await this.deferred[0]!.write();
      } catch (err) {
        if (this.deps.outage.failed(err)) return false;
        this.deferred.shift();
        throw err;
      }
      this.deferred.shift();
      this.deps.outage.succeeded();
    }
    if (this.droppedWrites) {
      this.deps.logger.warn(
        `gateway ${this.targetId} replica ${this.replicaId}: ${this.droppedWrites} reports were dropped while the database was unavailable`,
      );
      this.droppedWrites = 0;
    }
    return true;
  }

  /** Whether `nonce` answers the push in flight; stale answers are ignored. */
  private answers(nonce: string): boolean {
    if (this.pending?.nonce === nonce) return true;
    this.deps.logger.warn(`gateway ${this.targetId} replica ${this.replicaId} answered unknown nonce ${nonce}`);
    return false;
  }

  private answered(): void {
    this.pending = undefined;
    if (this.dirty) this.wake();
  }

  /** Three heartbeat intervals without any message and the replica counts as gone. */
  private armSilenceTimer(): void {
    clearTimeout(this.silence);
    this.silence = setTimeout(
      () => this.end(GrpcStatus.UNAVAILABLE, 'no heartbeat within three intervals'),
      3 * this.deps.heartbeatIntervalMs,
    );
    this.silence.unref();
  }

  private fail(err: Error): void {
    if (this.deps.outage.failed(err)) {
      if (!this.established) return this.end(GrpcStatus.UNAVAILABLE, DATABASE_UNAVAILABLE_DETAILS);
      // The replica keeps what it runs; the first poll after the database is back re-checks the
      // target, whatever this session knew of it.
      this.knownRevision = -1;
      return;
    }
    this.deps.logger.error(`sync stream of gateway ${this.targetId} failed: ${err.message}`, err.stack);
    this.end(GrpcStatus.INTERNAL, 'internal error of the control plane');
  }

  /** Ends the stream at its maximum age, ±10 % so replicas that connected together do not all reconnect together. */
  private armMaxAge(): void {
    const age = this.deps.maxAgeMs * (0.9 + Math.random() * 0.2);
    this.maxAge = setTimeout(() => {
      if (this.deps.outage.active) return this.armMaxAge();
      this.end(GrpcStatus.UNAVAILABLE, 'maximum connection age reached; reconnect');
    }, age);
    this.maxAge.unref();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.silence);
    clearTimeout(this.maxAge);
    this.deps.onClose(this);
    if (!this.replicaId) return;
    // After the messages already taken: the reports still waiting get one more try, then the
    // disconnect is recorded.
    void this.queue
      .then(async () => {
        if (await this.flushDeferred()) {
          await this.deps.repo.disconnect(this.targetId, this.replicaId, this.connectedAt, new Date());
        } else {
          this.deps.logger.warn(
            `gateway ${this.targetId} replica ${this.replicaId} disconnected with ${this.deferred.length} reports (${this.deferred[0]!.what}, …) not recorded: the database is unavailable`,
          );
        }
      })
      .catch((err: Error) => {
        if (!this.deps.outage.failed(err)) this.deps.logger.warn(`recording the disconnect failed: ${err.message}`);
      });
  }
}
