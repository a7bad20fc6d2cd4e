-- Configuration revisions (hand-written, as in 20261202072527_gateway_sync): gateways receive the
-- client ids of the applications with an approved contract (and, for client-id enforcement, their
-- credentials) as policy managed data, so contracts and application credentials are part of what
-- an instance's target serves. A contract approved, revoked or deleted reaches the gateways with
-- the next push.
CREATE TRIGGER "Contract_config_revision" AFTER INSERT OR UPDATE OR DELETE ON "Contract"
  FOR EACH ROW EXECUTE FUNCTION portico_api_child_revision();

CREATE FUNCTION portico_client_application_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."clientId" IS DISTINCT FROM OLD."clientId" OR NEW."clientSecretHash" IS DISTINCT FROM OLD."clientSecretHash" THEN
    PERFORM portico_bump_api_target(c."apiId") FROM "Contract" c WHERE c."applicationId" = NEW."id";
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ClientApplication_config_revision" AFTER UPDATE ON "ClientApplication"
  FOR EACH ROW EXECUTE FUNCTION portico_client_application_revision();
