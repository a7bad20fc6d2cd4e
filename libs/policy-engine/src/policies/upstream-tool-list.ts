/**
 * The upstream's tool list, for policies that judge a tools/call by the tool's definition
 * (mcp-schema-validation, mcp-tool-pinning). A policy learns definitions from the tools/list
 * answers that pass it; for a tool it has not seen it asks the upstream itself, on the client's
 * session (ExchangeContext.upstream), for every page of the list. At most one fetch per applied
 * policy every 10 s (the state outlives pushes); calls arriving while one is in flight wait for
 * it. A fetch that fails is logged and ends like one that found nothing.
 */
import type { ExchangeContext } from '../policy-contract/context.js';
import type { CompileContext } from '../policy-contract/policy.js';

/** Pages of a tools/list the gateway fetches itself, and how often it may. */
const FETCH_PAGES = 20;
const FETCH_INTERVAL_MS = 10_000;

export interface UpstreamToolList {
  /**
   * Resolves once the fetch in flight, or one started now, has handed what it found to `learn`;
   * undefined when the exchange has no upstream requester or the last fetch was too recent.
   */
  fetch(exchange: ExchangeContext): Promise<void> | undefined;
}

/** `learn` gets each page's `tools` value as the upstream sent it (not necessarily an array). */
export function upstreamToolList(ctx: CompileContext, learn: (tools: unknown) => void): UpstreamToolList {
  const fetched = ctx.state('last-fetch', () => ({
    at: Number.NEGATIVE_INFINITY,
    pending: undefined as Promise<void> | undefined,
  }));
  const { clock } = ctx;

  const fetchPages = async (exchange: ExchangeContext): Promise<void> => {
    let cursor: string | undefined;
    for (let page = 0; page < FETCH_PAGES; page++) {
      const response = await exchange.upstream!.request('tools/list', cursor === undefined ? undefined : { cursor });
      if (!('result' in response)) return;
      const result = response.result as { tools?: unknown; nextCursor?: unknown } | null;
      learn(result?.tools);
      if (typeof result?.nextCursor !== 'string') return;
      cursor = result.nextCursor;
    }
  };

  return {
    fetch(exchange) {
      if (fetched.pending || !exchange.upstream) return fetched.pending;
      if (clock.now() - fetched.at < FETCH_INTERVAL_MS) return undefined;
      fetched.at = clock.now();
      fetched.pending = fetchPages(exchange)
        .catch((err: unknown) => {
          exchange.logger.warn({ err: (err as Error).message }, 'could not fetch the tool list from the upstream');
        })
        .finally(() => (fetched.pending = undefined));
      return fetched.pending;
    },
  };
}
