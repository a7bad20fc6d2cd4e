-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretSha256" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_secretSha256_key" ON "ApiKey"("secretSha256");

-- CreateIndex
CREATE INDEX "ApiKey_apiId_idx" ON "ApiKey"("apiId");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration revisions (hand-written, as in 20261202072527_gateway_sync): the hashes of an
-- instance's keys that are not revoked are the api-key-authentication policy's managed data, so a
-- key created, revoked, deleted or given another expiry is a change to what the instance's target
-- serves. Recording a key's last use is not.
CREATE FUNCTION portico_api_key_revision() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW."revokedAt" IS NOT DISTINCT FROM OLD."revokedAt"
     AND NEW."expiresAt" IS NOT DISTINCT FROM OLD."expiresAt"
     AND NEW."secretSha256" = OLD."secretSha256"
     AND NEW."name" = OLD."name"
     AND NEW."apiId" = OLD."apiId" THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM portico_bump_api_target(OLD."apiId");
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."apiId" <> OLD."apiId") THEN
    PERFORM portico_bump_api_target(NEW."apiId");
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ApiKey_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ApiKey"
  FOR EACH ROW EXECUTE FUNCTION portico_api_key_revision();
