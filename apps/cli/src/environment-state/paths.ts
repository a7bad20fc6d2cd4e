/** The public REST paths the declarative commands use, for one organization and environment. */
export function restPaths(org: string, env: string) {
  const apis = `/apimanager/api/v1/organizations/${org}/environments/${env}/apis`;
  return {
    environments: `/accounts/api/organizations/${org}/environments`,
    apis,
    apisXapi: `/apimanager/xapi/v1/organizations/${org}/environments/${env}/apis`,
    api: (id: number) => `${apis}/${id}`,
    upstreams: (id: number) => `${apis}/${id}/upstreams`,
    policies: (id: number) => `${apis}/${id}/policies`,
    apiKeys: (id: number) => `${apis}/${id}/api-keys`,
    contracts: (id: number) => `${apis}/${id}/contracts`,
    deployments: (id: number) => `/proxies/xapi/v1/organizations/${org}/environments/${env}/apis/${id}/deployments`,
    targets: `/apimanager/xapi/v1/organizations/${org}/environments/${env}/gateway-targets?pageSize=250`,
    replicas: (targetId: string) => `/standalone/api/v1/organizations/${org}/environments/${env}/gateways/${targetId}/replicas`,
    secretGroups: `/secrets-manager/api/v1/organizations/${org}/environments/${env}/secretGroups`,
    tlsContexts: (group: string) =>
      `/secrets-manager/api/v1/organizations/${org}/environments/${env}/secretGroups/${group}/tlsContexts`,
    templates: `/apimanager/xapi/v1/organizations/${org}/exchange-policy-templates?includeConfiguration=true`,
    applications: `/exchange/api/v2/organizations/${org}/applications`,
    asset: (groupId: string, assetId: string, version: string) =>
      `/exchange/api/v2/assets/${encodeURIComponent(groupId)}/${encodeURIComponent(assetId)}/${encodeURIComponent(version)}`,
    publish: (groupId: string, assetId: string, version: string) =>
      `/exchange/api/v2/organizations/${org}/assets/${encodeURIComponent(groupId)}/${encodeURIComponent(assetId)}/${encodeURIComponent(version)}`,
  };
}

export type RestPaths = ReturnType<typeof restPaths>;
