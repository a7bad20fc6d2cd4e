/** Header and CORS policies (contract §10.6 and S1's CORS schema, Flex property names). */
import { defineTemplate, type JsonSchema } from '../policy-template.js';

const headerNames = (title: string): JsonSchema => ({
  type: 'array',
  title,
  default: [],
  items: { type: 'string', format: 'httpHeaderName' },
});

const headerValues = (title: string): JsonSchema => ({
  type: 'array',
  title,
  default: [],
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'value'],
    properties: {
      key: { type: 'string', title: 'Header name', format: 'httpHeaderName' },
      value: {
        type: 'string',
        title: 'Header value',
        description: 'A literal or an expression like #[uuid()].',
        format: 'httpHeaderValueOrExpression',
      },
    },
  },
});

export const headerInjection = defineTemplate({
  assetId: 'header-injection',
  version: '1.3.2',
  name: 'Header Injection',
  description: 'Adds headers to the request sent to the upstream (inbound) and to the response sent to the client (outbound).',
  category: 'Transformation',
  mcpOnly: false,
  properties: {
    inboundHeaders: headerValues('Inbound Headers'),
    outboundHeaders: headerValues('Outbound Headers'),
  },
});

export const headerRemoval = defineTemplate({
  assetId: 'header-removal',
  version: '1.1.2',
  name: 'Header Removal',
  description:
    'Removes headers from the request before the upstream (inbound) and from the response before the client (outbound).',
  category: 'Transformation',
  mcpOnly: false,
  properties: {
    inboundHeaders: headerNames('Inbound Headers'),
    outboundHeaders: headerNames('Outbound Headers'),
  },
});

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];

export const cors = defineTemplate({
  assetId: 'cors',
  version: '1.3.2',
  name: 'Cross-Origin Resource Sharing (CORS)',
  description:
    'Answers CORS preflight requests and adds the CORS response headers: any origin for a public resource, otherwise only the origins of the configured groups.',
  category: 'Compliance',
  mcpOnly: false,
  properties: {
    publicResource: { type: 'boolean', title: 'Public resource', default: true },
    supportCredentials: {
      type: 'boolean',
      title: 'Support credentials',
      description: 'Allow cookies and credentials; only for a non-public resource (publicResource false).',
      default: false,
    },
    originGroups: {
      type: 'array',
      title: 'Origin groups',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: { type: 'string', title: 'Group name', minLength: 1 },
          origins: { type: 'array', title: 'Origins', minItems: 1, items: { type: 'string', format: 'origin' } },
          accessControlMaxAge: { type: 'integer', title: 'Access-Control-Max-Age (seconds)', minimum: 0, default: 30 },
          allowedMethods: {
            type: 'array',
            title: 'Allowed methods',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['methodName'],
              properties: {
                methodName: { type: 'string', enum: HTTP_METHODS },
                isAllowed: { type: 'boolean', default: true },
              },
            },
          },
          methods: {
            type: 'array',
            title: 'Methods',
            description: 'Shorthand for allowedMethods on a public resource.',
            items: { type: 'string', enum: HTTP_METHODS },
          },
          headers: { type: 'array', title: 'Allowed headers', default: [], items: { type: 'string', format: 'httpHeaderName' } },
          exposedHeaders: {
            type: 'array',
            title: 'Exposed headers',
            default: [],
            items: { type: 'string', format: 'httpHeaderName' },
          },
        },
      },
    },
  },
  allOf: [
    {
      if: { properties: { publicResource: { const: false } }, required: ['publicResource'] },
      then: {
        required: ['originGroups'],
        properties: { originGroups: { minItems: 1, items: { required: ['name', 'origins', 'allowedMethods'] } } },
      },
    },
    {
      // Browsers refuse credentials with `Access-Control-Allow-Origin: *`. An absent
      // publicResource means the default, true.
      if: { not: { properties: { publicResource: { const: false } }, required: ['publicResource'] } },
      then: { properties: { supportCredentials: { const: false } } },
    },
  ],
});
