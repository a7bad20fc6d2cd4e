-- AlterTable
ALTER TABLE "GatewayReplica" ADD COLUMN     "capabilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "failedApis" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "errorMessage" TEXT;

-- AlterTable
ALTER TABLE "AppliedPolicy" ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'enforce';
