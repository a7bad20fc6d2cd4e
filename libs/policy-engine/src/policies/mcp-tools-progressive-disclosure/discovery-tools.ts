/**
 * The tools `mcp-tools-progressive-disclosure` lists in place of the upstream's catalog, and the
 * tools/call results it answers them with. Their input schemas are the contract clients see:
 * - `search_tools {query, limit?, cursor?}` → structuredContent `{tools: [{name, title?,
 *   description?}], nextCursor?}`;
 * - `describe_tool {name, cursor?}` → structuredContent: the tool's name, title, description,
 *   inputSchema, outputSchema and annotations (those it has);
 * - `invoke_tool {name, arguments?}` → the upstream tool's own result.
 * Results carry their structuredContent as JSON text content too, for clients that read only text.
 */

export const SEARCH_TOOLS = 'search_tools';
export const DESCRIBE_TOOL = 'describe_tool';
const INVOKE_TOOL = 'invoke_tool';

export const DISCOVERY_TOOL_NAMES: ReadonlySet<string> = new Set([SEARCH_TOOLS, DESCRIBE_TOOL, INVOKE_TOOL]);

/** The most results one search returns, whatever it asks. */
export const MAX_SEARCH_LIMIT = 50;

const CURSOR = {
  type: 'string',
  description: 'The nextCursor of an earlier search_tools result, to go on with the next page of a catalog too large for one',
};

/** The discovery tools' definitions (frozen), `searchLimit` being a search's default limit. */
export function discoveryTools(searchLimit: number): readonly Readonly<Record<string, unknown>>[] {
  return deepFreeze([
    {
      name: SEARCH_TOOLS,
      title: 'Search tools',
      description:
        "Finds this server's tools by words of their names, titles and descriptions; returns the best matches (name, title, description). Then call describe_tool for a tool's input schema and invoke_tool to run it.",
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'Words to look for, e.g. "create issue"' },
          limit: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_SEARCH_LIMIT,
            description: `The most tools to return (default ${searchLimit})`,
          },
          cursor: CURSOR,
        },
        required: ['query'],
      },
      annotations: { readOnlyHint: true },
    },
    {
      name: DESCRIBE_TOOL,
      title: 'Describe tool',
      description:
        "Returns one tool's full definition: its input schema (the arguments invoke_tool passes it), output schema and annotations.",
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'The tool name, as search_tools returned it' },
          cursor: { ...CURSOR, description: 'The cursor of the search_tools call that found the tool, if it had one' },
        },
        required: ['name'],
      },
      annotations: { readOnlyHint: true },
    },
    {
      name: INVOKE_TOOL,
      title: 'Invoke tool',
      description: "Calls a tool found with search_tools and returns the tool's own result.",
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'The tool name, as search_tools returned it' },
          arguments: { type: 'object', description: 'The tool arguments, as its input schema (describe_tool) requires' },
        },
        required: ['name'],
      },
    },
  ]);
}

/** A successful tools/call result carrying `content` as structuredContent and as JSON text. */
export function structuredResult(content: Record<string, unknown>): Record<string, unknown> {
  return { content: [{ type: 'text', text: JSON.stringify(content) }], structuredContent: content };
}

/** A tools/call result reporting a failure the model can act on (`isError`). */
export function errorResult(text: string): Record<string, unknown> {
  return { content: [{ type: 'text', text }], isError: true };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
