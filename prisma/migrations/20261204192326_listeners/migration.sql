-- AlterTable
ALTER TABLE "ApiInstance" ADD COLUMN     "inboundTlsId" UUID;

-- CreateIndex
CREATE INDEX "ApiInstance_inboundTlsId_idx" ON "ApiInstance"("inboundTlsId");

-- AddForeignKey
ALTER TABLE "ApiInstance" ADD CONSTRAINT "ApiInstance_inboundTlsId_fkey" FOREIGN KEY ("inboundTlsId") REFERENCES "TlsContext"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What a listener serves with now reaches the gateways: proxyUri's host and endpointUri (the names
-- GatewayConfig Listener.hosts accepts in Host and Origin) and the inbound TLS context, like the
-- other columns a gateway snapshot is built from.
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
     OR NEW."tlsContexts"::text IS DISTINCT FROM OLD."tlsContexts"::text THEN
    PERFORM portico_bump_api_target(NEW."id");
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- A TLS context's material reaches the listeners that serve with it too, not only the upstreams.
CREATE OR REPLACE FUNCTION portico_tls_context_revision() RETURNS TRIGGER AS $$
BEGIN
  IF ROW(NEW."trustedCertificates", NEW."certificate", NEW."privateKeySealed", NEW."serverName", NEW."skipVerify")
     IS DISTINCT FROM ROW(OLD."trustedCertificates", OLD."certificate", OLD."privateKeySealed", OLD."serverName", OLD."skipVerify") THEN
    UPDATE "Deployment" SET "status" = 'applying'
      WHERE ("apiId" IN (SELECT "apiId" FROM "ApiUpstream" WHERE "tlsContextId" = NEW."id")
             OR "apiId" IN (SELECT "id" FROM "ApiInstance" WHERE "inboundTlsId" = NEW."id"))
        AND "expectedStatus" = 'deployed';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
