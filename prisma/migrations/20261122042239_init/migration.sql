-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Organization" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "parentId" UUID,
    "clientId" TEXT NOT NULL,
    "domain" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "isProduction" BOOLEAN NOT NULL,
    "clientId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "firstName" TEXT NOT NULL DEFAULT '',
    "lastName" TEXT NOT NULL DEFAULT '',
    "email" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectedApp" (
    "id" UUID NOT NULL,
    "clientId" TEXT NOT NULL,
    "clientSecretHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "organizationId" UUID NOT NULL,
    "grantTypes" TEXT[],
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConnectedApp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PermissionGrant" (
    "id" UUID NOT NULL,
    "userId" UUID,
    "connectedAppId" UUID,
    "scope" TEXT NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PermissionGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessToken" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID,
    "connectedAppId" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangeAsset" (
    "id" SERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "groupId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'published',
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "tags" TEXT[],
    "attributes" JSONB NOT NULL DEFAULT '[]',
    "contactName" TEXT,
    "contactEmail" TEXT,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "ExchangeAsset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangeAssetFile" (
    "id" SERIAL NOT NULL,
    "assetPk" INTEGER NOT NULL,
    "classifier" TEXT NOT NULL,
    "packaging" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "md5" TEXT NOT NULL,
    "sha1" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExchangeAssetFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PublicationRun" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "groupId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "assetType" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PublicationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiInstance" (
    "id" SERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "groupId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "assetVersion" TEXT NOT NULL,
    "productVersion" TEXT NOT NULL,
    "instanceLabel" TEXT,
    "description" TEXT,
    "tags" TEXT[],
    "technology" TEXT NOT NULL,
    "approvalMethod" TEXT,
    "providerId" UUID,
    "endpointUri" TEXT,
    "deprecated" BOOLEAN NOT NULL DEFAULT false,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "stage" TEXT NOT NULL DEFAULT 'release',
    "status" TEXT NOT NULL DEFAULT 'unregistered',
    "order" INTEGER NOT NULL DEFAULT 1,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "lastActiveDate" TIMESTAMP(3),
    "endpointId" SERIAL NOT NULL,
    "endpointType" TEXT,
    "deploymentType" TEXT,
    "upstreamUri" TEXT,
    "proxyUri" TEXT,
    "proxyPort" INTEGER,
    "proxyBasePath" TEXT,
    "isCloudHub" BOOLEAN,
    "muleVersion4OrAbove" BOOLEAN,
    "referencesUserDomain" BOOLEAN,
    "responseTimeout" INTEGER,
    "tlsContexts" JSONB,
    "proxyTemplate" JSONB,
    "validation" TEXT,
    "proxyRegistrationUri" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiRoute" (
    "id" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT,
    "rules" JSONB,

    CONSTRAINT "ApiRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiUpstream" (
    "id" UUID NOT NULL,
    "apiId" INTEGER NOT NULL,
    "label" TEXT,
    "uri" TEXT NOT NULL,
    "tlsContext" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiUpstream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiRouteUpstream" (
    "routeId" UUID NOT NULL,
    "upstreamId" UUID NOT NULL,
    "weight" INTEGER NOT NULL,

    CONSTRAINT "ApiRouteUpstream_pkey" PRIMARY KEY ("routeId","upstreamId")
);

-- CreateTable
CREATE TABLE "GatewayTarget" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tags" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "GatewayTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayReplica" (
    "id" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "replicaId" TEXT NOT NULL,
    "name" TEXT,
    "gatewayVersion" TEXT,
    "connectedAt" TIMESTAMP(3),
    "disconnectedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "appliedRevision" BIGINT,
    "appliedHash" TEXT,
    "lastError" TEXT,
    "certExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayReplica_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistrationToken" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "createdById" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "targetId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegistrationToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "environmentName" TEXT,
    "type" TEXT NOT NULL,
    "targetId" UUID NOT NULL,
    "targetName" TEXT NOT NULL,
    "gatewayVersion" TEXT NOT NULL,
    "expectedStatus" TEXT NOT NULL DEFAULT 'deployed',
    "status" TEXT NOT NULL DEFAULT 'applying',
    "applicationId" UUID NOT NULL,
    "applicationName" TEXT,
    "lastActiveDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicyTemplate" (
    "id" SERIAL NOT NULL,
    "assetPk" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PolicyTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppliedPolicy" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "templateId" INTEGER NOT NULL,
    "groupId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "assetVersion" TEXT NOT NULL,
    "configurationData" JSONB NOT NULL DEFAULT '{}',
    "pointcutData" JSONB,
    "order" INTEGER NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "label" TEXT,
    "upstreamIds" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppliedPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClientApplication" (
    "id" SERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "clientId" TEXT NOT NULL,
    "clientSecretHash" TEXT NOT NULL,
    "redirectUri" TEXT[],
    "grantTypes" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClientApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Contract" (
    "id" SERIAL NOT NULL,
    "apiId" INTEGER NOT NULL,
    "applicationId" INTEGER NOT NULL,
    "organizationId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "approvedDate" TIMESTAMP(3),
    "rejectedDate" TIMESTAMP(3),
    "revokedDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Contract_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_clientId_key" ON "Organization"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_domain_key" ON "Organization"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_clientId_key" ON "Environment"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_organizationId_name_key" ON "Environment"("organizationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectedApp_clientId_key" ON "ConnectedApp"("clientId");

-- CreateIndex
CREATE INDEX "PermissionGrant_userId_idx" ON "PermissionGrant"("userId");

-- CreateIndex
CREATE INDEX "PermissionGrant_connectedAppId_idx" ON "PermissionGrant"("connectedAppId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessToken_tokenHash_key" ON "AccessToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AccessToken_expiresAt_idx" ON "AccessToken"("expiresAt");

-- CreateIndex
CREATE INDEX "ExchangeAsset_type_status_idx" ON "ExchangeAsset"("type", "status");

-- CreateIndex
CREATE INDEX "ExchangeAsset_organizationId_idx" ON "ExchangeAsset"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "ExchangeAsset_groupId_assetId_version_key" ON "ExchangeAsset"("groupId", "assetId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "ExchangeAssetFile_assetPk_classifier_packaging_key" ON "ExchangeAssetFile"("assetPk", "classifier", "packaging");

-- CreateIndex
CREATE INDEX "PublicationRun_groupId_assetId_version_idx" ON "PublicationRun"("groupId", "assetId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "ApiInstance_endpointId_key" ON "ApiInstance"("endpointId");

-- CreateIndex
CREATE INDEX "ApiInstance_organizationId_environmentId_idx" ON "ApiInstance"("organizationId", "environmentId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiInstance_environmentId_instanceLabel_key" ON "ApiInstance"("environmentId", "instanceLabel");

-- CreateIndex
CREATE UNIQUE INDEX "ApiRoute_apiId_position_key" ON "ApiRoute"("apiId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayTarget_organizationId_environmentId_name_key" ON "GatewayTarget"("organizationId", "environmentId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayReplica_targetId_replicaId_key" ON "GatewayReplica"("targetId", "replicaId");

-- CreateIndex
CREATE UNIQUE INDEX "RegistrationToken_tokenHash_key" ON "RegistrationToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_apiId_key" ON "Deployment"("apiId");

-- CreateIndex
CREATE INDEX "Deployment_targetId_idx" ON "Deployment"("targetId");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyTemplate_assetPk_key" ON "PolicyTemplate"("assetPk");

-- CreateIndex
CREATE INDEX "AppliedPolicy_apiId_order_idx" ON "AppliedPolicy"("apiId", "order");

-- CreateIndex
CREATE UNIQUE INDEX "ClientApplication_clientId_key" ON "ClientApplication"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "ClientApplication_organizationId_name_key" ON "ClientApplication"("organizationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Contract_apiId_applicationId_key" ON "Contract"("apiId", "applicationId");

-- AddForeignKey
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedApp" ADD CONSTRAINT "ConnectedApp_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PermissionGrant" ADD CONSTRAINT "PermissionGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PermissionGrant" ADD CONSTRAINT "PermissionGrant_connectedAppId_fkey" FOREIGN KEY ("connectedAppId") REFERENCES "ConnectedApp"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PermissionGrant" ADD CONSTRAINT "PermissionGrant_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessToken" ADD CONSTRAINT "AccessToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessToken" ADD CONSTRAINT "AccessToken_connectedAppId_fkey" FOREIGN KEY ("connectedAppId") REFERENCES "ConnectedApp"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExchangeAssetFile" ADD CONSTRAINT "ExchangeAssetFile_assetPk_fkey" FOREIGN KEY ("assetPk") REFERENCES "ExchangeAsset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiRoute" ADD CONSTRAINT "ApiRoute_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiUpstream" ADD CONSTRAINT "ApiUpstream_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiRouteUpstream" ADD CONSTRAINT "ApiRouteUpstream_routeId_fkey" FOREIGN KEY ("routeId") REFERENCES "ApiRoute"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiRouteUpstream" ADD CONSTRAINT "ApiRouteUpstream_upstreamId_fkey" FOREIGN KEY ("upstreamId") REFERENCES "ApiUpstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayReplica" ADD CONSTRAINT "GatewayReplica_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "GatewayTarget"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "GatewayTarget"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyTemplate" ADD CONSTRAINT "PolicyTemplate_assetPk_fkey" FOREIGN KEY ("assetPk") REFERENCES "ExchangeAsset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedPolicy" ADD CONSTRAINT "AppliedPolicy_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedPolicy" ADD CONSTRAINT "AppliedPolicy_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "PolicyTemplate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contract" ADD CONSTRAINT "Contract_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "ApiInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Contract" ADD CONSTRAINT "Contract_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "ClientApplication"("id") ON DELETE CASCADE ON UPDATE CASCADE;
