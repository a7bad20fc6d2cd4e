/** MCP library, install and install request error codes → HTTP status. Codes are API: add, never rename. */
export const mcpLibraryErrors = {
  MCP_LIBRARY_ENTRY_NOT_FOUND: 404,
  /** an organization already has an entry of that name and version */
  MCP_LIBRARY_ENTRY_ALREADY_EXISTS: 409,
  /** curated entries ship with Portico and cannot be deleted */
  MCP_LIBRARY_ENTRY_READ_ONLY: 409,
  /** a document that is not a valid server.json (or registry export) */
  MCP_SERVER_JSON_INVALID: 400,
  /** an entry without a streamable-http remote: nothing a gateway can front */
  MCP_LIBRARY_ENTRY_NOT_INSTALLABLE: 400,
  /** a missing, unknown or invalid install input (variable, header, remote, URL) */
  MCP_INSTALL_INPUT_INVALID: 400,
  MCP_INSTALL_REQUEST_NOT_FOUND: 404,
  MCP_INSTALL_REQUEST_ALREADY_DECIDED: 409,
} as const;
