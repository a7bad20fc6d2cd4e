import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';

/** Token and grant look-ups for authentication. */
@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  createToken(data: { tokenHash: string; expiresAt: Date; userId?: string; connectedAppId?: string }) {
    return this.prisma.accessToken.create({ data });
  }

  findToken(tokenHash: string) {
    return this.prisma.accessToken.findUnique({
      where: { tokenHash },
      include: {
        user: { include: { grants: true } },
        connectedApp: { include: { grants: true } },
      },
    });
  }

  revokeToken(tokenHash: string) {
    return this.prisma.accessToken.updateMany({
      where: { tokenHash, revokedAt: null },
      data: { revokedAt: new Date() },
    });
  }

  /** Deletes tokens that expired more than a day ago (housekeeping on issue). */
  purgeExpiredTokens(before: Date) {
    return this.prisma.accessToken.deleteMany({ where: { expiresAt: { lt: before } } });
  }

  /** (id, parentId) of every organization; the tree is small and read per request. */
  organizationTree() {
    return this.prisma.organization.findMany({ select: { id: true, parentId: true } });
  }

  environmentOrg(environmentId: string) {
    return this.prisma.environment.findUnique({ where: { id: environmentId }, select: { organizationId: true } });
  }
}
