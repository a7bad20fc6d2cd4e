/** Seed 003's names of the auth modes, by the REST API's `connection.mode`. */
import type { ConnectionMode } from '../../api/resources';

export const MODE_LABELS: Record<ConnectionMode, string> = {
  'gateway-oauth': 'OAuth',
  'oauth-passthrough': 'OAuth passthrough',
  'api-key': 'API key or token',
  none: 'No auth',
};
