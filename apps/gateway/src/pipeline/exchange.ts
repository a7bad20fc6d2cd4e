/**
 * The pipeline's implementation of ExchangeContext: what one routed client request carries
 * through the phases. Made once per request by pipeline.ts only, so it holds no work that a
 * request might not need: the child logger is made the first time something logs, the
 * attributes map the first time a policy uses it, and `api` is the compiled API itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.js';
import type { ExchangeContext } from '../policy-contract/context.js';

export class Exchange implements ExchangeContext {
  private childLogger: Logger | undefined;
  private attributeMap: Map<string, unknown> | undefined;

  constructor(
    readonly requestId: string,
    readonly api: { readonly id: string; readonly name: string },
    readonly upstreamId: string,
    readonly httpMethod: string,
    readonly restPath: string,
    readonly query: string,
    readonly headers: IncomingHttpHeaders,
    readonly clientAddress: string,
    readonly protocolVersion: string | undefined,
    readonly sessionId: string | undefined,
    private readonly baseLogger: Logger,
    readonly metrics: GatewayMetrics,
  ) {}

  get attributes(): Map<string, unknown> {
    this.attributeMap ??= new Map();
    return this.attributeMap;
  }

  get logger(): Logger {
    this.childLogger ??= this.baseLogger.child({ requestId: this.requestId, api: this.api.id });
    return this.childLogger;
  }
}
