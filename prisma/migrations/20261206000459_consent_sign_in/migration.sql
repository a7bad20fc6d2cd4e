-- Consent links now sign the user in first. A pending link (10 minutes at most) made before has
-- no sign-in verifier: it is dropped, and the agent's next call gets a new one.
DELETE FROM "BackendOAuthConsent";

-- AlterTable
ALTER TABLE "BackendOAuthConsent" ADD COLUMN     "browserSha256" TEXT,
ADD COLUMN     "signInVerifierSealed" TEXT NOT NULL,
ADD COLUMN     "signedInAt" TIMESTAMP(3);
