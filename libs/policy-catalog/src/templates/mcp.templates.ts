/**
 * MCP policies: MuleSoft's (contract §10.2–10.5, keys as the Flex gateway takes them) and
 * Portico's `mcp-acl` (seed 002's ACL policy). All are inbound and apply to MCP servers only.
 */
import { defineTemplate, type JsonSchema } from '../policy-template.js';

const whenEquals = (property: string, value: unknown, then: JsonSchema): JsonSchema => ({
  if: { properties: { [property]: { const: value } }, required: [property] },
  then,
});

export const mcpSupport = defineTemplate({
  assetId: 'mcp-support',
  version: '1.0.1',
  name: 'MCP Support',
  description:
    'Enables MCP traffic handling (JSON-RPC over Streamable HTTP and SSE) and the MCP call metrics. Required on every MCP server instance, and must be first in the policy order.',
  category: 'MCP',
  mcpOnly: true,
  properties: {},
});

export const mcpAccessControl = defineTemplate({
  assetId: 'mcp-access-control',
  version: '1.0.1',
  name: 'MCP Attribute-Based Access Control',
  description:
    'Allows or denies access to MCP tools, resources and prompts with Cedar policies evaluated against the authenticated client. Apply an authentication policy before it.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    rules: {
      type: 'array',
      title: 'Rules',
      description: 'Cedar expressions, e.g. permit(principal, action == Action::"tools/call", resource == Tool::"calculator");',
      minItems: 1,
      items: { type: 'string', title: 'Cedar Expression', format: 'cedarPolicy' },
    },
    authType: {
      type: 'string',
      title: 'Authentication Type',
      description: 'ClientId when the preceding authentication policy validates client ids; Other for any other authentication.',
      enum: ['ClientId', 'Other'],
      default: 'ClientId',
    },
  },
  required: ['rules'],
});

export const mcpGlobalAccess = defineTemplate({
  assetId: 'mcp-global-access-policy',
  version: '1.0.0',
  name: 'MCP Global Access',
  description:
    'Allows or blocks MCP tools by name: blocked tools are filtered out of tools/list and their tools/call is rejected. Block rules win over Allow rules.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    rules: {
      type: 'array',
      title: 'Rules',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'value'],
        properties: {
          rule: { type: 'string', title: 'Rule', enum: ['Allow', 'Block'] },
          matchType: { type: 'string', title: 'Match type', enum: ['literal', 'pattern'], default: 'literal' },
          value: {
            type: 'string',
            title: 'Value',
            description: 'Tool name, or a regular expression when the match type is pattern.',
            minLength: 1,
          },
        },
        allOf: [whenEquals('matchType', 'pattern', { properties: { value: { format: 'regex' } } })],
      },
    },
  },
  required: ['rules'],
});

export const mcpToolMapping = defineTemplate({
  assetId: 'mcp-tool-mapping',
  version: '1.0.0',
  name: 'MCP Tool Mapping',
  description:
    'Renames MCP tools both ways (upstream names become the mapped names in tools/list, and calls to a mapped name reach the upstream tool), overrides their descriptions, and disables tools.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    toolMappings: {
      type: 'array',
      title: 'Tool mappings',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sourceToolName'],
        properties: {
          sourceToolName: {
            type: 'string',
            title: 'Source tool name',
            description: 'The upstream tool name, or a regular expression matching whole names when the mapping type is regex.',
            minLength: 1,
          },
          mappedToolName: {
            type: 'string',
            title: 'Mapped tool name',
            description: 'The name clients see ($1…$9 insert the groups of a regex). Absent: the name is kept.',
            minLength: 1,
          },
          mappedDescription: { type: 'string', title: 'Mapped description' },
          mappingType: { type: 'string', title: 'Mapping type', enum: ['literal', 'regex'], default: 'literal' },
          enabled: {
            type: 'boolean',
            title: 'Enabled',
            description: 'Off: the tool is hidden from tools/list and cannot be called.',
            default: true,
          },
        },
        allOf: [whenEquals('mappingType', 'regex', { properties: { sourceToolName: { format: 'regex' } } })],
      },
    },
    logMappings: { type: 'boolean', title: 'Log mappings', default: false },
  },
  required: ['toolMappings'],
});

const nameList = (title: string, description: string): JsonSchema => ({
  type: 'array',
  title,
  description,
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
});

export const mcpTranscodingRouter = defineTemplate({
  assetId: 'mcp-transcoding-router',
  version: '1.0.0',
  name: 'MCP Transcoding Router',
  description:
    'Makes the instance one MCP server over all its upstreams (federation): the gateway initializes each upstream for the client, merges their capabilities and their tool, resource and prompt lists, and routes each call to the upstream that owns the name. Routes assign names to upstreams; a tool or prompt name two upstreams offer that no route assigns is listed once per upstream as <upstream label>_<name>. Apply it right after MCP Support; the other policies then apply to the federated endpoint as to one server.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    transcodingPath: {
      type: 'string',
      title: 'Transcoding path',
      description: 'The path of the federated MCP endpoint, after the instance base path.',
      format: 'urlPath',
      default: '/mcp',
    },
    routes: {
      type: 'array',
      title: 'Routes',
      description:
        'Which upstream (by its label) serves which tools, resources (URIs) and prompts. An upstream without a route serves everything it lists.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['upstreamName'],
        properties: {
          upstreamName: {
            type: 'string',
            title: 'Upstream name',
            description: 'The label of one of the instance upstreams.',
            minLength: 1,
          },
          tools: nameList('Tools', 'The tools of this upstream clients see (absent: all it lists).'),
          resources: nameList('Resources', 'The resource URIs of this upstream clients see (absent: all it lists).'),
          prompts: nameList('Prompts', 'The prompts of this upstream clients see (absent: all it lists).'),
        },
      },
      default: [],
    },
    pageSize: {
      type: 'integer',
      title: 'Page size',
      description: 'Items per page of the merged lists (the gateway paginates them with its own cursor).',
      minimum: 1,
      maximum: 1000,
      default: 100,
    },
  },
});

export const mcpToolsProgressiveDisclosure = defineTemplate({
  assetId: 'mcp-tools-progressive-disclosure',
  version: '1.0.0',
  name: 'MCP Tools Progressive Disclosure',
  description:
    "Keeps a large tool catalog out of the agent's context: tools/list shows only the discovery tools search_tools (finds tools by words of their names, titles and descriptions), describe_tool (a tool's full definition with its input schema) and invoke_tool (calls a tool), plus the hot tools. Each discovery call reaches the upstream as an ordinary tools/list or tools/call, so the policies after it apply; nothing is cached. A tool the list hides stays callable by its name: it is hidden, not disabled (use an access policy to disable tools). Apply it right after MCP Support (and MCP Transcoding Router), before the access, mapping and validation policies.",
  category: 'MCP',
  mcpOnly: true,
  properties: {
    hotTools: {
      type: 'array',
      title: 'Hot tools',
      description: 'Tools still listed by tools/list, with their full definitions, next to the discovery tools.',
      items: { type: 'string', minLength: 1 },
      uniqueItems: true,
      default: [],
    },
    searchLimit: {
      type: 'integer',
      title: 'Search limit',
      description: 'How many tools a search returns when it does not say (a search may ask for up to 50).',
      minimum: 1,
      maximum: 50,
      default: 10,
    },
  },
});

export const mcpSchemaValidation = defineTemplate({
  assetId: 'mcp-schema-validation',
  version: '1.1.0',
  name: 'MCP Schema Validation',
  description:
    'Rejects JSON-RPC messages that are not valid MCP requests. With tool schema validation on, tools/call arguments are checked against the tool input schema.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    validateToolSchema: { type: 'boolean', title: 'Validate Tool Schema', default: false },
  },
});

export const mcpToolPinning = defineTemplate({
  assetId: 'mcp-tool-pinning',
  version: '1.0.0',
  name: 'MCP Tool Pinning',
  description:
    "Pins the tool definitions (name, title, description, input and output schema, annotations) the upstream lists. A tool seen for the first time is pinned as it is; a definition that later changes is hidden from clients (or only reported) until an operator approves it under the instance's tool-pins, where the change is recorded with a diff. Apply it last, nearest the upstream, to pin the upstream's own definitions.",
  category: 'MCP',
  mcpOnly: true,
  properties: {
    onChange: {
      type: 'string',
      title: 'On a changed definition',
      description: 'hide: the tool is neither listed nor callable until the change is approved; report: it is recorded only.',
      enum: ['hide', 'report'],
      default: 'hide',
    },
    approveNewTools: {
      type: 'boolean',
      title: 'Approve new tools',
      description:
        'A tool never seen before is treated as a changed one (hidden until approved) instead of being pinned on first use.',
      default: false,
    },
  },
});

export const mcpPiiDetector = defineTemplate({
  assetId: 'mcp-pii-detector',
  version: '1.0.0',
  name: 'MCP PII Detector',
  description:
    'DLP guardrail: finds personal data and secrets of the selected kinds (and custom patterns) in tool arguments and results, resource contents and prompts, in JSON and event-stream answers, and blocks, redacts or only logs them. Findings are logged by category, never by value.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    entities: {
      type: 'array',
      title: 'Entities',
      minItems: 1,
      uniqueItems: true,
      items: {
        type: 'string',
        enum: ['Email', 'Credit Card', 'Phone Number', 'US SSN', 'UK NINO', 'IBAN', 'API Key', 'Access Token'],
      },
    },
    customPatterns: {
      type: 'array',
      title: 'Custom patterns',
      description: 'More kinds of data to find, each a name and a regular expression (RE2), e.g. EMP-\\d{6}.',
      default: [],
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'pattern'],
        properties: {
          name: { type: 'string', title: 'Name', minLength: 1, maxLength: 64 },
          pattern: { type: 'string', title: 'Pattern', minLength: 1, maxLength: 500, format: 'regex' },
        },
      },
    },
    action: {
      type: 'string',
      title: 'Action',
      description:
        'Block: refuse the request, withhold the answer. Redact: replace each finding with [REDACTED:<kind>]. Log: only log.',
      enum: ['Block', 'Redact', 'Log'],
      default: 'Block',
    },
    scanRequests: { type: 'boolean', title: 'Scan requests', default: true },
    scanResponses: { type: 'boolean', title: 'Scan responses', default: true },
  },
  required: ['entities'],
});

export const mcpPayloadLogging = defineTemplate({
  assetId: 'mcp-payload-logging',
  version: '1.0.0',
  name: 'MCP Payload Logging',
  description:
    'Adds the JSON-RPC payloads of calls and of their answers to the access logs of the instance (logs search), redacted of the selected kinds of personal data and secrets first and cut to a maximum size. Without it the access logs hold no payload.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    logRequests: { type: 'boolean', title: 'Log requests', default: true },
    logResponses: { type: 'boolean', title: 'Log responses', default: true },
    maxPayloadBytes: {
      type: 'integer',
      title: 'Maximum payload size (bytes)',
      description: 'Longer payloads are cut at this size.',
      minimum: 256,
      maximum: 65536,
      default: 4096,
    },
    redactEntities: {
      type: 'array',
      title: 'Redacted before logging',
      description: 'Kinds of data replaced with [REDACTED:<kind>] in the logged payloads.',
      uniqueItems: true,
      items: {
        type: 'string',
        enum: ['Email', 'Credit Card', 'Phone Number', 'US SSN', 'UK NINO', 'IBAN', 'API Key', 'Access Token'],
      },
      default: ['Email', 'Credit Card', 'Phone Number', 'US SSN', 'UK NINO', 'IBAN', 'API Key', 'Access Token'],
    },
  },
});

const ACL_METHODS = {
  tools: ['tools/list', 'tools/call'],
  resources: ['resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe', 'resources/unsubscribe'],
  prompts: ['prompts/list', 'prompts/get'],
} as const;

export const mcpAcl = defineTemplate({
  assetId: 'mcp-acl',
  version: '1.0.0',
  name: 'MCP Access Control List',
  description:
    'Exposes only what a rule allows: each rule names a feature (tools, resources or prompts), the MCP methods it allows (e.g. tools/list without tools/call for read-only listing), which names it covers (ANY, a literal name, or a regular expression) and an optional trigger condition. With no rules everything is denied: clients can connect but see empty lists.',
  category: 'MCP',
  mcpOnly: true,
  properties: {
    rules: {
      type: 'array',
      title: 'Rules',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['feature', 'methods'],
        properties: {
          feature: { type: 'string', title: 'Feature', enum: Object.keys(ACL_METHODS) },
          methods: {
            type: 'array',
            title: 'Methods',
            description: 'MCP methods this rule allows for the feature.',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string' },
          },
          namePatternType: { type: 'string', title: 'Name pattern type', enum: ['ANY', 'LITERAL', 'REGEX'], default: 'ANY' },
          namePattern: {
            type: 'string',
            title: 'Name pattern',
            description: 'Tool or prompt name, or resource URI: the exact value for LITERAL, a regular expression for REGEX.',
            minLength: 1,
          },
          condition: {
            type: 'string',
            title: 'Trigger condition',
            description: "The rule applies only when this expression is true, e.g. #[vars.claimSet.role == 'admin'].",
            format: 'dataweaveExpression',
          },
        },
        allOf: [
          ...Object.entries(ACL_METHODS).map(([feature, methods]) =>
            whenEquals('feature', feature, { properties: { methods: { items: { enum: methods } } } }),
          ),
          {
            if: { properties: { namePatternType: { enum: ['LITERAL', 'REGEX'] } }, required: ['namePatternType'] },
            then: { required: ['namePattern'] },
          },
          whenEquals('namePatternType', 'REGEX', { properties: { namePattern: { format: 'regex' } } }),
        ],
      },
    },
  },
});
