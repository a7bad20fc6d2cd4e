/** Quality-of-service policies (contract §10.6, Flex property names). */
import { defineTemplate } from '../policy-template.js';

export const rateLimiting = defineTemplate({
  assetId: 'rate-limiting',
  version: '1.4.1',
  name: 'Rate Limiting',
  description:
    "Limits the number of requests per time window, per key when a key selector is set; requests over the quota get 429 with Retry-After. On an MCP API each JSON-RPC request counts (or only those of the listed MCP methods). Clusterizable quotas are shared by every replica through the gateway's Redis.",
  category: 'Quality of service',
  mcpOnly: false,
  properties: {
    rateLimits: {
      type: 'array',
      title: 'Rate Limits',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['maximumRequests', 'timePeriodInMilliseconds'],
        properties: {
          maximumRequests: { type: 'integer', title: 'Number of Reqs', minimum: 1 },
          timePeriodInMilliseconds: { type: 'integer', title: 'Time Period (ms)', minimum: 1 },
        },
      },
    },
    keySelector: {
      type: 'string',
      title: 'Identifier',
      description:
        "Expression whose value partitions the quota, e.g. #[authentication.clientId], #[vars.claimSet.sub], #[attributes.headers['x-team']], #[attributes.remoteAddress] or #[mcp.name] (the tool). Requests without a value share one quota.",
      format: 'dataweaveExpression',
    },
    mcpMethods: {
      type: 'array',
      title: 'MCP methods',
      description: 'On an MCP API, the JSON-RPC methods counted (e.g. tools/call); every request when absent.',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', format: 'mcpMethod' },
    },
    exposeHeaders: { type: 'boolean', title: 'Expose Headers', default: false },
    clusterizable: { type: 'boolean', title: 'Clusterizable', default: true },
    blockOnUnknownQuota: {
      type: 'boolean',
      title: 'Block on unknown quota',
      description: 'Reject requests while the shared quota cannot be read.',
      default: true,
    },
  },
  required: ['rateLimits'],
});

export const spikeControl = defineTemplate({
  assetId: 'spike-control',
  version: '1.2.2',
  name: 'Spike Control',
  description:
    'Smooths bursts: at most the given number of requests per short window; excess requests are delayed and retried, then rejected with 429.',
  category: 'Quality of service',
  mcpOnly: false,
  properties: {
    maximumRequests: { type: 'integer', title: 'Number of Reqs', minimum: 1 },
    timePeriodInMilliseconds: { type: 'integer', title: 'Time Period (ms)', minimum: 1, maximum: 5000 },
    delayTimeInMillis: { type: 'integer', title: 'Delay Time in Milliseconds', minimum: 0, default: 1000 },
    delayAttempts: { type: 'integer', title: 'Delay Attempts', minimum: 0, default: 1 },
    queuingLimit: { type: 'integer', title: 'Queuing Limit', minimum: 0, default: 0 },
    exposeHeaders: { type: 'boolean', title: 'Expose Headers', default: false },
  },
  required: ['maximumRequests', 'timePeriodInMilliseconds'],
});

export const rateLimitingSlaBased = defineTemplate({
  assetId: 'rate-limiting-sla-based',
  version: '1.3.1',
  name: 'Rate Limiting - SLA based',
  description:
    "Limits each client application to the request quotas of its contract's SLA tier; the client is identified by its client id (and secret when an expression reads one), requests over the quota get 429 with Retry-After.",
  category: 'Quality of service',
  mcpOnly: false,
  properties: {
    clientIdExpression: {
      type: 'string',
      title: 'Client ID Expression',
      format: 'dataweaveExpression',
      default: "#[attributes.headers['client_id']]",
    },
    clientSecretExpression: { type: 'string', title: 'Client Secret Expression', format: 'dataweaveExpression' },
    exposeHeaders: { type: 'boolean', title: 'Expose Headers', default: false },
    clusterizable: { type: 'boolean', title: 'Clusterizable', default: true },
  },
});
