-- AlterTable
ALTER TABLE "Contract" ADD COLUMN     "requestedTierId" INTEGER,
ADD COLUMN     "tierId" INTEGER;

-- CreateTable
CREATE TABLE "SlaTier" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "autoApprove" BOOLEAN NOT NULL DEFAULT false,
    "limits" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SlaTier_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SlaTier_apiId_name_key" ON "SlaTier"("apiId", "name");

-- CreateIndex
CREATE INDEX "Contract_tierId_idx" ON "Contract"("tierId");

-- CreateIndex
CREATE INDEX "Contract_requestedTierId_idx" ON "Contract"("requestedTierId");

-- AddForeignKey
ALTER TABLE "Contract" ADD CONSTRAINT "Contract_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "SlaTier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contract" ADD CONSTRAINT "Contract_requestedTierId_fkey" FOREIGN KEY ("requestedTierId") REFERENCES "SlaTier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SlaTier" ADD CONSTRAINT "SlaTier_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration revisions (hand-written, as in 20261205011000_contract_revisions): the limits of
-- the tier of each approved contract are the rate-limiting-sla-based policy's managed data, so a
-- tier created, changed or deleted reaches the gateways of its API with the next push (a contract
-- moving to another tier already does, through the Contract trigger).
CREATE TRIGGER "SlaTier_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "SlaTier"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();

-- The application's name is managed data too (client-id-enforcement, rate-limiting-sla-based):
-- renaming an application with contracts is a change to what their APIs' targets serve.
CREATE OR REPLACE FUNCTION portico_client_application_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."clientId" IS DISTINCT FROM OLD."clientId"
     OR NEW."clientSecretHash" IS DISTINCT FROM OLD."clientSecretHash"
     OR NEW."name" IS DISTINCT FROM OLD."name" THEN
    PERFORM portico_bump_api_target(c."apiId") FROM "Contract" c WHERE c."applicationId" = NEW."id";
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
