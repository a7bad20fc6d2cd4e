-- AlterTable
ALTER TABLE "ExchangeAsset" ADD COLUMN     "categories" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "customFields" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "dependencies" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "PublicationRun" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'publication';
