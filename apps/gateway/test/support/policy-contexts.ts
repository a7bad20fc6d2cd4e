/**
 * The contexts the pipeline hands to policies, built for unit tests of codecs and policies: an
 * exchange (one client request) and a compile context.
 */
import type { IncomingHttpHeaders } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { PolicyStates } from '../../src/config/policy-states.js';
import { GatewayMetrics } from '../../src/metrics.js';
import type { ExchangeContext } from '../../src/policy-contract/context.js';
import type { Clock, CompileContext, PolicyReport } from '../../src/policy-contract/policy.js';

/** An exchange of API 7 (POST /mcp from 127.0.0.1) with `headers`. */
export function testExchange(headers: IncomingHttpHeaders = {}, metrics = new GatewayMetrics(new Registry())): ExchangeContext {
  return {
    requestId: 'r',
    api: { id: '7', name: 'demo' },
    upstreamId: 'u1',
    httpMethod: 'POST',
    restPath: '/mcp',
    query: '',
    headers,
    clientAddress: '127.0.0.1',
    protocolVersion: headers['mcp-protocol-version'] as string | undefined,
    sessionId: undefined,
    logger: pino({ level: 'silent' }),
    metrics,
    attributes: new Map(),
  };
}

/**
 * A compile context for policy `policyId` of API 7, with its state in `states` and no Redis;
 * `managed` is what the control plane maintains for it, and its reports are pushed to `reports`.
 */
export function testCompileContext(
  policyId = '1',
  states = new PolicyStates(),
  clock: Clock = { now: () => Date.now() },
  managed: Record<string, unknown> = {},
  reports: PolicyReport[] = [],
): CompileContext {
  return {
    policyId,
    apiId: '7',
    clock,
    logger: pino({ level: 'silent' }),
    state: (key, create) => states.state(policyId, key, create),
    redis: undefined,
    managed,
    report: (report) => reports.push(report),
  };
}
