-- AlterTable
ALTER TABLE "ApiInstance" ADD COLUMN     "backendEnabled" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "McpLibraryEntry" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "server" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "McpLibraryEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "McpInstallRequest" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "entryId" UUID NOT NULL,
    "entryName" TEXT NOT NULL,
    "entryVersion" TEXT NOT NULL,
    "targetId" UUID NOT NULL,
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "sealedSecrets" TEXT,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedBy" TEXT NOT NULL,
    "requestedByName" TEXT NOT NULL,
    "decidedBy" TEXT,
    "decidedByName" TEXT,
    "decidedAt" TIMESTAMP(3),
    "comment" TEXT,
    "apiId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "McpInstallRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ObservedTool" (
    "apiId" INTEGER NOT NULL,
    "upstreamName" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "description" TEXT,
    "descriptionSha256" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "listed" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "ObservedTool_pkey" PRIMARY KEY ("apiId","upstreamName","name")
);

-- CreateIndex
CREATE UNIQUE INDEX "McpLibraryEntry_organizationId_name_version_key" ON "McpLibraryEntry"("organizationId", "name", "version");

-- CreateIndex
CREATE INDEX "McpInstallRequest_organizationId_environmentId_status_idx" ON "McpInstallRequest"("organizationId", "environmentId", "status");

-- CreateIndex
CREATE INDEX "McpInstallRequest_requestedBy_idx" ON "McpInstallRequest"("requestedBy");

-- AddForeignKey
ALTER TABLE "McpLibraryEntry" ADD CONSTRAINT "McpLibraryEntry_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "McpInstallRequest" ADD CONSTRAINT "McpInstallRequest_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ObservedTool" ADD CONSTRAINT "ObservedTool_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

