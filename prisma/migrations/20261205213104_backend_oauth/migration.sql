-- CreateTable
CREATE TABLE "BackendOAuthConnection" (
    "id" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "accessTokenSealed" TEXT NOT NULL,
    "refreshTokenSealed" TEXT,
    "expiresAt" TIMESTAMP(3),
    "scope" TEXT,
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackendOAuthConnection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackendOAuthConsent" (
    "stateSha256" TEXT NOT NULL,
    "apiId" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "codeVerifierSealed" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "elicitationId" UUID NOT NULL,
    "urlSealed" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BackendOAuthConsent_pkey" PRIMARY KEY ("stateSha256")
);

-- CreateIndex
CREATE UNIQUE INDEX "BackendOAuthConnection_apiId_subject_key" ON "BackendOAuthConnection"("apiId", "subject");

-- CreateIndex
CREATE INDEX "BackendOAuthConsent_apiId_subject_idx" ON "BackendOAuthConsent"("apiId", "subject");

-- CreateIndex
CREATE INDEX "BackendOAuthConsent_expiresAt_idx" ON "BackendOAuthConsent"("expiresAt");

-- AddForeignKey
ALTER TABLE "BackendOAuthConnection" ADD CONSTRAINT "BackendOAuthConnection_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackendOAuthConsent" ADD CONSTRAINT "BackendOAuthConsent_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
