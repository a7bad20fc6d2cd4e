/** MCP probe error codes → HTTP status. Codes are API: add, never rename. */
export const mcpProbeErrors = {
  /** the URL to probe is an address PORTICO_PROBE_DENY refuses */
  MCP_PROBE_ADDRESS_DENIED: 400,
} as const;
