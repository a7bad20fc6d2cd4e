/** Agent and agent → MCP mapping error codes → HTTP status. Codes are API: add, never rename. */
export const agentErrors = {
  AGENT_NOT_FOUND: 404,
  /** the organization already has an agent of that name */
  AGENT_ALREADY_EXISTS: 409,
  /** a client id, client metadata URL, clientInfo name or application another agent of the organization is recognised by */
  AGENT_RECOGNITION_CONFLICT: 409,
} as const;
