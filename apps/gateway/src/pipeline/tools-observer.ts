/**
 * The tools MCP servers offer, for the control plane's AI inventory (sync.proto `ToolsObserved`).
 *
 * What is reported: the list as the server gave it — observed where its tools/list answer arrives,
 * before any policy renames, re-describes or hides a tool (the pipeline calls the listener before
 * the response hooks; a federated API's members are observed by the federation, per member, with
 * the member's label as upstream name). The inventory shows what the server offers; what clients
 * see is the policies' business, and the control plane works it out from them.
 *
 * When: a list is reported when it differs from the last one this process reported for that API
 * and upstream, and again once REFRESH_MS passed since (so the inventory's last-seen time stays
 * within that of the truth); otherwise observing it costs one SHA-256 over the names and
 * descriptions and one comparison. The answer is the one the pipeline already parsed.
 *
 * Pagination: a first page without `nextCursor` (or the federation's every page) is the whole
 * list, reported `complete`: the control plane marks the tools missing from it unlisted. Any
 * other page is reported as it is, not complete: its tools are recorded as listed, and nothing
 * is unlisted on account of a partial list. A page is reported once per content (per REFRESH_MS).
 *
 * Bounds: at most KEY_LIMIT lists are remembered (then the memory starts over, which only means
 * reporting again); a list reports at most TOOL_LIMIT tools (more: the report is not complete),
 * and descriptions longer than DESCRIPTION_LIMIT characters are cut (the hash is the whole one's).
 */
import { createHash } from 'node:crypto';
import type { JsonRpcMessage, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { CompiledApi, CompiledUpstream } from '../config/compiled-config.js';

/** One tool as the server listed it. */
export interface ObservedTool {
  readonly name: string;
  /** '' when the tool has none (at most DESCRIPTION_LIMIT characters). */
  readonly description: string;
  /** Lowercase hex SHA-256 of the whole description ('' hashed when there is none). */
  readonly descriptionSha256: string;
}

/** A tool list to report (sync.proto ToolsObserved). */
export interface ObservedToolList {
  readonly apiId: string;
  /** A federated API's member; '' for any other API. */
  readonly upstreamName: string;
  readonly tools: readonly ObservedTool[];
  /** The server's whole list; false for one page of a paginated one. */
  readonly complete: boolean;
}

/** Where reports go: the sync stream (through the primary process when there are workers). */
export type ToolsObservedSink = (list: ObservedToolList) => void;

/** How often an unchanged list is reported again. */
export const REFRESH_MS = 10 * 60_000;
const KEY_LIMIT = 10_000;
const TOOL_LIMIT = 10_000;
const DESCRIPTION_LIMIT = 16 * 1024;

/** The tools of `items` (a `tools` array as listed): entries without a string name are left out. */
function namedTools(items: readonly unknown[]): { name: string; description: string }[] {
  const tools: { name: string; description: string }[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const { name, description } = item as { name?: unknown; description?: unknown };
    if (typeof name !== 'string' || name === '') continue;
    tools.push({ name, description: typeof description === 'string' ? description : '' });
  }
  return tools;
}

/** What identifies a list's content: names and descriptions, in order. */
function digestOf(tools: readonly { name: string; description: string }[]): string {
  const hash = createHash('sha256');
  for (const tool of tools) hash.update(tool.name).update('\0').update(tool.description).update('\0');
  return hash.digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reports the tool lists of one gateway process (see the module comment). */
export class ToolsObserver {
  /** `api\0upstream` (whole lists) or `api\0upstream\0digest` (pages) -> the digest reported and when. */
  private readonly reported = new Map<string, { digest: string; at: number }>();

  constructor(
    private readonly sink: ToolsObservedSink,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = REFRESH_MS,
  ) {}

  /** `items` (a `tools` array) of `upstreamName` of API `apiId`; `complete`: the whole list. */
  observe(apiId: string, upstreamName: string, items: readonly unknown[], complete: boolean): void {
    let tools = namedTools(items);
    if (tools.length > TOOL_LIMIT) {
      tools = tools.slice(0, TOOL_LIMIT);
      complete = false;
    }
    const digest = digestOf(tools);
    const key = complete ? `${apiId}\0${upstreamName}` : `${apiId}\0${upstreamName}\0${digest}`;
    const last = this.reported.get(key);
    const at = this.now();
    if (last && last.digest === digest && at - last.at < this.refreshMs) return;
    if (!last && this.reported.size >= KEY_LIMIT) this.reported.clear();
    this.reported.set(key, { digest, at });
    this.send({
      apiId,
      upstreamName,
      complete,
      tools: tools.map(({ name, description }) => ({
        name,
        description: description.length > DESCRIPTION_LIMIT ? description.slice(0, DESCRIPTION_LIMIT) : description,
        descriptionSha256: sha256(description),
      })),
    });
  }

  /** A report that cannot be handed on (a worker whose primary is gone) is lost, never the client's answer. */
  private send(list: ObservedToolList): void {
    try {
      this.sink(list);
    } catch {
      // nothing to do: the next change, or the refresh, reports again
    }
  }

  /**
   * For a tools/list request of `api` forwarded to `upstream`: what the pipeline calls with the
   * response before the response hooks run; undefined when the exchange is not observed here (a
   * federated API's members are observed by the federation).
   */
  listener(
    api: CompiledApi,
    upstream: CompiledUpstream,
    request: JsonRpcMessage,
  ): ((response: JsonRpcResponse) => void) | undefined {
    if (api.kind !== 'mcp' || upstream.federation) return undefined;
    const params = (request as { params?: { cursor?: unknown } }).params;
    const firstPage = params?.cursor === undefined;
    return (response) => {
      if (!('result' in response)) return;
      const result = response.result as { tools?: unknown; nextCursor?: unknown } | null;
      if (!Array.isArray(result?.tools)) return;
      const last = result.nextCursor === undefined || result.nextCursor === null || result.nextCursor === '';
      this.observe(api.id, '', result.tools, firstPage && last);
    };
  }
}
