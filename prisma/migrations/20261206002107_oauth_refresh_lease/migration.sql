-- AlterTable
ALTER TABLE "BackendOAuthConnection" ADD COLUMN     "refreshingUntil" TIMESTAMP(3);
