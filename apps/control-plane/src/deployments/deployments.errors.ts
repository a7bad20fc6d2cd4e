/** Deployment error codes → HTTP status. Codes are API: add, never rename. */
export const deploymentErrors = {
  DEPLOYMENT_NOT_FOUND: 404,
  DEPLOYMENT_ALREADY_EXISTS: 409,
  DEPLOYMENT_INVALID: 400,
  RUNTIME_VERSION_UNKNOWN: 400,
} as const;
