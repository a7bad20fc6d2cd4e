/**
 * Every stored row that belongs to an organization, or points at something that does, read
 * straight from the database: two snapshots taken around requests of another tenant must be
 * equal when none of them reached the organization's data.
 *
 * "Points at" matters as much as "belongs to": another tenant's contract on this organization's
 * client application, its deployment to this organization's gateway or its grant in this
 * organization are rows of the other tenant that would change what this one serves or who may
 * act in it. Every table of the schema is listed (checked at compile time and at run time), so
 * a new table needs a decision here.
 */
import { Prisma } from '../../src/generated/prisma/client.js';
import { testPrisma } from './factories.js';

/** The organization's own ids that other rows refer to. */
interface Owned {
  organizationId: string;
  users: string[];
  connectedApps: string[];
  assets: number[];
  apis: number[];
  routes: string[];
  targets: string[];
  secretGroups: string[];
  tlsContexts: string[];
  applications: number[];
}

type Rows = (owned: Owned) => Promise<unknown[]>;

/** Tables whose rows no organization owns, and why they cannot hold tenant data. */
const NOT_TENANT_DATA = {
  CertificateAuthority: "the control plane's own CA, one row for every tenant",
  PolicyTemplate: 'the built-in policy catalog, the same for every tenant (organizations cannot publish policies)',
} as const;

const TENANT_ROWS: Record<Exclude<Prisma.ModelName, keyof typeof NOT_TENANT_DATA>, Rows> = {
  Organization: (o) =>
    db().organization.findMany({
      where: { OR: [{ id: o.organizationId }, { parentId: o.organizationId }] },
      orderBy: { id: 'asc' },
    }),
  Environment: (o) => db().environment.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  User: (o) => db().user.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  ConnectedApp: (o) => db().connectedApp.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  PermissionGrant: (o) =>
    db().permissionGrant.findMany({
      where: {
        OR: [{ organizationId: o.organizationId }, { userId: { in: o.users } }, { connectedAppId: { in: o.connectedApps } }],
      },
      orderBy: { id: 'asc' },
    }),
  AccessToken: (o) =>
    db().accessToken.findMany({
      where: { OR: [{ userId: { in: o.users } }, { connectedAppId: { in: o.connectedApps } }] },
      orderBy: { id: 'asc' },
    }),
  ExchangeAsset: (o) =>
    db().exchangeAsset.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { groupId: o.organizationId }] },
      orderBy: { id: 'asc' },
    }),
  ExchangeAssetFile: (o) => db().exchangeAssetFile.findMany({ where: { assetPk: { in: o.assets } }, orderBy: { id: 'asc' } }),
  ExchangePortal: (o) => db().exchangePortal.findMany({ where: { assetPk: { in: o.assets } }, orderBy: { assetPk: 'asc' } }),
  ExchangePortalPage: (o) => db().exchangePortalPage.findMany({ where: { portalPk: { in: o.assets } }, orderBy: { id: 'asc' } }),
  ExchangePortalResource: (o) =>
    db().exchangePortalResource.findMany({ where: { portalPk: { in: o.assets } }, orderBy: { id: 'asc' } }),
  PublicationRun: (o) =>
    db().publicationRun.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { groupId: o.organizationId }] },
      orderBy: { id: 'asc' },
    }),
  ApiInstance: (o) =>
    db().apiInstance.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { inboundTlsId: { in: o.tlsContexts } }] },
      orderBy: { id: 'asc' },
    }),
  ApiRoute: (o) => db().apiRoute.findMany({ where: { apiId: { in: o.apis } }, orderBy: { id: 'asc' } }),
  ApiUpstream: (o) =>
    db().apiUpstream.findMany({
      where: { OR: [{ apiId: { in: o.apis } }, { tlsContextId: { in: o.tlsContexts } }] },
      orderBy: { id: 'asc' },
    }),
  ApiRouteUpstream: (o) =>
    db().apiRouteUpstream.findMany({
      where: { routeId: { in: o.routes } },
      orderBy: [{ routeId: 'asc' }, { upstreamId: 'asc' }],
    }),
  GatewayTarget: (o) => db().gatewayTarget.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  GatewayReplica: (o) => db().gatewayReplica.findMany({ where: { targetId: { in: o.targets } }, orderBy: { id: 'asc' } }),
  GatewayCertificate: (o) =>
    db().gatewayCertificate.findMany({ where: { targetId: { in: o.targets } }, orderBy: { serialNumber: 'asc' } }),
  RegistrationToken: (o) =>
    db().registrationToken.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  Deployment: (o) =>
    db().deployment.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }, { targetId: { in: o.targets } }] },
      orderBy: { id: 'asc' },
    }),
  SecretGroup: (o) => db().secretGroup.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  TlsContext: (o) => db().tlsContext.findMany({ where: { secretGroupId: { in: o.secretGroups } }, orderBy: { id: 'asc' } }),
  AppliedPolicy: (o) =>
    db().appliedPolicy.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }] },
      orderBy: { id: 'asc' },
    }),
  ClientApplication: (o) =>
    db().clientApplication.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  Contract: (o) =>
    db().contract.findMany({
      where: {
        OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }, { applicationId: { in: o.applications } }],
      },
      orderBy: { id: 'asc' },
    }),
  SlaTier: (o) =>
    db().slaTier.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }] },
      orderBy: { id: 'asc' },
    }),
  ToolPin: (o) => db().toolPin.findMany({ where: { apiId: { in: o.apis } }, orderBy: { id: 'asc' } }),
  ToolDefinitionChange: (o) =>
    db().toolDefinitionChange.findMany({
      where: { OR: [{ apiId: { in: o.apis } }, { reportedByTarget: { in: o.targets } }] },
      orderBy: { id: 'asc' },
    }),
  ApiKey: (o) => db().apiKey.findMany({ where: { apiId: { in: o.apis } }, orderBy: { id: 'asc' } }),
  McpLibraryEntry: (o) => db().mcpLibraryEntry.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  McpInstallRequest: (o) =>
    db().mcpInstallRequest.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }, { targetId: { in: o.targets } }] },
      orderBy: { id: 'asc' },
    }),
  Agent: (o) => db().agent.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
  AgentBackend: (o) =>
    db().agentBackend.findMany({ where: { apiId: { in: o.apis } }, orderBy: [{ agentId: 'asc' }, { apiId: 'asc' }] }),
  BackendOAuthConnection: (o) =>
    db().backendOAuthConnection.findMany({ where: { apiId: { in: o.apis } }, orderBy: { id: 'asc' } }),
  BackendOAuthConsent: (o) =>
    db().backendOAuthConsent.findMany({ where: { apiId: { in: o.apis } }, orderBy: { stateSha256: 'asc' } }),
  ObservedTool: (o) =>
    db().observedTool.findMany({
      where: { apiId: { in: o.apis } },
      orderBy: [{ apiId: 'asc' }, { upstreamName: 'asc' }, { name: 'asc' }],
    }),
  // the evaluation state moves with every evaluator tick, whichever control plane runs it
  Alert: (o) =>
    db().alert.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }] },
      omit: { state: true, evaluatedAt: true, lastValue: true, firedAt: true, resolvedAt: true },
      orderBy: { id: 'asc' },
    }),
  AccessEvent: (o) =>
    db().accessEvent.findMany({
      where: { OR: [{ organizationId: o.organizationId }, { apiId: { in: o.apis } }, { targetId: { in: o.targets } }] },
      orderBy: [{ environmentId: 'asc' }, { time: 'asc' }, { id: 'asc' }],
    }),
  AuditRecord: (o) => db().auditRecord.findMany({ where: { organizationId: o.organizationId }, orderBy: { id: 'asc' } }),
};

const db = testPrisma;

async function owned(organizationId: string): Promise<Owned> {
  const ids = <T>(rows: { id: T }[]) => rows.map((r) => r.id);
  const byOrg = { where: { organizationId }, select: { id: true } } as const;
  const [users, connectedApps, apis, targets, secretGroups, applications, assets] = await Promise.all([
    db().user.findMany(byOrg),
    db().connectedApp.findMany(byOrg),
    db().apiInstance.findMany(byOrg),
    db().gatewayTarget.findMany(byOrg),
    db().secretGroup.findMany(byOrg),
    db().clientApplication.findMany(byOrg),
    db().exchangeAsset.findMany({ where: { OR: [{ organizationId }, { groupId: organizationId }] }, select: { id: true } }),
  ]);
  const [routes, tlsContexts] = await Promise.all([
    db().apiRoute.findMany({ where: { apiId: { in: ids(apis) } }, select: { id: true } }),
    db().tlsContext.findMany({ where: { secretGroupId: { in: ids(secretGroups) } }, select: { id: true } }),
  ]);
  return {
    organizationId,
    users: ids(users),
    connectedApps: ids(connectedApps),
    assets: ids(assets),
    apis: ids(apis),
    routes: ids(routes),
    targets: ids(targets),
    secretGroups: ids(secretGroups),
    tlsContexts: ids(tlsContexts),
    applications: ids(applications),
  };
}

/** The organization's rows (see the header), by table. */
export async function tenantSnapshot(organizationId: string): Promise<Record<string, unknown[]>> {
  const unlisted = Object.keys(Prisma.ModelName).filter((m) => !(m in TENANT_ROWS) && !(m in NOT_TENANT_DATA));
  if (unlisted.length) {
    throw new Error(
      `tenantSnapshot: decide how the rows of ${unlisted.join(', ')} belong to an organization (tenant-snapshot.ts)`,
    );
  }
  const o = await owned(organizationId);
  const snapshot: Record<string, unknown[]> = {};
  for (const [model, rows] of Object.entries(TENANT_ROWS)) snapshot[model] = await rows(o);
  return snapshot;
}

/** The tables whose rows differ between two snapshots of one organization. */
export function changedTables(before: Record<string, unknown[]>, after: Record<string, unknown[]>): string[] {
  const text = (rows: unknown[] | undefined) =>
    JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  return Object.keys({ ...before, ...after }).filter((table) => text(before[table]) !== text(after[table]));
}
