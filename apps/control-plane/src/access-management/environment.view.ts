import type { EnvironmentView } from './environment.dto.js';

/** Environment as Access Management returns it; all six fields are required (contract §2.4). */
export function environmentView(env: {
  id: string;
  organizationId: string;
  name: string;
  isProduction: boolean;
  type: string;
  clientId: string;
}): EnvironmentView {
  return {
    id: env.id,
    organizationId: env.organizationId,
    name: env.name,
    isProduction: env.isProduction,
    // a plain string column, written only as one of ENVIRONMENT_TYPES
    type: env.type as EnvironmentView['type'],
    clientId: env.clientId,
  };
}
