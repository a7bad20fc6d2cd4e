/** Seed 003's auth modes: the REST API's `connection.mode` values and their names. */
import type { ConnectionMode } from '../../api/resources';

export const MODE_LABELS: Record<ConnectionMode, string> = {
  'gateway-oauth': 'OAuth',
  'oauth-passthrough': 'OAuth passthrough',
  'api-key': 'API key or token',
  none: 'No auth',
};

/** The auth modes in the order the forms offer them: from what the gateway does most to nothing. */
export const MODES: readonly ConnectionMode[] = ['gateway-oauth', 'oauth-passthrough', 'api-key', 'none'];
