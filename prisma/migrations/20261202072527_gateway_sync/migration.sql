-- AlterTable
ALTER TABLE "GatewayTarget" ADD COLUMN     "configRevision" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "GatewayReplica" ADD COLUMN     "rejectedRevision" BIGINT;

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "configRevision" BIGINT;

-- CreateTable
CREATE TABLE "GatewayCertificate" (
    "serialNumber" TEXT NOT NULL,
    "targetId" UUID NOT NULL,
    "fingerprintSha256" TEXT NOT NULL,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatewayCertificate_pkey" PRIMARY KEY ("serialNumber")
);

-- CreateTable
CREATE TABLE "CertificateAuthority" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "certificatePem" TEXT NOT NULL,
    "privateKeySealed" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CertificateAuthority_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GatewayCertificate_fingerprintSha256_key" ON "GatewayCertificate"("fingerprintSha256");

-- CreateIndex
CREATE INDEX "GatewayCertificate_targetId_idx" ON "GatewayCertificate"("targetId");

-- AddForeignKey
ALTER TABLE "GatewayCertificate" ADD CONSTRAINT "GatewayCertificate_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "GatewayTarget"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Configuration revisions (hand-written; the Prisma data model has no triggers).
--
-- Every change to what a gateway target serves bumps "configRevision" of that target inside the
-- writing transaction and sends NOTIFY portico_config '<targetId>'. The row lock taken by the
-- UPDATE orders concurrent writers, so revisions of one target commit in revision order, and
-- Postgres delivers the notification only if the transaction commits (and once per payload).
-- Triggers rather than application calls so that no write path can forget the bump.
CREATE FUNCTION portico_bump_target(target UUID) RETURNS BIGINT AS $$
DECLARE
  revision BIGINT;
BEGIN
  IF target IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE "GatewayTarget" SET "configRevision" = "configRevision" + 1 WHERE "id" = target
    RETURNING "configRevision" INTO revision;
  PERFORM pg_notify('portico_config', target::text);
  RETURN revision;
END;
$$ LANGUAGE plpgsql;

-- A change to what a deployed API instance serves puts its deployment back to 'applying' (the
-- deployment trigger below then bumps the target and records the revision), so the deployment
-- reads 'applied' again only once the gateways run the change. Undeployed instances serve nothing.
CREATE FUNCTION portico_bump_api_target(api INTEGER) RETURNS VOID AS $$
BEGIN
  UPDATE "Deployment" SET "status" = 'applying' WHERE "apiId" = api AND "expectedStatus" = 'deployed';
END;
$$ LANGUAGE plpgsql;

-- Deployments: a write from the API (status set to 'applying', or undeploy, or a move) bumps the
-- target and records the revision it was written at; status updates by the sync service
-- ('applied', 'failed') do not, or every ACK would cause another push.
CREATE FUNCTION portico_deployment_revision() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM portico_bump_target(OLD."targetId");
    RETURN OLD;
  END IF;
  IF TG_OP = 'INSERT' OR NEW."status" = 'applying'
     OR NEW."expectedStatus" IS DISTINCT FROM OLD."expectedStatus"
     OR NEW."targetId" IS DISTINCT FROM OLD."targetId" THEN
    NEW."configRevision" := portico_bump_target(NEW."targetId");
    IF TG_OP = 'UPDATE' AND NEW."targetId" IS DISTINCT FROM OLD."targetId" THEN
      PERFORM portico_bump_target(OLD."targetId");
    END IF;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Deployment_config_revision" BEFORE INSERT OR UPDATE OR DELETE ON "Deployment"
  FOR EACH ROW EXECUTE FUNCTION portico_deployment_revision();

-- API instances: only the columns a gateway snapshot is built from (not status, which the sync
-- service writes).
CREATE FUNCTION portico_api_instance_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."instanceLabel" IS DISTINCT FROM OLD."instanceLabel"
     OR NEW."assetId" IS DISTINCT FROM OLD."assetId"
     OR NEW."technology" IS DISTINCT FROM OLD."technology"
     OR NEW."endpointType" IS DISTINCT FROM OLD."endpointType"
     OR NEW."upstreamUri" IS DISTINCT FROM OLD."upstreamUri"
     OR NEW."proxyPort" IS DISTINCT FROM OLD."proxyPort"
     OR NEW."proxyBasePath" IS DISTINCT FROM OLD."proxyBasePath"
     OR NEW."responseTimeout" IS DISTINCT FROM OLD."responseTimeout"
     OR NEW."tlsContexts"::text IS DISTINCT FROM OLD."tlsContexts"::text THEN
    PERFORM portico_bump_api_target(NEW."id");
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ApiInstance_config_revision" AFTER UPDATE ON "ApiInstance"
  FOR EACH ROW EXECUTE FUNCTION portico_api_instance_revision();

-- Rows that belong to one API instance through "apiId": any change.
CREATE FUNCTION portico_api_child_revision() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM portico_bump_api_target(OLD."apiId");
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW."apiId" IS DISTINCT FROM OLD."apiId") THEN
    PERFORM portico_bump_api_target(NEW."apiId");
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AppliedPolicy_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "AppliedPolicy"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();
CREATE TRIGGER "ApiUpstream_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ApiUpstream"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();
CREATE TRIGGER "ApiRoute_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ApiRoute"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();

-- Route weights hang off a route.
CREATE FUNCTION portico_route_upstream_revision() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM portico_bump_api_target((SELECT "apiId" FROM "ApiRoute" WHERE "id" = OLD."routeId"));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM portico_bump_api_target((SELECT "apiId" FROM "ApiRoute" WHERE "id" = NEW."routeId"));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ApiRouteUpstream_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "ApiRouteUpstream"
  FOR EACH ROW EXECUTE FUNCTION portico_route_upstream_revision();

-- Deleting a target (soft) and revoking one of its certificates wake its streams so the control
-- plane can end them.
CREATE FUNCTION portico_target_deleted_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."deletedAt" IS DISTINCT FROM OLD."deletedAt" THEN
    NEW."configRevision" := OLD."configRevision" + 1;
    PERFORM pg_notify('portico_config', NEW."id"::text);
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "GatewayTarget_config_revision" BEFORE UPDATE ON "GatewayTarget"
  FOR EACH ROW EXECUTE FUNCTION portico_target_deleted_revision();

CREATE FUNCTION portico_certificate_revoked_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."revokedAt" IS DISTINCT FROM OLD."revokedAt" THEN
    PERFORM portico_bump_target(NEW."targetId");
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "GatewayCertificate_config_revision" AFTER UPDATE ON "GatewayCertificate"
  FOR EACH ROW EXECUTE FUNCTION portico_certificate_revoked_revision();
