-- AlterTable
ALTER TABLE "GatewayReplica" ADD COLUMN     "droppedEvents" BIGINT NOT NULL DEFAULT 0;

-- CreateTable (hand-edited: PARTITION BY, which the data model cannot express; columns, keys and
-- indexes stay exactly what schema.prisma declares, so schema diffs stay clean, and Prisma's
-- introspection ignores the partitions themselves)
CREATE TABLE "AccessEvent" (
    "environmentId" UUID NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "id" TEXT NOT NULL,
    "organizationId" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "replicaId" TEXT NOT NULL,
    "apiId" INTEGER NOT NULL,
    "requestId" TEXT NOT NULL,
    "sessionId" TEXT,
    "httpMethod" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "mcpMethod" TEXT,
    "jsonRpcId" TEXT,
    "mcpName" TEXT,
    "jsonRpcErrorCode" INTEGER,
    "toolError" BOOLEAN NOT NULL,
    "durationUs" BIGINT NOT NULL,
    "upstreamLatencyUs" BIGINT,
    "bytesIn" BIGINT NOT NULL,
    "bytesOut" BIGINT NOT NULL,
    "clientId" TEXT,
    "clientName" TEXT,
    "principal" TEXT,
    "userDomain" TEXT,
    "clientAddress" TEXT,
    "userAgent" TEXT,
    "verdicts" JSONB NOT NULL DEFAULT '[]',
    "dlp" JSONB NOT NULL DEFAULT '[]',
    "gatewayError" TEXT,
    "requestPayload" TEXT,
    "responsePayload" TEXT,

    CONSTRAINT "AccessEvent_pkey" PRIMARY KEY ("environmentId","time","id")
) PARTITION BY RANGE ("time");

-- CreateIndex
CREATE INDEX "AccessEvent_apiId_time_idx" ON "AccessEvent"("apiId", "time");

-- CreateIndex
CREATE INDEX "AccessEvent_environmentId_mcpName_time_idx" ON "AccessEvent"("environmentId", "mcpName", "time");

-- CreateIndex
CREATE INDEX "AccessEvent_environmentId_clientId_time_idx" ON "AccessEvent"("environmentId", "clientId", "time");

-- CreateIndex
CREATE INDEX "AccessEvent_sessionId_idx" ON "AccessEvent"("sessionId");

-- CreateIndex
CREATE INDEX "AccessEvent_verdicts_idx" ON "AccessEvent" USING GIN ("verdicts" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "AccessEvent_dlp_idx" ON "AccessEvent" USING GIN ("dlp" jsonb_path_ops);

-- Partitions (hand-written, like the triggers of 20261202072527_gateway_sync). One partition per
-- UTC day, "AccessEvent_pYYYYMMDD"; rows of a day that has none (a gateway clock far off) land in
-- the DEFAULT partition, so no insert ever fails for want of a partition.
CREATE TABLE "AccessEvent_default" PARTITION OF "AccessEvent" DEFAULT;

-- Creates the missing partitions of days first_day..last_day and returns how many it created.
-- Rows of such a day already in the DEFAULT partition move into the new partition (attaching a
-- range the DEFAULT partition holds rows of would fail). Each partition is built beside the table
-- with a CHECK of its range, then attached, so the attach neither scans it nor locks out inserts.
CREATE FUNCTION portico_access_event_partitions(first_day DATE, last_day DATE) RETURNS INTEGER AS $$
DECLARE
  day DATE;
  part TEXT;
  low TIMESTAMPTZ;
  high TIMESTAMPTZ;
  created INTEGER := 0;
BEGIN
  -- control-plane replicas create partitions one at a time (advisory lock ids: see access-events.repository.ts)
  PERFORM pg_advisory_xact_lock(7701005);
  FOR day IN SELECT d::date FROM generate_series(first_day, last_day, interval '1 day') AS d LOOP
    part := 'AccessEvent_p' || to_char(day, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(format('%I', part)) IS NOT NULL;
    low := day::timestamp AT TIME ZONE 'UTC';
    high := (day + 1)::timestamp AT TIME ZONE 'UTC';
    EXECUTE format('CREATE TABLE %I (LIKE "AccessEvent" INCLUDING DEFAULTS)', part);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK ("time" >= %L AND "time" < %L)', part, part || '_range', low, high);
    EXECUTE format(
      'WITH moved AS (DELETE FROM "AccessEvent_default" WHERE "time" >= %L AND "time" < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
      low, high, part);
    EXECUTE format('ALTER TABLE "AccessEvent" ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, low, high);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$ LANGUAGE plpgsql;

-- Retention: drops every partition whose whole day is older than `cutoff`, deletes the DEFAULT
-- partition's rows older than it, and returns the names of the partitions it dropped.
CREATE FUNCTION portico_drop_access_event_partitions(cutoff TIMESTAMPTZ) RETURNS SETOF TEXT AS $$
DECLARE
  part TEXT;
BEGIN
  PERFORM pg_advisory_xact_lock(7701005);
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '"AccessEvent"'::regclass
      AND c.relname ~ '^AccessEvent_p[0-9]{8}$'
      AND (to_date(substr(c.relname, 14), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
    ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE %I', part);
    RETURN NEXT part;
  END LOOP;
  DELETE FROM "AccessEvent_default" WHERE "time" < cutoff;
END;
$$ LANGUAGE plpgsql;
