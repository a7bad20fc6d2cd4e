/** Environment as Access Management returns it; all six fields are required (contract §2.4). */
export function environmentView(env: {
  id: string;
  organizationId: string;
  name: string;
  isProduction: boolean;
  type: string;
  clientId: string;
}) {
  return {
    id: env.id,
    organizationId: env.organizationId,
    name: env.name,
    isProduction: env.isProduction,
    type: env.type,
    clientId: env.clientId,
  };
}
