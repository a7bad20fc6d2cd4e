import { z } from 'zod';
import { auditSchema, isoTime } from '../common/audit.js';
import { int32 } from '../common/integer-id.js';
import { tierSummarySchema } from '../sla-tiers/sla-tiers.dto.js';

/**
 * Exchange accepts only name and description here; anything else (e.g. apiInstanceId) is refused
 * with the message Exchange gives (contract §7).
 */
export const createApplicationBody = z
  .object({
    name: z.string().trim().min(1, 'is required').max(255),
    description: z.string().max(2000).nullish(),
    redirectUri: z.array(z.string().url()).max(20).optional(),
    grantTypes: z
      .array(z.enum(['client_credentials', 'authorization_code', 'password', 'implicit', 'refresh_token']))
      .max(5)
      .optional(),
  })
  .passthrough();

export const updateApplicationBody = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    description: z.string().max(2000).nullish(),
    redirectUri: z.array(z.string().url()).max(20).optional(),
    grantTypes: z
      .array(z.enum(['client_credentials', 'authorization_code', 'password', 'implicit', 'refresh_token']))
      .max(5)
      .optional(),
  })
  .strict();

export const createContractBody = z
  .object({
    applicationId: int32('is required and must be an application id (an integer from 1 to 2147483647)'),
    requestedTierId: int32('must be a tier id (an integer from 1 to 2147483647)').nullish(),
    requestAccessInfo: z
      .object({ reason: z.string().min(1).max(500) })
      .strict()
      .optional(),
    acceptedTerms: z.boolean().optional(),
  })
  .strict();

/** GET …/apis/{id}/contracts: anypoint-cli lists with `limit, offset, sort, query, ascending`, or `coreServicesId` to find one. */
export const listContractsQuery = z.object({
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'REVOKED']).optional(),
  coreServicesId: z.string().min(1).max(255).optional().describe("the client application's client id, exact"),
  query: z.string().max(255).optional().describe('case-insensitive part of the client application name'),
  sort: z.enum(['id', 'status', 'createdDate', 'updatedDate']).default('id'),
  ascending: z.stringbool().default(true),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export type CreateApplicationBody = z.infer<typeof createApplicationBody>;
export type UpdateApplicationBody = z.infer<typeof updateApplicationBody>;
export type CreateContractBody = z.infer<typeof createContractBody>;
export type ListContractsQuery = z.infer<typeof listContractsQuery>;

const clientProvider = z.object({ providerId: z.null() });

/** An Exchange client application (client-application.view.ts applicationView). */
export const clientApplicationSchema = z.object({
  audit: auditSchema,
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  coreServicesId: z.string(),
  clientId: z.string(),
  clientProvider,
  redirectUri: z.array(z.string()),
  grantTypes: z.array(z.string()),
});
export type ClientApplicationView = z.output<typeof clientApplicationSchema>;

/** The answer that created an application or reset its secret: the only one with the secret. */
export const clientApplicationWithSecret = clientApplicationSchema.extend({ clientSecret: z.string() });
export type ClientApplicationWithSecret = z.output<typeof clientApplicationWithSecret>;

/** A contract (client-application.view.ts contractView, contract §7.2). */
export const contractSchema = z.object({
  audit: auditSchema,
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  id: z.number().int(),
  apiId: z.number().int(),
  environmentId: z.string(),
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'REVOKED']),
  approvedDate: isoTime.nullable(),
  rejectedDate: isoTime.nullable(),
  revokedDate: isoTime.nullable(),
  applicationId: z.number().int(),
  application: z.object({
    id: z.number().int(),
    name: z.string(),
    coreServicesId: z.string(),
    clientId: z.string(),
    clientProvider,
    redirectUri: z.array(z.string()),
    grantTypes: z.array(z.string()),
  }),
  tierId: z.number().int().nullable(),
  tier: tierSummarySchema.nullable().describe('the SLA tier it runs under'),
  requestedTierId: z.number().int().nullable(),
  requestedTier: tierSummarySchema.nullable().describe('the tier a pending contract asks for'),
  terms: z.null(),
  partyId: z.string(),
  partyName: z.string(),
});
export type ContractView = z.output<typeof contractSchema>;
