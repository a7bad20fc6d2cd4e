/**
 * The desired state of one environment, as a `portico.yaml` file declares it (the JSON Schema
 * `portico-file.schema.json` is the published form of these types). Everything is named, never
 * identified by a control-plane id, so one file applies to any environment and organization:
 * instances by `label`, client applications by `name`, targets, secret groups and TLS contexts
 * by name, policies by their place in the chain.
 */

export const FILE_API_VERSION = 'portico/v1';

export interface PorticoFile {
  apiVersion: typeof FILE_API_VERSION;
  /** the environment's name, e.g. Sandbox (`--env` overrides it) */
  environment: string;
  /** Exchange assets of type mcp, in the organization's own group */
  assets: AssetSpec[];
  /** client applications of the organization (Exchange), used by instance contracts */
  clientApplications: ClientApplicationSpec[];
  instances: InstanceSpec[];
}

export interface AssetSpec {
  assetId: string;
  version: string;
  name: string;
  description?: string;
}

export interface ClientApplicationSpec {
  name: string;
  description?: string;
  redirectUris?: string[];
}

/** A TLS context of the environment's secrets manager, by names. */
export interface TlsContextName {
  secretGroup: string;
  tlsContext: string;
}

export interface InstanceSpec {
  /** the instance label: unique in the environment, what the file identifies the instance by */
  label: string;
  /** the Exchange asset; groupId defaults to the organization */
  asset: { groupId?: string; assetId: string; version: string };
  /** the MCP server behind the gateway: its URL ends with `/` */
  upstream: { uri: string; tlsContext?: TlsContextName };
  /** where the gateway listens, e.g. http://0.0.0.0:8081/demo */
  proxyUri: string;
  /** the listener's certificate, for an https proxyUri */
  inboundTlsContext?: TlsContextName;
  /** the public URL clients use, when it differs from proxyUri */
  endpointUri?: string;
  description?: string;
  tags?: string[];
  /** absent: the instance is not deployed (an existing deployment is undeployed) */
  deployment?: { target: string; gatewayVersion?: string };
  /** the policy chain, in order */
  policies: PolicySpec[];
  /** API keys by name; the key itself is made by the control plane and shown once */
  apiKeys: ApiKeySpec[];
  /** approved contracts of client applications (by name) with this instance */
  contracts: ContractSpec[];
}

export interface PolicySpec {
  /** the policy template's assetId, e.g. mcp-support or rate-limiting */
  policy: string;
  /** the template version; absent: the catalog's latest */
  version?: string;
  /** the template's Exchange group; absent: the catalog's */
  groupId?: string;
  mode: 'enforce' | 'shadow';
  disabled: boolean;
  /**
   * configurationData, with every secret reference resolved to its value. `secretPaths` lists
   * the JSON pointers (`/password`) that came from a reference, so diff and export know them.
   */
  configuration: Record<string, unknown>;
  secretPaths: string[];
}

export interface ApiKeySpec {
  name: string;
  /** ISO 8601 */
  expiresAt?: string;
}

export interface ContractSpec {
  application: string;
}
