import { uniqueName } from './factories.js';

/**
 * The body of POST …/apis for a valid Flex MCP instance of `asset` (an Exchange asset of the
 * tenant), with a label and a proxy URI (a random port, a unique path) of its own.
 */
export function mcpInstanceBody(asset: { groupId: string; assetId: string; version: string }) {
  return {
    technology: 'flexGateway',
    spec: asset,
    instanceLabel: uniqueName('label'),
    endpoint: {
      deploymentType: 'HY',
      type: 'mcp',
      isCloudHub: null,
      uri: 'http://127.0.0.1:3001/',
      proxyUri: `http://0.0.0.0:${20_000 + Math.floor(Math.random() * 20_000)}/${uniqueName('p')}`,
    },
  };
}
