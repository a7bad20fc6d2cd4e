/**
 * One gateway replica: its data plane (this process's, or its workers': workers/serving.ts), fed
 * by the sync stream, backed by the last good configuration on disk.
 *
 * Boot order (fail static): read the registration, serve the stored last good configuration if
 * there is one (in the state directory, PORTICO_GATEWAY_STATE_DIR: the registration's may be
 * read-only), then dial the control plane. Every snapshot is translated and compiled, swapped
 * in (by every worker), stored and then ACKed; a snapshot that fails any step is NACKed with the
 * reason and the running configuration stays. A snapshot whose hash equals the running one is
 * not recompiled. Readiness is reached once some configuration is served.
 */
import { POLICY_TYPES } from '#portico/policy-engine';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { PORTICO_GATEWAY_VERSION } from '#portico/gateway-release';
import { readRegistration, type Registration } from '#portico/gateway-registration';
import type { GatewayConfig, Snapshot } from '#portico/proto-ts';
import { type AdminServer, startAdminServer } from './admin/admin-server.js';
import { type ApplyOutcome, type Running, SyncClient } from './config/client.js';
import { withAccessLogMetrics } from './access-log/access-log-metrics.js';
import { EventOutbox } from './access-log/event-outbox.js';
import { EventPublisher } from './access-log/event-publisher.js';
import { ReportOutbox } from './config/report-outbox.js';
import { controlPlaneIdentity } from './config/control-plane-channel.js';
import { ConfigStore } from './config/store.js';
import type { ApiFailure } from './config/translate.js';
import type { GatewayEnv } from './env.js';
import { startServing } from './workers/serving.js';

export interface Gateway {
  readonly registration: Registration;
  readonly replicaId: string;
  readonly adminPort: number;
  running(): Running;
  close(): Promise<void>;
}

export async function startGateway(env: GatewayEnv, logger: Logger): Promise<Gateway> {
  const registration = await readRegistration(env.PORTICO_GATEWAY_DIR);
  const stateDir = env.PORTICO_GATEWAY_STATE_DIR ?? env.PORTICO_GATEWAY_DIR;
  const replicaId = env.PORTICO_GATEWAY_REPLICA_ID ?? randomUUID();
  const log = logger.child({ gatewayId: registration.agentId, replicaId });
  const reports = new ReportOutbox();
  const outbox = env.PORTICO_GATEWAY_ACCESS_LOG
    ? new EventOutbox({
        memoryLimitBytes: env.PORTICO_GATEWAY_ACCESS_LOG_MEMORY_BYTES,
        spillPath: env.PORTICO_GATEWAY_ACCESS_LOG_SPILL_BYTES > 0 ? path.join(stateDir, 'access-events.spill') : undefined,
        spillLimitBytes: env.PORTICO_GATEWAY_ACCESS_LOG_SPILL_BYTES,
        logger: log,
      })
    : undefined;
  const serving = await startServing(env, log, {
    report: reports.add,
    events: outbox?.add,
    tools: reports.addTools,
    controlPlane: controlPlaneIdentity(registration),
  });
  const store = new ConfigStore(stateDir, registration.privateKey);
  let running: Running = { revision: 0, hash: '' };
  let loaded = false;
  /** Whether a save found the state directory not writable (said once). */
  let unsaved = false;
  /** The APIs of the running configuration that are not served (reported again with a repeated snapshot). */
  let failedApis: readonly ApiFailure[] = [];

  /** Serves `config` (serve-config.ts), logging what it could not; resolves to the APIs not served. */
  const serve = async (config: GatewayConfig): Promise<readonly ApiFailure[]> => {
    const { warnings, failures } = await serving.serve(config);
    for (const warning of warnings) log.warn({ warning }, 'configuration warning');
    for (const failure of failures) log.error({ api: failure.apiId, error: failure.reason }, 'API not served');
    return failures;
  };

  try {
    const stored = await store.load();
    if (stored) {
      failedApis = await serve(stored.config);
      running = { revision: stored.revision, hash: stored.hash };
      loaded = true;
      log.info({ revision: stored.revision, file: store.path }, 'serving the last good configuration from disk');
    }
  } catch (err) {
    log.error(
      { err: (err as Error).message, file: store.path },
      'the stored configuration cannot be served; waiting for the control plane',
    );
  }

  const apply = async (snapshot: Snapshot): Promise<ApplyOutcome> => {
    try {
      if (!snapshot.config) throw new Error('snapshot without a configuration');
      if (snapshot.hash !== running.hash || !loaded) failedApis = await serve(snapshot.config);
      if (!(await store.save(snapshot.revision, snapshot.hash, snapshot.config)) && !unsaved) {
        unsaved = true;
        log.warn(
          { dir: stateDir },
          'the state directory is not writable: the configuration is kept in memory only, and a restart serves nothing until the control plane answers (set PORTICO_GATEWAY_STATE_DIR to a writable directory)',
        );
      }
      running = { revision: snapshot.revision, hash: snapshot.hash };
      loaded = true;
      log.info(
        { revision: snapshot.revision, apis: snapshot.config.apis.length, failedApis: failedApis.length },
        'configuration applied',
      );
      return { ok: true, failedApis };
    } catch (err) {
      const error = (err as Error).message;
      log.error({ revision: snapshot.revision, error }, 'configuration rejected; the running one stays');
      return { ok: false, error };
    }
  };

  /** Who this replica is to the control plane, and how it reaches it (mTLS), for the sync stream and the access log. */
  const controlPlane = {
    ...controlPlaneIdentity(registration),
    replicaId,
    replicaName: hostname(),
  };
  const sync = new SyncClient({
    ...controlPlane,
    gatewayVersion: PORTICO_GATEWAY_VERSION,
    capabilities: [...POLICY_TYPES],
    running: () => running,
    apply,
    reports,
    logger: log,
  });

  const publisher =
    outbox &&
    new EventPublisher({
      ...controlPlane,
      outbox,
      logger: log,
    });

  let admin: AdminServer;
  try {
    admin = await startAdminServer(env.PORTICO_GATEWAY_ADMIN_HOST, env.PORTICO_GATEWAY_ADMIN_PORT, {
      metrics: outbox ? withAccessLogMetrics(serving.metrics, outbox) : serving.metrics,
      ready: () => (loaded ? { ready: true } : { ready: false, reason: 'no configuration loaded yet' }),
      status: () => ({
        gatewayId: registration.agentId,
        name: registration.name,
        replicaId,
        version: PORTICO_GATEWAY_VERSION,
        revision: running.revision,
        hash: running.hash,
        ready: loaded,
        sync: { state: sync.state, address: registration.syncAddress, lastError: sync.lastError, ...sync.stats },
        ports: serving.ports(),
        ...(outbox && publisher ? { accessLog: { ...outbox.queued, dropped: outbox.dropped, ...publisher.stats } } : {}),
        ...serving.status(),
      }),
    });
  } catch (err) {
    await serving.close();
    throw err;
  }
  sync.start();
  publisher?.start();
  log.info({ adminPort: admin.port, controlPlane: registration.syncAddress }, 'gateway started');

  return {
    registration,
    replicaId,
    adminPort: admin.port,
    running: () => running,
    close: async () => {
      sync.stop();
      await Promise.all([admin.close(), serving.close()]);
      // After the data plane closed: its last events are in the outbox, and go to the spill file.
      await publisher?.stop();
    },
  };
}
