/**
 * `rate-limiting-sla-based` (contract §7, §10.1): each client application gets the quotas of its
 * contract's SLA tier (API Manager's `…/apis/{id}/tiers`).
 *
 * - The client: its client id (and secret, when `clientSecretExpression` reads one) against the
 *   applications with an approved contract, as client-id-enforcement checks them
 *   (client-applications.ts): missing or wrong credentials are a 401 `Client-Id` challenge. The
 *   control plane sends each one's tier limits (managed data `clients.<id>.limits`); a contract
 *   without a tier is refused with 403, since no quota was agreed for it.
 * - What counts, as rate-limiting: each JSON-RPC request of an MCP API, each request of an HTTP
 *   API; counts per client, in Redis when the gateway has one and `clusterizable` (the default),
 *   else in this process. A tier's changed limits start its counts again.
 * - Over the tier's quota, `exposeHeaders` and a Redis outage (refused, as Flex blocks on an
 *   unknown quota): quota-gate.ts.
 * The client identified is the exchange's identity for the policies after it and the logs.
 */
import { hash } from 'node:crypto';
import { IDENTITY_ATTRIBUTE, type CallContext, type ExchangeContext, type HeaderEdit } from '../../policy-contract/context.js';
import type { Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import {
  ClientCredentials,
  type ClientRefusal,
  type ContractedApplication,
  contractedApplications,
  refusedClient,
} from '../client-applications.js';
import type { Quota, Window } from './quota.js';
import { policyQuota, QuotaGate } from './quota-gate.js';

export interface SlaRateLimitingConfig {
  clientIdExpression?: string;
  clientSecretExpression?: string;
  exposeHeaders?: boolean;
  clusterizable?: boolean;
}

/** A contracted application and the quota of its tier (undefined: its contract has no tier). */
interface TieredApplication extends ContractedApplication {
  readonly quota: Quota | undefined;
}

/** Tier limits as sent, or undefined when they are not a list of windows. */
function windowsOf(limits: unknown): Window[] | undefined {
  if (!Array.isArray(limits) || limits.length === 0) return undefined;
  const windows = limits.map((limit: { maximumRequests?: unknown; timePeriodInMilliseconds?: unknown }) => ({
    maximumRequests: Number(limit?.maximumRequests),
    timePeriodInMilliseconds: Number(limit?.timePeriodInMilliseconds),
  }));
  return windows.every(
    (w) =>
      Number.isInteger(w.maximumRequests) &&
      w.maximumRequests > 0 &&
      Number.isInteger(w.timePeriodInMilliseconds) &&
      w.timePeriodInMilliseconds > 0,
  )
    ? windows
    : undefined;
}

export const rateLimitingSlaBasedFactory: PolicyFactory<SlaRateLimitingConfig> = {
  type: 'rate-limiting-sla-based',
  compile(config, ctx) {
    const clusterizable = config.clusterizable !== false;
    // One quota per distinct tier, named by its limits: clients of one tier share the windows, each counted apart.
    const quotas = new Map<string, Quota>();
    const quotaOf = (windows: Window[]): Quota => {
      const signature = JSON.stringify(windows);
      let quota = quotas.get(signature);
      if (quota === undefined) {
        quota = policyQuota(ctx, hash('sha256', signature, 'base64url').slice(0, 16), windows, clusterizable);
        quotas.set(signature, quota);
      }
      return quota;
    };
    const clients = contractedApplications(ctx.managed, (application, entry): TieredApplication => {
      const windows = windowsOf(entry.limits);
      return { ...application, quota: windows && quotaOf(windows) };
    });
    const credentials = new ClientCredentials(
      { basic: false, clientIdExpression: config.clientIdExpression, clientSecretExpression: config.clientSecretExpression },
      clients,
      ctx.clock,
    );
    const exposeAs = config.exposeHeaders ? `sla-rate-limit ${ctx.policyId}` : undefined;
    const gate = new QuotaGate({ exposeAs, blockOnUnknown: true, clock: ctx.clock, logger: ctx.logger });
    const counted = `sla-client ${ctx.policyId}`;
    const perMessage = ctx.apiKind === 'mcp';

    /** The HTTP request phase: who calls; on an HTTP API, also the count. */
    const admit = (
      exchange: ExchangeContext,
      checked: TieredApplication | ClientRefusal,
    ): Verdict<HeaderEdit> | Promise<Verdict<HeaderEdit>> => {
      if (typeof checked === 'string') return refusedClient(checked, 'Client-Id', exchange);
      if (checked.quota === undefined) {
        return {
          kind: 'reject',
          error: { kind: 'forbidden', message: "The client application's contract has no SLA tier" },
        };
      }
      exchange.attributes.set(IDENTITY_ATTRIBUTE, checked.identity);
      if (perMessage) {
        exchange.attributes.set(counted, checked);
        return PASS;
      }
      return gate.take(checked.quota, checked.identity.clientId!, exchange);
    };

    const policy: Policy = {
      name: 'rate-limiting-sla-based',
      onHttpRequest({ exchange }) {
        const checked = credentials.check(exchange);
        return checked instanceof Promise ? checked.then((c) => admit(exchange, c)) : admit(exchange, checked);
      },
      ...(perMessage
        ? {
            methods: { '*': 'request' as const },
            onRequest: ({ exchange, call }: CallContext) => {
              const client = exchange.attributes.get(counted) as TieredApplication | undefined;
              if (call.kind !== 'request' || client === undefined) return PASS;
              return gate.take(client.quota!, client.identity.clientId!, exchange);
            },
          }
        : {}),
      ...(exposeAs ? { onHttpResponse: ({ exchange }) => gate.headers(exchange) } : {}),
    };
    return { warnings: [], policy };
  },
};
