import type { PrismaService } from './prisma.service.js';

/** The root of `organizationId`'s business-group tree: Anypoint's `masterOrganizationId`. */
export async function rootOrganizationId(prisma: PrismaService, organizationId: string): Promise<string> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE chain AS (
      SELECT "id", "parentId" FROM "Organization" WHERE "id" = ${organizationId}::uuid
      UNION ALL
      SELECT o."id", o."parentId" FROM "Organization" o JOIN chain c ON o."id" = c."parentId"
    )
    SELECT "id"::text AS "id" FROM chain WHERE "parentId" IS NULL`;
  return rows[0]?.id ?? organizationId;
}
