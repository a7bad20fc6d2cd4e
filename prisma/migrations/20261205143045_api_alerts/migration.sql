-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "dialect" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "severity" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "operator" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "periodUnit" TEXT NOT NULL,
    "periodCount" INTEGER NOT NULL,
    "repeat" INTEGER NOT NULL,
    "responseCodes" INTEGER[],
    "policyIds" INTEGER[],
    "slowerThanMs" INTEGER,
    "recipients" JSONB NOT NULL DEFAULT '[]',
    "webhooks" JSONB NOT NULL DEFAULT '[]',
    "subject" TEXT,
    "message" TEXT,
    "deploymentType" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "evaluatedAt" TIMESTAMP(3),
    "lastValue" DOUBLE PRECISION,
    "firedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Alert_apiId_idx" ON "Alert"("apiId");

-- CreateIndex
CREATE INDEX "Alert_environmentId_dialect_idx" ON "Alert"("environmentId", "dialect");

-- CreateIndex
CREATE INDEX "Alert_enabled_evaluatedAt_idx" ON "Alert"("enabled", "evaluatedAt");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
