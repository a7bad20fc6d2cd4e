/**
 * Every error code of the control plane and its HTTP status, one table built from each
 * feature's `<feature>.errors.ts`. A code is API: add, never rename. error-codes.spec.ts checks
 * that no two features define the same code.
 */
import { accessManagementErrors } from '../access-management/access-management.errors.js';
import { alertErrors } from '../alerts/alerts.errors.js';
import { apiInstanceErrors } from '../api-instances/api-instances.errors.js';
import { clientApplicationErrors } from '../client-applications/client-applications.errors.js';
import { deploymentErrors } from '../deployments/deployments.errors.js';
import { exchangeErrors } from '../exchange/exchange.errors.js';
import { exchangePortalErrors } from '../exchange-portal/exchange-portal.errors.js';
import { gatewayRegistrationErrors } from '../gateway-registration/gateway-registration.errors.js';
import { gatewayTargetErrors } from '../gateway-targets/gateway-targets.errors.js';
import { policyErrors } from '../policies/policies.errors.js';
import { secretsManagerErrors } from '../secrets-manager/secrets-manager.errors.js';
import { toolPinErrors } from '../tool-pins/tool-pins.errors.js';
import { mcpLibraryErrors } from '../mcp-library/mcp-library.errors.js';
import { apiKeyErrors } from '../api-keys/api-keys.errors.js';
import { slaTierErrors } from '../sla-tiers/sla-tiers.errors.js';
import { throttlingErrors } from '../throttling/throttling.errors.js';
import { mcpProbeErrors } from '../mcp-probe/mcp-probe.errors.js';
import { backendOAuthErrors } from '../backend-oauth/backend-oauth.errors.js';
import { agentErrors } from '../agents/agents.errors.js';
import { commonErrors } from './common.errors.js';

export const errorTables = {
  common: commonErrors,
  accessManagement: accessManagementErrors,
  exchange: exchangeErrors,
  exchangePortal: exchangePortalErrors,
  apiInstances: apiInstanceErrors,
  deployments: deploymentErrors,
  gatewayTargets: gatewayTargetErrors,
  gatewayRegistration: gatewayRegistrationErrors,
  policies: policyErrors,
  clientApplications: clientApplicationErrors,
  secretsManager: secretsManagerErrors,
  toolPins: toolPinErrors,
  apiKeys: apiKeyErrors,
  slaTiers: slaTierErrors,
  throttling: throttlingErrors,
  alerts: alertErrors,
  mcpLibrary: mcpLibraryErrors,
  mcpProbe: mcpProbeErrors,
  backendOAuth: backendOAuthErrors,
  agents: agentErrors,
} as const;

type Tables = typeof errorTables;
export type ErrorCode = { [F in keyof Tables]: keyof Tables[F] }[keyof Tables];

export const errorStatus: Readonly<Record<ErrorCode, number>> = Object.assign({}, ...Object.values(errorTables));

/** The `name` Anypoint clients see beside `message` (contract §1.4). */
export function errorName(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 401:
      return 'UnauthorizedError';
    case 403:
      return 'ForbiddenError';
    case 404:
      return 'NotFoundError';
    case 405:
      return 'MethodNotAllowedError';
    case 408:
      return 'RequestTimeoutError';
    case 409:
      return 'ConflictError';
    case 413:
      return 'PayloadTooLargeError';
    case 414:
      return 'UriTooLongError';
    case 415:
      return 'UnsupportedMediaTypeError';
    case 429:
      return 'TooManyRequestsError';
    case 431:
      return 'RequestHeaderFieldsTooLargeError';
    case 503:
      return 'ServiceUnavailableError';
    default:
      return status >= 500 ? 'InternalServerError' : 'Error';
  }
}
