/**
 * Response shapes of the REST routes the console reads whose OpenAPI operations do not describe
 * their answer yet (requests are typed from schema.d.ts). Each lists only the fields the console
 * uses, as the Anypoint dialect answers them (reference/anypoint-contract.md).
 */
export interface Me {
  user: {
    id: string;
    username: string;
    firstName?: string;
    lastName?: string;
    organization: { id: string; name: string };
    memberOfOrganizations: { id: string; name: string; isRoot?: boolean }[];
  };
}

export interface Environment {
  id: string;
  name: string;
  organizationId: string;
  type: string;
  isProduction: boolean;
}

export interface Page<T> {
  total: number;
  data: T[];
}

export interface GatewayTarget {
  id: string;
  name: string;
  status: string;
  running: boolean;
  version: string;
  gatewayVersion: string;
  lastConnectedDate: string | null;
  replicas: number;
}

export interface ExchangeAsset {
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  type: string;
  organizationId: string;
}

export interface Deployment {
  id: number;
  targetId: string;
  targetName: string;
  gatewayVersion: string;
  expectedStatus: string;
}

export interface ApiInstance {
  id: number;
  instanceLabel: string | null;
  groupId: string;
  assetId: string;
  assetVersion: string;
  status: string;
  technology: string;
  endpoint: { proxyUri: string | null; uri: string | null; type: string | null };
  deployment: Deployment | null;
}

export interface ApiList {
  total: number;
  assets: { assetId: string; groupId: string; apis: ApiInstance[] }[];
}

export interface DeploymentStatus {
  status: 'applying' | 'undeployed' | 'applied' | 'failed' | string;
  apiVersionStatus: string | null;
}

export interface PolicyTemplate {
  groupId: string;
  assetId: string;
  assetVersion: string;
  name: string;
  description?: string;
  category?: string;
  configuration?: unknown;
}

/** An applied policy as `fullInfo=false` lists it (disabled ones included). */
export interface AppliedPolicy {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  order: number;
  disabled: boolean;
  mode: 'enforce' | 'shadow';
  label: string | null;
  configurationData: Record<string, unknown>;
}

export interface TlsContext {
  id: string;
  name: string;
  secretGroupId: string;
}

export interface SecretGroup {
  id: string;
  name: string;
}
