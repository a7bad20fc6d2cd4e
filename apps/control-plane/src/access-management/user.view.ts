import type { UserView } from './access-management.dto.js';

/** A user as Access Management returns it. Never carries the password hash. */
export function userView(user: {
  id: string;
  organizationId: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}): UserView {
  return {
    id: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    enabled: user.enabled,
    deleted: false,
    idprovider_id: 'portico',
    type: 'host',
    organizationId: user.organizationId,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
