-- The names a listener accepts in Host and Origin (GatewayConfig Listener.hosts) come from
-- proxyUri's host and endpointUri: a change to either now reaches the gateways, like the other
-- columns a gateway snapshot is built from.
CREATE OR REPLACE FUNCTION portico_api_instance_revision() RETURNS TRIGGER AS $$
BEGIN
  IF NEW."instanceLabel" IS DISTINCT FROM OLD."instanceLabel"
     OR NEW."assetId" IS DISTINCT FROM OLD."assetId"
     OR NEW."technology" IS DISTINCT FROM OLD."technology"
     OR NEW."endpointType" IS DISTINCT FROM OLD."endpointType"
     OR NEW."upstreamUri" IS DISTINCT FROM OLD."upstreamUri"
     OR NEW."proxyUri" IS DISTINCT FROM OLD."proxyUri"
     OR NEW."proxyPort" IS DISTINCT FROM OLD."proxyPort"
     OR NEW."proxyBasePath" IS DISTINCT FROM OLD."proxyBasePath"
     OR NEW."endpointUri" IS DISTINCT FROM OLD."endpointUri"
     OR NEW."responseTimeout" IS DISTINCT FROM OLD."responseTimeout"
     OR NEW."tlsContexts"::text IS DISTINCT FROM OLD."tlsContexts"::text THEN
    PERFORM portico_bump_api_target(NEW."id");
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
