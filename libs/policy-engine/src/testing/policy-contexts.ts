/**
 * The contexts the pipeline hands to policies, built for tests of policies and of the code that
 * runs them: an exchange (one client request) and a compile context.
 */
import type { IncomingHttpHeaders } from 'node:http';
import pino from 'pino';
import type { ExchangeContext, Finding, PolicyMetrics } from '../policy-contract/context.js';
import type { Clock, CompileContext, PolicyReport } from '../policy-contract/policy.js';
import { PolicyStates } from '../policy-states.js';

const UNCOUNTED: PolicyMetrics = { countMcpCall: () => undefined };

/** An exchange of API 7 (POST /mcp from 127.0.0.1) with `headers`; what policies record goes to `findings`. */
export function testExchange(
  headers: IncomingHttpHeaders = {},
  metrics: PolicyMetrics = UNCOUNTED,
  findings: Finding[] = [],
): ExchangeContext {
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
    resourceUrl: 'http://127.0.0.1:8081/demo/mcp',
    logger: pino({ level: 'silent' }),
    metrics,
    attributes: new Map(),
    record: (finding) => void findings.push(finding),
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
    apiKind: 'mcp',
    clock,
    logger: pino({ level: 'silent' }),
    state: (key, create) => states.state(policyId, key, create),
    redis: undefined,
    managed,
    report: (report) => reports.push(report),
    fetch,
  };
}
