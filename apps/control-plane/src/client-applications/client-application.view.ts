import { audit } from '../common/audit.js';
import type { ClientApplication, Contract, SlaTier } from '../generated/prisma/client.js';
import { tierSummary } from '../sla-tiers/sla-tier.view.js';
import type { ClientApplicationView, ClientApplicationWithSecret, ContractView } from './client-applications.dto.js';

/**
 * Exchange client application; `clientSecret` only when just created or reset (it is stored
 * hashed). The overload without a secret comes last, so `ReturnType` is the plain application.
 */
export function applicationView(app: ClientApplication, clientSecret: string): ClientApplicationWithSecret;
export function applicationView(app: ClientApplication): ClientApplicationView;
export function applicationView(
  app: ClientApplication,
  clientSecret?: string,
): ClientApplicationView | ClientApplicationWithSecret {
  return {
    audit: audit(app.createdAt, app.updatedAt),
    id: app.id,
    name: app.name,
    description: app.description,
    masterOrganizationId: app.organizationId,
    organizationId: app.organizationId,
    coreServicesId: app.clientId,
    clientId: app.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    clientProvider: { providerId: null },
    redirectUri: app.redirectUri,
    grantTypes: app.grantTypes,
  };
}

/**
 * API Manager contract (contract §7.2): `tier` is the SLA tier it runs under, `requestedTier` the
 * one a pending contract asks for.
 */
export function contractView(
  contract: Contract & { application: ClientApplication; tier: SlaTier | null; requestedTier: SlaTier | null },
): ContractView {
  const { application: app } = contract;
  return {
    audit: audit(contract.createdAt, contract.updatedAt),
    masterOrganizationId: contract.organizationId,
    organizationId: contract.organizationId,
    id: contract.id,
    apiId: contract.apiId,
    environmentId: contract.environmentId,
    // a plain string column, written only as one of the statuses the schema lists
    status: contract.status as ContractView['status'],
    approvedDate: contract.approvedDate?.toISOString() ?? null,
    rejectedDate: contract.rejectedDate?.toISOString() ?? null,
    revokedDate: contract.revokedDate?.toISOString() ?? null,
    applicationId: app.id,
    application: {
      id: app.id,
      name: app.name,
      coreServicesId: app.clientId,
      clientId: app.clientId,
      clientProvider: { providerId: null },
      redirectUri: app.redirectUri,
      grantTypes: app.grantTypes,
    },
    tierId: contract.tierId,
    tier: contract.tier ? tierSummary(contract.tier) : null,
    requestedTierId: contract.requestedTierId,
    requestedTier: contract.requestedTier ? tierSummary(contract.requestedTier) : null,
    terms: null,
    partyId: '',
    partyName: '',
  };
}
