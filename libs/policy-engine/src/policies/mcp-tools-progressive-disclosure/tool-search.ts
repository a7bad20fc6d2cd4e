/**
 * The text search of `search_tools` over the tools of one tools/list page.
 *
 * A query is cut into words (runs of letters and digits, lower-cased, the first 16 distinct
 * ones). A tool matches when a word occurs, case-insensitively, in its name, title (or
 * `annotations.title`) or description; a query without words matches every tool. Matches rank
 * by: some word in the name first, then the number of words matched, then name (code-unit order).
 */

const MAX_WORDS = 16;
const SEPARATORS = /[^\p{L}\p{N}]+/u;

/** What a search returns of a tool. */
export interface FoundTool {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
}

interface Hit {
  readonly tool: FoundTool;
  readonly inName: boolean;
  readonly matched: number;
}

/** The distinct words of `query`, lower-cased. */
export function queryWords(query: string): string[] {
  const words = new Set<string>();
  for (const word of query.toLowerCase().split(SEPARATORS)) {
    if (word === '') continue;
    words.add(word);
    if (words.size === MAX_WORDS) break;
  }
  return [...words];
}

function byRank(a: Hit, b: Hit): number {
  if (a.inName !== b.inName) return a.inName ? -1 : 1;
  if (a.matched !== b.matched) return b.matched - a.matched;
  return a.tool.name < b.tool.name ? -1 : a.tool.name > b.tool.name ? 1 : 0;
}

/** The best `limit` tools of `tools` (a tools/list page's items, as sent) for `words`. */
export function searchTools(tools: readonly unknown[], words: readonly string[], limit: number): FoundTool[] {
  const hits: Hit[] = [];
  for (const item of tools) {
    if (typeof item !== 'object' || item === null) continue;
    const tool = item as Record<string, unknown>;
    if (typeof tool.name !== 'string') continue;
    const annotations = tool.annotations as { title?: unknown } | undefined;
    const title =
      typeof tool.title === 'string' ? tool.title : typeof annotations?.title === 'string' ? annotations.title : undefined;
    const description = typeof tool.description === 'string' ? tool.description : undefined;
    const name = tool.name.toLowerCase();
    const text = `${title ?? ''}\n${description ?? ''}`.toLowerCase();
    let inName = false;
    let matched = 0;
    for (const word of words) {
      if (name.includes(word)) {
        inName = true;
        matched++;
      } else if (text.includes(word)) {
        matched++;
      }
    }
    if (matched === 0 && words.length > 0) continue;
    const found: FoundTool = {
      name: tool.name,
      ...(title === undefined ? {} : { title }),
      ...(description === undefined ? {} : { description }),
    };
    hits.push({ tool: found, inName, matched });
  }
  return hits
    .sort(byRank)
    .slice(0, limit)
    .map((hit) => hit.tool);
}
