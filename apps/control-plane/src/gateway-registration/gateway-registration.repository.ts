import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';

/** The CertificateAuthority table holds one row, with this id. */
const AUTHORITY_ID = 1;

export interface NewGatewayCertificate {
  serialNumber: string;
  targetId: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

@Injectable()
export class GatewayRegistrationRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 30_000, maxWait: 30_000 });
  }

  findAuthority() {
    return this.prisma.certificateAuthority.findUnique({ where: { id: AUTHORITY_ID } });
  }

  /** Inserts the CA row; null when another control plane inserted it first. */
  async insertAuthority(data: { certificatePem: string; privateKeySealed: string }) {
    try {
      return await this.prisma.certificateAuthority.create({ data: { id: AUTHORITY_ID, ...data } });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  findToken(tokenHash: string) {
    return this.prisma.registrationToken.findUnique({ where: { tokenHash } });
  }

  /**
   * Marks the token used; false when it already was. The conditional UPDATE takes the row lock,
   * so of two concurrent redemptions the second waits for the first to commit and then matches
   * nothing (or, when the first rolled back, redeems it).
   */
  async redeemToken(tx: Tx, id: string, usedAt: Date): Promise<boolean> {
    const { count } = await tx.registrationToken.updateMany({ where: { id, usedAt: null }, data: { usedAt } });
    return count === 1;
  }

  linkTokenToTarget(tx: Tx, id: string, targetId: string) {
    return tx.registrationToken.update({ where: { id }, data: { targetId } });
  }

  /**
   * The environment's target with that name, locked until `tx` ends, with whether it ever had a
   * certificate; so two registrations adopting one pre-created target serialize.
   */
  async lockTargetByName(tx: Tx, organizationId: string, environmentId: string, name: string) {
    const rows = await tx.$queryRaw<{ id: string; deletedAt: Date | null }[]>`
      SELECT "id", "deletedAt" FROM "GatewayTarget"
      WHERE "organizationId" = ${organizationId}::uuid AND "environmentId" = ${environmentId}::uuid AND "name" = ${name}
      FOR UPDATE`;
    const target = rows[0];
    if (!target) return null;
    const certificates = await tx.gatewayCertificate.count({ where: { targetId: target.id } });
    return { ...target, everRegistered: certificates > 0 };
  }

  /** A new target; null when the name was taken meanwhile. */
  async createTarget(tx: Tx, data: { organizationId: string; environmentId: string; name: string }) {
    try {
      return await tx.gatewayTarget.create({ data, select: { id: true } });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  insertCertificate(tx: Tx, data: NewGatewayCertificate) {
    return tx.gatewayCertificate.create({ data });
  }

  listCertificates(targetId: string) {
    return this.prisma.gatewayCertificate.findMany({
      where: { targetId },
      orderBy: [{ createdAt: 'asc' }, { serialNumber: 'asc' }],
    });
  }

  /** The target's certificate with that serial number, locked until `tx` ends. */
  async lockCertificate(tx: Tx, targetId: string, serialNumber: string) {
    const rows = await tx.$queryRaw<{ serialNumber: string }[]>`
      SELECT "serialNumber" FROM "GatewayCertificate"
      WHERE "targetId" = ${targetId}::uuid AND "serialNumber" = ${serialNumber}
      FOR UPDATE`;
    return rows.length ? tx.gatewayCertificate.findUniqueOrThrow({ where: { serialNumber } }) : null;
  }

  revokeCertificate(tx: Tx, serialNumber: string) {
    return tx.gatewayCertificate.update({ where: { serialNumber }, data: { revokedAt: new Date() } });
  }
}

export type GatewayCertificateRecord = Awaited<ReturnType<GatewayRegistrationRepository['listCertificates']>>[number];
