-- AlterTable
ALTER TABLE "ApiUpstream" ADD COLUMN     "tlsContextId" UUID;

-- CreateTable
CREATE TABLE "SecretGroup" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecretGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TlsContext" (
    "id" UUID NOT NULL,
    "secretGroupId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT 'FlexGateway',
    "trustedCertificates" TEXT,
    "certificate" TEXT,
    "privateKeySealed" TEXT,
    "serverName" TEXT,
    "skipVerify" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TlsContext_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SecretGroup_environmentId_name_key" ON "SecretGroup"("environmentId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "TlsContext_secretGroupId_name_key" ON "TlsContext"("secretGroupId", "name");

-- CreateIndex
CREATE INDEX "ApiUpstream_tlsContextId_idx" ON "ApiUpstream"("tlsContextId");

-- AddForeignKey
ALTER TABLE "ApiUpstream" ADD CONSTRAINT "ApiUpstream_tlsContextId_fkey" FOREIGN KEY ("tlsContextId") REFERENCES "TlsContext"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretGroup" ADD CONSTRAINT "SecretGroup_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TlsContext" ADD CONSTRAINT "TlsContext_secretGroupId_fkey" FOREIGN KEY ("secretGroupId") REFERENCES "SecretGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration revisions for TLS contexts (hand-written; see the gateway_sync migration).
--
-- Upstreams reference a TLS context by "tlsContextId", and ApiUpstream rows already bump their
-- API when they change. A change to the TLS material of a context itself changes the snapshot of
-- every deployed API with an upstream using it: their deployments go back to applying, which
-- bumps the target revision (Deployment trigger). A rename changes no snapshot and pushes nothing.
CREATE FUNCTION portico_tls_context_revision() RETURNS TRIGGER AS $$
BEGIN
  IF ROW(NEW."trustedCertificates", NEW."certificate", NEW."privateKeySealed", NEW."serverName", NEW."skipVerify")
     IS DISTINCT FROM ROW(OLD."trustedCertificates", OLD."certificate", OLD."privateKeySealed", OLD."serverName", OLD."skipVerify") THEN
    UPDATE "Deployment" SET "status" = 'applying'
      WHERE "apiId" IN (SELECT "apiId" FROM "ApiUpstream" WHERE "tlsContextId" = NEW."id")
        AND "expectedStatus" = 'deployed';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "TlsContext_config_revision" AFTER UPDATE ON "TlsContext"
  FOR EACH ROW EXECUTE FUNCTION portico_tls_context_revision();
