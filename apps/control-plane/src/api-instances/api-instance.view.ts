/**
 * API instances as API Manager shows them: the instance body (contract §4.1), the api/v1 list
 * grouped by asset (§4.2.a) and the flat xapi list (§4.2.b).
 */
import { audit } from '../common/audit.js';
import { deploymentView } from '../deployments/deployment.view.js';
import type { ApiAssetGroup, ApiInstance, ListedApiInstance } from './api-instances.dto.js';
import type { ApiInstanceRecord, UpstreamRecord } from './api-instances.repository.js';

export function autodiscoveryInstanceName(api: { productVersion: string; id: number }): string {
  return `${api.productVersion}:${api.id}`;
}

/** `groupId:<g>:assetId:<a>`: the asset's `name` / `autodiscoveryApiName`. */
export function autodiscoveryApiName(a: { groupId: string; assetId: string }): string {
  return `groupId:${a.groupId}:assetId:${a.assetId}`;
}

export function instanceView(api: ApiInstanceRecord, masterOrganizationId: string): ApiInstance {
  return {
    audit: audit(api.createdAt, api.updatedAt),
    masterOrganizationId,
    organizationId: api.organizationId,
    id: api.id,
    instanceLabel: api.instanceLabel,
    groupId: api.groupId,
    assetId: api.assetId,
    assetVersion: api.assetVersion,
    productVersion: api.productVersion,
    description: api.description,
    tags: api.tags,
    order: api.order,
    providerId: api.providerId,
    deprecated: api.deprecated,
    lastActiveDate: api.lastActiveDate?.toISOString() ?? null,
    endpointUri: api.endpointUri,
    environmentId: api.environmentId,
    isPublic: api.isPublic,
    stage: api.stage,
    technology: api.technology,
    // a plain string column, written only as the schema's values
    approvalMethod: api.approvalMethod as ApiInstance['approvalMethod'],
    endpoint: {
      audit: audit(api.createdAt, api.updatedAt),
      id: api.endpointId,
      type: api.endpointType,
      uri: api.upstreamUri,
      apiGatewayVersion: api.deployment?.gatewayVersion ?? null,
      proxyUri: api.proxyUri,
      proxyRegistrationUri: api.proxyRegistrationUri,
      lastActiveDate: api.lastActiveDate?.toISOString() ?? null,
      isCloudHub: api.isCloudHub,
      deploymentType: api.deploymentType,
      policiesVersion: null,
      referencesUserDomain: api.referencesUserDomain,
      responseTimeout: api.responseTimeout,
      wsdlConfig: null,
      muleVersion4OrAbove: api.muleVersion4OrAbove,
      tlsContexts: api.tlsContexts,
      proxyTemplate: api.proxyTemplate,
      validation: api.validation,
    },
    deployment: api.deployment ? deploymentView(api.deployment) : null,
    // Instance bodies reference upstreams by id only; .../upstreams has their URIs.
    routing: api.routes.map((r) => ({
      label: r.label,
      rules: r.rules,
      upstreams: r.upstreams.map((u) => ({ id: u.upstreamId, weight: u.weight })),
    })),
    status: api.status,
    autodiscoveryInstanceName: autodiscoveryInstanceName(api),
  };
}

function listedInstanceView(api: ApiInstanceRecord, masterOrganizationId: string): ListedApiInstance {
  return { ...instanceView(api, masterOrganizationId), pinned: api.pinned, activeContractsCount: api._count.contracts };
}

export interface AssetGroup {
  groupId: string;
  assetId: string;
  createdAt: Date;
  /** first Exchange row of the asset; null when the asset is gone from Exchange */
  exchange: { id: number; name: string } | null;
  apis: ApiInstanceRecord[];
}

/** An `assets[]` entry of the api/v1 list. */
export function assetGroupView(group: AssetGroup, organizationId: string, masterOrganizationId: string): ApiAssetGroup {
  const name = autodiscoveryApiName(group);
  return {
    audit: audit(group.createdAt),
    masterOrganizationId,
    organizationId,
    id: group.exchange?.id ?? null,
    name,
    exchangeAssetName: group.exchange?.name ?? group.assetId,
    groupId: group.groupId,
    assetId: group.assetId,
    autodiscoveryApiName: name,
    totalApis: group.apis.length,
    apis: group.apis.map((api) => listedInstanceView(api, masterOrganizationId)),
  };
}

/** An `instances[]` entry of the xapi list: the deployment is abbreviated there. */
export function flatInstanceView(api: ApiInstanceRecord, masterOrganizationId: string, exchangeName: string | undefined) {
  const name = autodiscoveryApiName(api);
  return {
    ...listedInstanceView(api, masterOrganizationId),
    endpointType: api.endpointType,
    asset: { name, exchangeAssetName: exchangeName ?? api.assetId, groupId: api.groupId, assetId: api.assetId },
    deployment: api.deployment
      ? {
          audit: audit(api.deployment.createdAt, api.deployment.updatedAt),
          applicationId: api.deployment.applicationId,
          targetId: api.deployment.targetId,
          expectedStatus: api.deployment.expectedStatus,
        }
      : null,
  };
}

/** An upstream (contract §4.7). */
export function upstreamView(u: UpstreamRecord) {
  return { audit: audit(u.createdAt, u.updatedAt), id: u.id, label: u.label, uri: u.uri, tlsContext: upstreamTlsView(u) };
}

/**
 * The reference with the context it resolved to (contract §4.7). A reference stored before TLS
 * contexts were resources resolves to none and is echoed as it was received.
 */
function upstreamTlsView(u: UpstreamRecord) {
  const context = u.outboundTls;
  if (!context) return u.tlsContext;
  return {
    secretGroupId: context.secretGroupId,
    tlsContextId: context.id,
    name: context.name,
    authorized: true,
    audit: audit(context.createdAt, context.updatedAt),
  };
}
