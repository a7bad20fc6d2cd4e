/**
 * MCP Transcoding Router: makes an MCP API one server over all its upstreams. The policy runs no
 * hook; its compiled routing (Policy.federation) tells the gateway to serve the API's
 * transcoding path with its federation (apps/gateway federation/), behind the rest of the chain.
 */
import type { FederationRoute, PolicyFactory } from '../../policy-contract/policy.js';

interface RouteConfig {
  upstreamName: string;
  tools?: string[];
  resources?: string[];
  prompts?: string[];
}

interface TranscodingRouterConfig {
  transcodingPath: string;
  routes: RouteConfig[];
  pageSize: number;
}

const names = (list: string[] | undefined) => (list === undefined ? undefined : new Set(list));

export const mcpTranscodingRouterFactory: PolicyFactory<TranscodingRouterConfig> = {
  type: 'mcp-transcoding-router',
  compile(config) {
    const seen = new Set<string>();
    const routes = config.routes.map((route, i): FederationRoute => {
      if (seen.has(route.upstreamName)) throw new Error(`routes[${i}].upstreamName: ${route.upstreamName} has two routes`);
      seen.add(route.upstreamName);
      return Object.freeze({
        upstreamName: route.upstreamName,
        tools: names(route.tools),
        resources: names(route.resources),
        prompts: names(route.prompts),
      });
    });
    const federation = Object.freeze({
      transcodingPath: config.transcodingPath,
      routes: Object.freeze(routes),
      pageSize: config.pageSize,
    });
    return { policy: { name: 'mcp-transcoding-router', methods: {}, federation }, warnings: [] };
  },
};
