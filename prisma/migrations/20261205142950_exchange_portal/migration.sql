-- CreateTable
CREATE TABLE "ExchangePortal" (
    "assetPk" INTEGER NOT NULL,
    "draftChanged" BOOLEAN NOT NULL DEFAULT false,
    "publishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExchangePortal_pkey" PRIMARY KEY ("assetPk")
);

-- CreateTable
CREATE TABLE "ExchangePortalPage" (
    "id" SERIAL NOT NULL,
    "portalPk" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExchangePortalPage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangePortalResource" (
    "id" SERIAL NOT NULL,
    "portalPk" INTEGER NOT NULL,
    "fileName" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "inDraft" BOOLEAN NOT NULL DEFAULT true,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExchangePortalResource_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ExchangePortalPage_portalPk_state_path_key" ON "ExchangePortalPage"("portalPk", "state", "path");

-- CreateIndex
CREATE UNIQUE INDEX "ExchangePortalResource_portalPk_fileName_key" ON "ExchangePortalResource"("portalPk", "fileName");

-- AddForeignKey
ALTER TABLE "ExchangePortal" ADD CONSTRAINT "ExchangePortal_assetPk_fkey" FOREIGN KEY ("assetPk") REFERENCES "ExchangeAsset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExchangePortalPage" ADD CONSTRAINT "ExchangePortalPage_portalPk_fkey" FOREIGN KEY ("portalPk") REFERENCES "ExchangePortal"("assetPk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExchangePortalResource" ADD CONSTRAINT "ExchangePortalResource_portalPk_fkey" FOREIGN KEY ("portalPk") REFERENCES "ExchangePortal"("assetPk") ON DELETE CASCADE ON UPDATE CASCADE;
