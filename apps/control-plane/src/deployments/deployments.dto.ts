import { z } from 'zod';
import { auditSchema, isoTime } from '../common/audit.js';
import { objectError } from '../common/validation.js';
import { int32 } from '../common/integer-id.js';
import { normaliseBasePath } from './proxy-listener.js';

/** Anypoint's schema allows an integer or a string; Portico target ids are UUIDs. */
const targetId = z.union([z.string().max(64), int32('must be a target id', 0)]).transform(String);

/**
 * The flat proxies-xapi deployment body (contract §5.1); also the xapi instance's inline
 * `deployment{}`. Which fields HY needs is checked by the service, with Anypoint's exact messages.
 * `targetType`, `name` and the nested `target` are accepted for compatibility; `target.targetId`
 * stands in for a missing `targetId`. Any other field is refused by name.
 */
const deploymentFields = {
  type: z.enum(['HY'], { error: 'must be HY: Portico gateways are self-managed' }),
  environmentId: z.string().max(40).nullish(),
  environmentName: z.string().max(255).nullish(),
  gatewayVersion: z.string().max(150).nullish(),
  targetId: targetId.nullish(),
  targetName: z.string().max(255).nullish(),
  targetType: z.string().max(64).nullish(),
  overwrite: z.boolean().nullish(),
  applicationName: z.string().max(255).nullish(),
  name: z.string().max(255).nullish(),
  expectedStatus: z.enum(['deployed', 'undeployed']).nullish(),
  target: z.strictObject({ targetId: targetId.nullish() }).nullish(),
};

export const deploymentBody = z.strictObject(deploymentFields, objectError('must be object'));
export type DeploymentBody = z.output<typeof deploymentBody>;

/**
 * PATCH/PUT .../deployments/{id}: any subset, merged over the current deployment. It also takes
 * back the read-only fields GET answers (`api redeploy` PATCHes what it read): each must equal the
 * deployment's own value (DeploymentsService.update).
 */
export const deploymentPatchBody = deploymentBody.partial().extend({
  id: z.unknown().optional(),
  apiId: z.unknown().optional(),
  applicationId: z.unknown().optional(),
  deploymentId: z.unknown().optional(),
  updatedDate: z.unknown().optional(),
  audit: z.unknown().optional(),
});
export type DeploymentPatchBody = z.output<typeof deploymentPatchBody>;

/** GET .../gateway-targets/{targetId}/apis (contract §8.3). */
export const targetApisQuery = z.object({
  port: z.coerce.number().int().min(1).max(65535).optional(),
  path: z
    .string()
    .max(2048)
    .transform((path, ctx) => {
      const normalised = normaliseBasePath(path);
      if (normalised === undefined) ctx.addIssue({ code: 'custom', message: 'must be a base path such as /mcp' });
      return normalised ?? path;
    })
    .optional(),
});
export type TargetApisQuery = z.output<typeof targetApisQuery>;

/** A deployment as API Manager answers it (deployment.view.ts). */
export const deploymentSchema = z.object({
  audit: auditSchema,
  id: z.number().int(),
  applicationId: z.string(),
  applicationName: z.string().nullable(),
  gatewayVersion: z.string(),
  environmentName: z.string().nullable(),
  environmentId: z.string(),
  targetId: z.string(),
  targetName: z.string(),
  deploymentId: z.null().describe('Anypoint’s runtime-side id; self-managed deployments have none'),
  updatedDate: isoTime,
  type: z.string(),
  expectedStatus: z.enum(['deployed', 'undeployed']),
  apiId: z.number().int(),
});
export type Deployment = z.output<typeof deploymentSchema>;

/** GET …/deployments/{id}/status (contract §5.2): `errorMessage` only while `failed`. */
export const deploymentStatusSchema = z.object({
  status: z.enum(['applying', 'applied', 'failed', 'undeployed']),
  lastActiveDate: isoTime.nullable(),
  apiVersionStatus: z.string().describe('the API instance’s status'),
  errorMessage: z.string().nullable().optional().describe('why the gateway does not serve the API, while failed'),
});
