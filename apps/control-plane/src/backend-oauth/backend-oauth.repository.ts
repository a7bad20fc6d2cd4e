/**
 * Persistence of gateway-managed OAuth: the upstream-oauth policy of an instance, each user's
 * connection (tokens sealed) and the flows in progress. The only file of the feature that imports
 * the Prisma client.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';

export const UPSTREAM_OAUTH = 'upstream-oauth';

const POLICY_SELECT = {
  id: true,
  groupId: true,
  assetId: true,
  assetVersion: true,
  configurationData: true,
  api: { select: { id: true, instanceLabel: true, assetId: true, upstreamUri: true, organizationId: true, environmentId: true } },
} as const;

/** What an authorization (or a refresh) gives a connection: the tokens sealed, and who issued them to whom. */
interface ConnectionTokens {
  issuer: string;
  clientId: string;
  accessTokenSealed: string;
  refreshTokenSealed: string | null;
  expiresAt: Date | null;
  scope: string | null;
}

@Injectable()
export class BackendOAuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The enabled upstream-oauth policy of API `apiId`, when it is deployed to `targetId`. */
  policyForTarget(targetId: string, apiId: number) {
    return this.prisma.appliedPolicy.findFirst({
      where: { apiId, assetId: UPSTREAM_OAUTH, disabled: false, api: { deployment: { targetId, expectedStatus: 'deployed' } } },
      orderBy: { order: 'asc' },
      select: POLICY_SELECT,
    });
  }

  /** The enabled upstream-oauth policy of API `apiId` (any deployment). */
  policyOfApi(apiId: number) {
    return this.prisma.appliedPolicy.findFirst({
      where: { apiId, assetId: UPSTREAM_OAUTH, disabled: false },
      orderBy: { order: 'asc' },
      select: POLICY_SELECT,
    });
  }

  /** The jwt-validation and upstream-oauth policies of API `apiId` (sign-in-issuer.ts reads them). */
  authenticationChain(apiId: number) {
    return this.prisma.appliedPolicy.findMany({
      where: { apiId, assetId: { in: ['jwt-validation', UPSTREAM_OAUTH] } },
      select: { id: true, assetId: true, disabled: true, order: true, configurationData: true },
    });
  }

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true, instanceLabel: true, assetId: true } });
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  connection(apiId: number, subject: string) {
    return this.prisma.backendOAuthConnection.findUnique({ where: { apiId_subject: { apiId, subject } } });
  }

  /**
   * Takes the refresh lease of connection `id` until `until` when no live lease holds it, and
   * answers the row as it was then; undefined while another refresh holds it (or it is gone).
   */
  async leaseRefresh(id: string, until: Date) {
    const [row] = await this.prisma.backendOAuthConnection.updateManyAndReturn({
      where: { id, OR: [{ refreshingUntil: null }, { refreshingUntil: { lt: new Date() } }] },
      data: { refreshingUntil: until },
    });
    return row;
  }

  /** Stores a refresh's tokens and ends its lease; false when the connection went meanwhile (revoked). */
  async finishRefresh(
    id: string,
    lease: Date,
    tokens: Pick<
      Parameters<BackendOAuthRepository['saveConnection']>[0],
      'accessTokenSealed' | 'refreshTokenSealed' | 'expiresAt' | 'scope' | 'issuer' | 'clientId'
    >,
  ): Promise<boolean> {
    const { count } = await this.prisma.backendOAuthConnection.updateMany({
      where: { id, refreshingUntil: lease },
      data: { ...tokens, refreshingUntil: null, lastUsedAt: null },
    });
    return count > 0;
  }

  async releaseRefresh(id: string, lease: Date): Promise<void> {
    await this.prisma.backendOAuthConnection.updateMany({
      where: { id, refreshingUntil: lease },
      data: { refreshingUntil: null },
    });
  }

  /** A user's new connection, or their tokens replacing the ones they had (a new authorization). */
  saveConnection(data: ConnectionTokens & { apiId: number; subject: string }) {
    const { apiId, subject, ...tokens } = data;
    return this.prisma.backendOAuthConnection.upsert({
      where: { apiId_subject: { apiId, subject } },
      create: data,
      // A refresh still running for the tokens replaced must not store or delete anything now.
      update: { ...tokens, lastUsedAt: null, refreshingUntil: null },
    });
  }

  /** Deletes connection `id` while the refresh lease `lease` holds it (a new authorization ends the lease). */
  async deleteLeased(id: string, lease: Date): Promise<void> {
    await this.prisma.backendOAuthConnection.deleteMany({ where: { id, refreshingUntil: lease } });
  }

  async deleteConnection(id: string, tx?: Tx): Promise<boolean> {
    const { count } = await (tx ?? this.prisma).backendOAuthConnection.deleteMany({ where: { id } });
    return count > 0;
  }

  markUsed(id: string, at: Date) {
    return this.prisma.backendOAuthConnection.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  connections(apiId: number) {
    return this.prisma.backendOAuthConnection.findMany({ where: { apiId }, orderBy: { createdAt: 'asc' } });
  }

  findConnection(apiId: number, id: string) {
    return this.prisma.backendOAuthConnection.findFirst({ where: { apiId, id } });
  }

  async createConsent(data: {
    stateSha256: string;
    apiId: number;
    subject: string;
    issuer: string;
    codeVerifierSealed: string;
    signInVerifierSealed: string;
    redirectUri: string;
    elicitationId: string;
    urlSealed: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.backendOAuthConsent.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
      this.prisma.backendOAuthConsent.create({ data }),
    ]);
  }

  /** The user's flow no browser has taken up yet with the most time left after `after`, if any. */
  pendingConsent(apiId: number, subject: string, issuer: string, after: Date) {
    return this.prisma.backendOAuthConsent.findFirst({
      where: { apiId, subject, issuer, browserSha256: null, expiresAt: { gt: after } },
      orderBy: { expiresAt: 'desc' },
    });
  }

  /** The flow of `stateSha256` while its user has not signed in and it has not expired (not taken: the callback takes it). */
  findConsent(stateSha256: string) {
    return this.prisma.backendOAuthConsent.findFirst({
      where: { stateSha256, signedInAt: null, expiresAt: { gt: new Date() } },
    });
  }

  /** Makes `browserSha256` the flow's browser, once; false when another browser has it (or it is gone). */
  async bindBrowser(stateSha256: string, browserSha256: string): Promise<boolean> {
    const { count } = await this.prisma.backendOAuthConsent.updateMany({
      where: { stateSha256, browserSha256: null, signedInAt: null, expiresAt: { gt: new Date() } },
      data: { browserSha256 },
    });
    return count > 0;
  }

  /** Records the user's sign-in, once; false when it was recorded (or the flow taken) already. */
  async markSignedIn(stateSha256: string): Promise<boolean> {
    const { count } = await this.prisma.backendOAuthConsent.updateMany({
      where: { stateSha256, signedInAt: null, expiresAt: { gt: new Date() } },
      data: { signedInAt: new Date() },
    });
    return count > 0;
  }

  /** Forgets every flow in progress of API `apiId` (it leaves gateway-managed OAuth). */
  async deleteConsents(apiId: number): Promise<void> {
    await this.prisma.backendOAuthConsent.deleteMany({ where: { apiId } });
  }

  /** Takes (deletes and returns) the flow of `stateSha256`: a state is good for one callback. */
  async takeConsent(stateSha256: string) {
    const rows = await this.prisma.backendOAuthConsent.findMany({ where: { stateSha256 } });
    if (!rows.length) return null;
    const { count } = await this.prisma.backendOAuthConsent.deleteMany({ where: { stateSha256 } });
    return count ? rows[0]! : null;
  }
}
