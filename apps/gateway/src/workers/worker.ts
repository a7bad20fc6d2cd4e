/**
 * A worker process of a gateway with PORTICO_GATEWAY_WORKERS > 1: one data plane serving what the
 * primary sends (worker-pool.ts). Its listeners share the ports with the other workers (the
 * primary holds the listening sockets and hands each new connection to a worker in turn). Its
 * metrics are collected by the primary's /metrics (prom-client's AggregatorRegistry).
 *
 * Configurations are applied one at a time, in the order they arrive. Told to stop, or when the
 * primary goes away (IPC disconnect: the primary was killed), the worker closes its data plane
 * (open event streams end, idle connections close, requests in flight finish) and exits, so it
 * never serves on without a control plane's sync behind it.
 */
import { GatewayConfig } from '#portico/proto-ts';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { ControlPlaneIdentity } from '../config/control-plane-channel.js';
import type { GatewayEnv } from '../env.js';
import { isPrimaryMessage, type WorkerMessage } from './messages.js';
import { localServing } from './serving.js';

export function runWorker(env: GatewayEnv, logger: Logger, controlPlane?: ControlPlaneIdentity): void {
  const send = (message: WorkerMessage) => process.send?.(message);
  const serving = localServing(env, logger, {
    report: (apiId, policyId, report) => send({ type: 'portico:report', apiId, policyId, report }),
    events: ({ bytes, count }) => send({ type: 'portico:events', bytes, count }),
    tools: (list) => send({ type: 'portico:tools', list }),
    controlPlane,
  });
  AggregatorRegistry.setRegistries(serving.metrics);
  // Constructing one is what makes prom-client answer the primary's metrics requests here.
  new AggregatorRegistry();
  let queue = Promise.resolve();
  const stop = () => void serving.close().finally(() => process.exit(0));

  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'portico:stop') return stop();
    queue = queue.then(async () => {
      try {
        const { warnings, failures } = await serving.serve(GatewayConfig.decode(message.config));
        send({ type: 'portico:applied', seq: message.seq, warnings, failures, ports: serving.ports() });
      } catch (err) {
        send({ type: 'portico:apply-failed', seq: message.seq, error: (err as Error).message });
      }
    });
  });
  // A worker ends with its primary: the primary's close() stops it, and a primary that died
  // leaves it disconnected.
  process.once('disconnect', stop);
  // Signals reach the whole process group (Ctrl-C): the primary decides when its workers stop.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
  send({ type: 'portico:ready' });
}
