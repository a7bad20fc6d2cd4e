-- CreateTable
CREATE TABLE "AuditRecord" (
    "id" BIGSERIAL NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "resourceType" TEXT NOT NULL,
    "resourceId" TEXT NOT NULL,
    "resourceName" TEXT,
    "requestId" TEXT,
    "clientIp" TEXT,
    "userAgent" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditRecord_organizationId_time_idx" ON "AuditRecord"("organizationId", "time");

-- CreateIndex
CREATE INDEX "AuditRecord_organizationId_resourceId_idx" ON "AuditRecord"("organizationId", "resourceId");

-- Append-only (hand-written): an audit record is never changed or removed, whoever connects.
CREATE FUNCTION portico_audit_record_append_only() RETURNS TRIGGER AS $$
BEGIN
  RAISE EXCEPTION 'AuditRecord is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditRecord_append_only" BEFORE UPDATE OR DELETE ON "AuditRecord"
  FOR EACH ROW EXECUTE FUNCTION portico_audit_record_append_only();
