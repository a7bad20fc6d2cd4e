import { audit } from '../common/audit.js';
import type { ExpectedStatus } from './deployment-status.js';
import type { Deployment } from './deployments.dto.js';

export interface DeploymentRecord {
  id: number;
  apiId: number;
  applicationId: string;
  applicationName: string | null;
  gatewayVersion: string;
  environmentName: string | null;
  environmentId: string;
  targetId: string;
  targetName: string;
  type: string;
  expectedStatus: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The deployment object of contract §4.1 / §5.1; `$.id` is the deployment id. */
export function deploymentView(d: DeploymentRecord): Deployment {
  return {
    audit: audit(d.createdAt, d.updatedAt),
    id: d.id,
    applicationId: d.applicationId,
    applicationName: d.applicationName,
    gatewayVersion: d.gatewayVersion,
    environmentName: d.environmentName,
    environmentId: d.environmentId,
    targetId: d.targetId,
    targetName: d.targetName,
    // Anypoint's runtime-side id; self-managed deployments have none.
    deploymentId: null,
    updatedDate: d.updatedAt.toISOString(),
    type: d.type,
    // a plain string column, written only as an ExpectedStatus
    expectedStatus: d.expectedStatus as ExpectedStatus,
    apiId: d.apiId,
  };
}
