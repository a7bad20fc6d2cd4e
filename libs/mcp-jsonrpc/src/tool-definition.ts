/**
 * What of an MCP tool is pinned against changes (mcp-tool-pinning): the fields a model reads and
 * acts on, and their hash. The gateway hashes what the upstream lists; the control plane checks
 * the hash of what it is asked to record, so the definition an operator approves is the one the
 * gateway compares against.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The pinned fields of a tool, in the order the MCP specification lists them. */
export const PINNED_TOOL_FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

/** A tool's pinned fields (those present) and the SHA-256 (hex) of their RFC 8785 canonical JSON. */
export function pinnedToolDefinition(tool: Readonly<Record<string, unknown>>): {
  definition: Record<string, unknown>;
  sha256: string;
} {
  const definition: Record<string, unknown> = {};
  for (const field of PINNED_TOOL_FIELDS) if (tool[field] !== undefined) definition[field] = tool[field];
  return { definition, sha256: createHash('sha256').update(canonicalize(definition)!).digest('hex') };
}
