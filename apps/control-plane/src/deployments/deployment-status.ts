/**
 * Deployment.status, decided here only. A written deployment is `applying` until the gateway
 * sync reports that every replica of its target applied it (`applied`) or one rejected it
 * (`failed`); a deployment whose expectedStatus is `undeployed` is `undeployed`.
 */
export type DeploymentStatus = 'applying' | 'applied' | 'failed' | 'undeployed';
export type ExpectedStatus = 'deployed' | 'undeployed';

/** The status of a deployment just created or changed. */
export function statusOnWrite(expected: ExpectedStatus): DeploymentStatus {
  return expected === 'deployed' ? 'applying' : 'undeployed';
}
