-- CreateTable
CREATE TABLE "ToolPin" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "toolName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "approvedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ToolPin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ToolDefinitionChange" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "toolName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "previousSha256" TEXT,
    "previousDefinition" JSONB,
    "diff" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reportedByTarget" UUID NOT NULL,
    "reportedByReplica" TEXT NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,

    CONSTRAINT "ToolDefinitionChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ToolPin_apiId_toolName_key" ON "ToolPin"("apiId", "toolName");

-- CreateIndex
CREATE INDEX "ToolDefinitionChange_apiId_status_idx" ON "ToolDefinitionChange"("apiId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ToolDefinitionChange_apiId_toolName_sha256_key" ON "ToolDefinitionChange"("apiId", "toolName", "sha256");

-- AddForeignKey
ALTER TABLE "ToolPin" ADD CONSTRAINT "ToolPin_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolDefinitionChange" ADD CONSTRAINT "ToolDefinitionChange_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration revisions (hand-written, as in 20261202072527_gateway_sync): pins and the names
-- of tools with a pending change are pushed to gateways as the mcp-tool-pinning policy's managed
-- data, so a change to either is a change to what the instance's target serves.
CREATE TRIGGER "ToolPin_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ToolPin"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();
CREATE TRIGGER "ToolDefinitionChange_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ToolDefinitionChange"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();
