-- AlterTable
ALTER TABLE "AccessEvent" ADD COLUMN     "upstreamName" TEXT;
