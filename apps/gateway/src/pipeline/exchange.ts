/**
 * The pipeline's implementation of ExchangeContext: what one routed client request carries
 * through the phases. Made once per request by pipeline.ts only, so it holds no work that a
 * request might not need: the child logger is made the first time something logs (again once an
 * identity is established), the attributes map the first time a policy uses it, and `api` is the
 * compiled API itself.
 */
import {
  type ExchangeContext,
  type Finding,
  IDENTITY_ATTRIBUTE,
  type Identity,
  type UpstreamRequester,
} from '#portico/policy-engine';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AccessRecord } from '../access-log/access-record.js';
import type { GatewayMetrics } from '../metrics.js';
import type { CompiledApi } from '../config/compiled-config.js';
import { publicResourceUrl } from '../data-plane/public-url.js';
import { ownRequest, type OwnRequestTarget } from './own-request.js';

export class Exchange implements ExchangeContext {
  private childLogger: Logger | undefined;
  /** The identity the child logger names (see logger). */
  private loggedIdentity: Identity | undefined;
  private attributeMap: Map<string, unknown> | undefined;
  /** Where the gateway's own requests go (ExchangeContext.upstream); set once the exchange is routed. */
  private ownTarget: OwnRequestTarget | undefined;
  private resource: string | undefined;

  constructor(
    readonly requestId: string,
    readonly api: CompiledApi,
    readonly upstreamId: string,
    readonly httpMethod: string,
    readonly restPath: string,
    readonly query: string,
    readonly headers: IncomingHttpHeaders,
    readonly clientAddress: string,
    /** The TCP peer (a proxy's address when one forwards the request); X-Forwarded-For gets it appended. */
    readonly peerAddress: string,
    readonly protocolVersion: string | undefined,
    readonly sessionId: string | undefined,
    private readonly baseLogger: Logger,
    readonly metrics: GatewayMetrics,
    /** The client request (its socket and Host name the public URL when nothing configured does). */
    private readonly req: IncomingMessage,
    /** PORTICO_GATEWAY_PUBLIC_URL, normalised. */
    private readonly gatewayPublicUrl: string | undefined,
    /** What the access log will show of the exchange; undefined when the gateway keeps none. */
    readonly access: AccessRecord | undefined,
  ) {}

  record(finding: Finding): void {
    this.access?.finding(finding);
  }

  get resourceUrl(): string {
    this.resource ??= publicResourceUrl(this.api, this.restPath, this.req, this.gatewayPublicUrl);
    return this.resource;
  }

  get attributes(): Map<string, unknown> {
    this.attributeMap ??= new Map();
    return this.attributeMap;
  }

  /** Lets policies send requests of the gateway's own to `target` (made only when one does). */
  routeOwnRequests(target: OwnRequestTarget): void {
    this.ownTarget = target;
  }

  get upstream(): UpstreamRequester | undefined {
    const target = this.ownTarget;
    return target && { request: (method, params) => ownRequest(target, method, params) };
  }

  /**
   * The exchange's logger: its lines name the request and the API and, once an authentication
   * policy has established one, the caller (principal and client id; never a credential).
   */
  get logger(): Logger {
    const identity = this.attributeMap?.get(IDENTITY_ATTRIBUTE) as Identity | undefined;
    if (this.childLogger === undefined || (identity !== undefined && identity !== this.loggedIdentity)) {
      this.loggedIdentity = identity;
      this.childLogger = this.baseLogger.child({
        requestId: this.requestId,
        api: this.api.id,
        ...(identity ? { principal: identity.principal, clientId: identity.clientId } : {}),
      });
    }
    return this.childLogger;
  }
}
