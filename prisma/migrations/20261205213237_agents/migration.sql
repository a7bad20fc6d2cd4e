-- AlterTable
ALTER TABLE "ApiInstance" ADD COLUMN     "agentsRestricted" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Agent" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "predefinedKey" TEXT,
    "clientIds" TEXT[],
    "clientMetadataUrls" TEXT[],
    "clientInfoNames" TEXT[],
    "applicationIds" INTEGER[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentBackend" (
    "agentId" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "tools" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentBackend_pkey" PRIMARY KEY ("agentId","apiId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agent_organizationId_name_key" ON "Agent"("organizationId", "name");

-- CreateIndex
CREATE INDEX "AgentBackend_apiId_idx" ON "AgentBackend"("apiId");

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentBackend" ADD CONSTRAINT "AgentBackend_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentBackend" ADD CONSTRAINT "AgentBackend_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What agents may use a backend is part of what its gateways serve: a mapping, an agent's
-- recognition rules and the backend's restriction all push the backend's configuration again,
-- as switching the backend on or off (backendEnabled, …_mcp_gateway) does.
CREATE TRIGGER "AgentBackend_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "AgentBackend"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();

CREATE FUNCTION portico_agent_revision() RETURNS TRIGGER AS $$
BEGIN
  PERFORM portico_bump_api_target(m."apiId") FROM "AgentBackend" m WHERE m."agentId" = NEW."id";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Agent_config_revision" AFTER UPDATE ON "Agent"
  FOR EACH ROW EXECUTE FUNCTION portico_agent_revision();

CREATE OR REPLACE FUNCTION portico_api_instance_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."instanceLabel" IS DISTINCT FROM OLD."instanceLabel"
     OR NEW."assetId" IS DISTINCT FROM OLD."assetId"
     OR NEW."technology" IS DISTINCT FROM OLD."technology"
     OR NEW."endpointType" IS DISTINCT FROM OLD."endpointType"
     OR NEW."upstreamUri" IS DISTINCT FROM OLD."upstreamUri"
     OR NEW."proxyUri" IS DISTINCT FROM OLD."proxyUri"
     OR NEW."proxyPort" IS DISTINCT FROM OLD."proxyPort"
     OR NEW."proxyBasePath" IS DISTINCT FROM OLD."proxyBasePath"
     OR NEW."endpointUri" IS DISTINCT FROM OLD."endpointUri"
     OR NEW."responseTimeout" IS DISTINCT FROM OLD."responseTimeout"
     OR NEW."inboundTlsId" IS DISTINCT FROM OLD."inboundTlsId"
     OR NEW."backendEnabled" IS DISTINCT FROM OLD."backendEnabled"
     OR NEW."agentsRestricted" IS DISTINCT FROM OLD."agentsRestricted"
     OR NEW."tlsContexts"::text IS DISTINCT FROM OLD."tlsContexts"::text THEN
    PERFORM portico_bump_api_target(NEW."id");
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

ALTER TABLE "AccessEvent" ADD COLUMN "agent" TEXT;
