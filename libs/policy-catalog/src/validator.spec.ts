import { POLICY_TEMPLATES } from './catalog.js';
import { formatConfigurationIssue, validateConfiguration } from './validator.js';

interface TemplateCases {
  /** Accepted as is. */
  valid: Record<string, unknown>[];
  /** `{}`-free example and the configuration stored for it (defaults filled). */
  defaults?: [Record<string, unknown>, Record<string, unknown>];
  /** Typical mistakes and every message they produce. */
  invalid: [unknown, string[]][];
}

const CLIENT_ID = "#[attributes.headers['client_id']]";

const cases: Record<string, TemplateCases> = {
  'mcp-support': {
    valid: [{}],
    invalid: [
      [{ enabled: true }, ['configurationData: enabled is not a property of mcp-support, which takes no configuration']],
      [[], ['configurationData: must be object']],
      [null, ['configurationData: must be object']],
    ],
  },
  'mcp-access-control': {
    valid: [{ rules: ['permit(principal,action,resource);'], authType: 'ClientId' }],
    defaults: [
      { rules: ['forbid(principal, action, resource);'] },
      { rules: ['forbid(principal, action, resource);'], authType: 'ClientId' },
    ],
    invalid: [
      [{}, ['configurationData.rules: is required']],
      [{ rules: [] }, ['configurationData.rules: must NOT have fewer than 1 items']],
      [{ rules: [{ tool: 'x', action: 'allow' }] }, ['configurationData.rules[0]: must be string']],
      [
        { rules: ['allow everything'] },
        [
          "configurationData.rules[0]: must be a Cedar policy such as 'permit(principal, action, resource);': failed to parse policies from string: unexpected token `everything`",
        ],
      ],
      [
        // Shaped like a policy, but not one: the engine the gateway runs decides.
        { rules: ['permit(principal, action resource);'] },
        [
          "configurationData.rules[0]: must be a Cedar policy such as 'permit(principal, action, resource);': failed to parse policies from string: unexpected token `resource`",
        ],
      ],
      [
        { rules: ['permit(principal,action,resource);'], authType: 'bearer' },
        ['configurationData.authType: must be one of: ClientId, Other'],
      ],
      [
        { rules: ['permit(principal,action,resource);'], auth_type: 'Other' },
        ['configurationData: auth_type is not a property of mcp-access-control (properties: rules, authType)'],
      ],
    ],
  },
  'mcp-global-access-policy': {
    valid: [
      {
        rules: [
          { rule: 'Allow', matchType: 'literal', value: 'jira-search' },
          { rule: 'Block', matchType: 'pattern', value: 'admin-*' },
        ],
      },
    ],
    defaults: [
      { rules: [{ rule: 'Block', value: 'delete_repo' }] },
      { rules: [{ rule: 'Block', value: 'delete_repo', matchType: 'literal' }] },
    ],
    invalid: [
      [{}, ['configurationData.rules: is required']],
      [{ rules: [{ rule: 'Deny', value: 'x' }] }, ['configurationData.rules[0].rule: must be one of: Allow, Block']],
      [{ rules: [{ rule: 'Allow' }] }, ['configurationData.rules[0].value: is required']],
      [
        { rules: [{ rule: 'Block', matchType: 'pattern', value: 'admin-(' }] },
        [
          'configurationData.rules[0].value: must be a regular expression in RE2 syntax (no backreferences or lookaround): missing closing ): `admin-(`',
        ],
      ],
      [
        { rules: [{ rule: 'Block', matchType: 'regex', value: 'x' }] },
        ['configurationData.rules[0].matchType: must be one of: literal, pattern'],
      ],
    ],
  },
  'mcp-tool-mapping': {
    valid: [
      {
        toolMappings: [
          {
            sourceToolName: 'jira_create_issue',
            mappedToolName: 'create_ticket',
            mappedDescription: 'Create a new Jira ticket',
            mappingType: 'literal',
          },
        ],
        logMappings: true,
      },
      // Seed 003's tool toggle: a tool disabled, not renamed.
      { toolMappings: [{ sourceToolName: 'delete_repo', enabled: false }] },
    ],
    defaults: [
      { toolMappings: [{ sourceToolName: 'a', mappedToolName: 'b' }] },
      {
        toolMappings: [{ sourceToolName: 'a', mappedToolName: 'b', mappingType: 'literal', enabled: true }],
        logMappings: false,
      },
    ],
    invalid: [
      [{ logMappings: true }, ['configurationData.toolMappings: is required']],
      [{ toolMappings: [{ mappedToolName: 'a' }] }, ['configurationData.toolMappings[0].sourceToolName: is required']],
      [
        { toolMappings: [{ sourceToolName: 'a', enabled: 'no' }] },
        ['configurationData.toolMappings[0].enabled: must be boolean'],
      ],
      [
        { toolMappings: [{ sourceToolName: '[', mappedToolName: 'b', mappingType: 'regex' }] },
        [
          'configurationData.toolMappings[0].sourceToolName: must be a regular expression in RE2 syntax (no backreferences or lookaround): missing closing ]: `[`',
        ],
      ],
      [
        { toolMappings: [{ sourceToolName: 'a', mappedToolName: 'b' }], logMappings: 'yes' },
        ['configurationData.logMappings: must be boolean'],
      ],
    ],
  },
  'mcp-schema-validation': {
    valid: [{ validateToolSchema: true }],
    defaults: [{}, { validateToolSchema: false }],
    invalid: [[{ validateToolSchema: 'true' }, ['configurationData.validateToolSchema: must be boolean']]],
  },
  'mcp-tool-pinning': {
    valid: [{ onChange: 'report', approveNewTools: true }],
    defaults: [{}, { onChange: 'hide', approveNewTools: false }],
    invalid: [
      [{ onChange: 'block' }, ['configurationData.onChange: must be one of: hide, report']],
      [{ pins: {} }, ['configurationData: pins is not a property of mcp-tool-pinning (properties: onChange, approveNewTools)']],
    ],
  },
  'mcp-transcoding-router': {
    valid: [
      { transcodingPath: '/tools', routes: [{ upstreamName: 'jira', tools: ['create_issue'], resources: ['jira://projects'] }] },
    ],
    defaults: [{}, { transcodingPath: '/mcp', routes: [], pageSize: 100 }],
    invalid: [
      [
        { transcodingPath: 'mcp' },
        ['configurationData.transcodingPath: must be a URL path starting with / (no query, fragment or dot segments), e.g. /mcp'],
      ],
      [{ routes: [{ tools: ['x'] }] }, ['configurationData.routes[0].upstreamName: is required']],
      [{ pageSize: 0 }, ['configurationData.pageSize: must be >= 1']],
    ],
  },
  'mcp-tools-progressive-disclosure': {
    valid: [{ hotTools: ['create_issue', 'search_issues'], searchLimit: 25 }],
    defaults: [{}, { hotTools: [], searchLimit: 10 }],
    invalid: [
      [{ searchLimit: 51 }, ['configurationData.searchLimit: must be <= 50']],
      [{ hotTools: ['a', 'a'] }, ['configurationData.hotTools: must NOT have duplicate items (items ## 1 and 0 are identical)']],
      [{ hotTools: [''] }, ['configurationData.hotTools[0]: must NOT have fewer than 1 characters']],
    ],
  },
  'mcp-pii-detector': {
    valid: [
      { entities: ['Email', 'US SSN', 'Credit Card', 'Phone Number'] },
      {
        entities: ['IBAN', 'API Key', 'Access Token', 'UK NINO'],
        customPatterns: [{ name: 'Employee ID', pattern: 'EMP-\\d{6}' }],
        action: 'Redact',
        scanRequests: false,
      },
    ],
    defaults: [
      { entities: ['Email'] },
      { entities: ['Email'], customPatterns: [], action: 'Block', scanRequests: true, scanResponses: true },
    ],
    invalid: [
      [{}, ['configurationData.entities: is required']],
      [
        { entities: ['Passport'] },
        [
          'configurationData.entities[0]: must be one of: Email, Credit Card, Phone Number, US SSN, UK NINO, IBAN, API Key, Access Token',
        ],
      ],
      [
        { entities: ['Email'], customPatterns: [{ name: 'x', pattern: '(?=x)' }] },
        [expect.stringMatching(/^configurationData\.customPatterns\[0\]\.pattern: must be a regular expression in RE2 syntax/)],
      ],
      [{ entities: ['Email'], action: 'Mask' }, ['configurationData.action: must be one of: Block, Redact, Log']],
      [
        { entities: ['Email', 'Email'] },
        ['configurationData.entities: must NOT have duplicate items (items ## 1 and 0 are identical)'],
      ],
    ],
  },
  'mcp-payload-logging': {
    valid: [{}, { logRequests: false, maxPayloadBytes: 65536, redactEntities: ['Email'] }],
    defaults: [
      {},
      {
        logRequests: true,
        logResponses: true,
        maxPayloadBytes: 4096,
        redactEntities: ['Email', 'Credit Card', 'Phone Number', 'US SSN', 'UK NINO', 'IBAN', 'API Key', 'Access Token'],
      },
    ],
    invalid: [
      [{ maxPayloadBytes: 100 }, ['configurationData.maxPayloadBytes: must be >= 256']],
      [
        { redactEntities: ['Names'] },
        [
          'configurationData.redactEntities[0]: must be one of: Email, Credit Card, Phone Number, US SSN, UK NINO, IBAN, API Key, Access Token',
        ],
      ],
    ],
  },
  'mcp-acl': {
    valid: [
      { rules: [{ feature: 'tools', methods: ['tools/list'], namePatternType: 'ANY' }] },
      {
        rules: [
          { feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'LITERAL', namePattern: 'get_weather' },
        ],
      },
      {
        rules: [
          {
            feature: 'resources',
            methods: ['resources/list', 'resources/read'],
            namePatternType: 'REGEX',
            namePattern: '^file:///docs/.*',
          },
          { feature: 'prompts', methods: ['prompts/get'], condition: "#[vars.claimSet.role == 'admin']" },
        ],
      },
    ],
    // No rules: implicit deny.
    defaults: [{}, { rules: [] }],
    invalid: [
      [
        { rules: [{ feature: 'tools', methods: ['tools/list', 'prompts/get'] }] },
        ['configurationData.rules[0].methods[1]: must be one of: tools/list, tools/call'],
      ],
      [
        { rules: [{ feature: 'server', methods: ['ping'] }] },
        ['configurationData.rules[0].feature: must be one of: tools, resources, prompts'],
      ],
      [{ rules: [{ feature: 'tools', methods: [] }] }, ['configurationData.rules[0].methods: must NOT have fewer than 1 items']],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'LITERAL' }] },
        ['configurationData.rules[0].namePattern: is required'],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'REGEX', namePattern: '(' }] },
        [
          'configurationData.rules[0].namePattern: must be a regular expression in RE2 syntax (no backreferences or lookaround): missing closing ): `(`',
        ],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'REGEX', namePattern: '(?!admin).*' }] },
        [
          'configurationData.rules[0].namePattern: must be a regular expression in RE2 syntax (no backreferences or lookaround): invalid or unsupported Perl syntax: `(?!`',
        ],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'literal', namePattern: 'x' }] },
        ['configurationData.rules[0].namePatternType: must be one of: ANY, LITERAL, REGEX'],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], condition: 'role == admin' }] },
        ["configurationData.rules[0].condition: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ])"],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], condition: '#[role == admin]' }] },
        [
          "configurationData.rules[0].condition: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ]): Unknown variable: role",
        ],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], condition: "#[attributes.headers['x'] == ]" }] },
        [
          "configurationData.rules[0].condition: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ]): Unexpected token: EOF",
        ],
      ],
      [
        { rules: [{ feature: 'tools', methods: ['tools/call'], condition: "#[attributes.headers['x'].matches('(a+)+b')]" }] },
        [
          "configurationData.rules[0].condition: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ]): matches() is not supported (it would run a backtracking regex on client data)",
        ],
      ],
    ],
  },
  'rate-limiting-sla-based': {
    valid: [{ clientIdExpression: "#[attributes.headers['x-client']]", exposeHeaders: true, clusterizable: false }],
    defaults: [{}, { clientIdExpression: "#[attributes.headers['client_id']]", exposeHeaders: false, clusterizable: true }],
    invalid: [
      [
        { clientSecretExpression: 'secret' },
        [expect.stringMatching(/^configurationData\.clientSecretExpression: must be an expression/)],
      ],
    ],
  },
  'rate-limiting': {
    valid: [
      {
        rateLimits: [{ maximumRequests: 100, timePeriodInMilliseconds: 60000 }],
        keySelector: "#[attributes.queryParams['identifier']]",
        exposeHeaders: false,
        clusterizable: true,
      },
      {
        rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }],
        keySelector: '#[mcp.name]',
        mcpMethods: ['tools/call', 'resources/*', '*/list', '*'],
      },
    ],
    defaults: [
      { rateLimits: [{ maximumRequests: 10, timePeriodInMilliseconds: 1000 }] },
      {
        rateLimits: [{ maximumRequests: 10, timePeriodInMilliseconds: 1000 }],
        exposeHeaders: false,
        clusterizable: true,
        blockOnUnknownQuota: true,
      },
    ],
    invalid: [
      [{}, ['configurationData.rateLimits: is required']],
      [
        { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }], mcpMethods: ['tools call'] },
        [
          'configurationData.mcpMethods[0]: must be an MCP method such as tools/call, a namespace such as tools/*, a verb such as */list, or *',
        ],
      ],
      [
        { rateLimits: [{ maximumRequests: 0, timePeriodInMilliseconds: 1000 }] },
        ['configurationData.rateLimits[0].maximumRequests: must be >= 1'],
      ],
      [
        { rateLimits: [{ maximumRequests: '100', timePeriodInMilliseconds: 1000 }] },
        ['configurationData.rateLimits[0].maximumRequests: must be integer'],
      ],
      [
        { rateLimits: [{ maximumRequests: 1.5, timePeriodInMilliseconds: 1000 }] },
        ['configurationData.rateLimits[0].maximumRequests: must be integer'],
      ],
      [{ rateLimits: { maximumRequests: 1, timePeriodInMilliseconds: 1000 } }, ['configurationData.rateLimits: must be array']],
      [{ rateLimits: [{ maximumRequests: 1 }] }, ['configurationData.rateLimits[0].timePeriodInMilliseconds: is required']],
      [
        { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000, timeUnit: 'SECONDS' }] },
        [
          'configurationData.rateLimits[0]: timeUnit is not a property of rateLimits[0] (properties: maximumRequests, timePeriodInMilliseconds)',
        ],
      ],
      [
        { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }], keySelector: 'client_id' },
        ["configurationData.keySelector: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ])"],
      ],
    ],
  },
  'spike-control': {
    valid: [
      {
        maximumRequests: 1,
        timePeriodInMilliseconds: 1000,
        delayTimeInMillis: 1000,
        delayAttempts: 1,
        queuingLimit: 0,
        exposeHeaders: false,
      },
    ],
    defaults: [
      { maximumRequests: 5, timePeriodInMilliseconds: 1000 },
      {
        maximumRequests: 5,
        timePeriodInMilliseconds: 1000,
        delayTimeInMillis: 1000,
        delayAttempts: 1,
        queuingLimit: 0,
        exposeHeaders: false,
      },
    ],
    invalid: [
      [{ maximumRequests: 1, timePeriodInMilliseconds: 10000 }, ['configurationData.timePeriodInMilliseconds: must be <= 5000']],
      [{ timePeriodInMilliseconds: 1000 }, ['configurationData.maximumRequests: is required']],
      [
        { maximumRequests: 1, timePeriodInMilliseconds: 1000, delayAttempts: -1 },
        ['configurationData.delayAttempts: must be >= 0'],
      ],
    ],
  },
  'client-id-enforcement': {
    valid: [
      {
        credentialsOriginHasHttpBasicAuthenticationHeader: 'customExpression',
        clientIdExpression: CLIENT_ID,
        clientSecretExpression: "#[attributes.headers['client_secret']]",
      },
      { credentialsOriginHasHttpBasicAuthenticationHeader: 'httpBasicAuthenticationHeader' },
    ],
    defaults: [{}, { credentialsOriginHasHttpBasicAuthenticationHeader: 'customExpression', clientIdExpression: CLIENT_ID }],
    invalid: [
      [
        { credentialsOrigin: 'customExpression', clientIdExpression: CLIENT_ID },
        [
          'configurationData: credentialsOrigin is not a property of client-id-enforcement; use credentialsOriginHasHttpBasicAuthenticationHeader',
        ],
      ],
      [
        { credentialsOriginHasHttpBasicAuthenticationHeader: 'header' },
        [
          'configurationData.credentialsOriginHasHttpBasicAuthenticationHeader: must be one of: customExpression, httpBasicAuthenticationHeader',
        ],
      ],
      [
        { clientIdExpression: "attributes.headers['client_id']" },
        ["configurationData.clientIdExpression: must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ])"],
      ],
    ],
  },
  'jwt-validation': {
    valid: [
      {
        jwtOrigin: 'httpBearerAuthenticationHeader',
        signingMethod: 'hmac',
        signingKeyLength: 256,
        jwtKeyOrigin: 'text',
        textKey: 'shared-secret',
      },
      {
        jwtOrigin: 'httpBearerAuthenticationHeader',
        jwtKeyOrigin: 'jwks',
        jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
        mandatoryCustomClaims: [{ key: 'iss', value: 'idp' }],
      },
      {
        jwtOrigin: 'customExpression',
        jwtExpression: "#[attributes.headers['x-jwt']]",
        signingMethod: 'es',
        textKey: 'PEM',
        issuer: 'https://idp.example.com',
        clockSkewSeconds: 30,
      },
    ],
    invalid: [
      [{}, ['configurationData.jwtOrigin: is required', 'configurationData.textKey: is required']],
      [{ jwtOrigin: 'httpBearerAuthenticationHeader', jwtKeyOrigin: 'jwks' }, ['configurationData.jwksUrl: is required']],
      [
        { jwtOrigin: 'httpBearerAuthenticationHeader', jwtKeyOrigin: 'jwks', jwksUrl: 'ftp://idp' },
        ['configurationData.jwksUrl: must be an http:// or https:// URL'],
      ],
      [
        { jwtOrigin: 'header', textKey: 'k' },
        ['configurationData.jwtOrigin: must be one of: httpBearerAuthenticationHeader, customExpression'],
      ],
      [
        { jwtOrigin: 'httpBearerAuthenticationHeader', signingMethod: 'none' },
        ['configurationData.signingMethod: must be one of: rsa, hmac, es', 'configurationData.textKey: is required'],
      ],
      [
        { jwtOrigin: 'httpBearerAuthenticationHeader', textKey: 'k', signingKeyLength: 1024 },
        ['configurationData.signingKeyLength: must be one of: 256, 384, 512'],
      ],
      [
        { jwtOrigin: 'httpBearerAuthenticationHeader', textKey: 'k', mandatoryCustomClaims: [{ key: 'iss' }] },
        ['configurationData.mandatoryCustomClaims[0].value: is required'],
      ],
    ],
  },
  'api-key-authentication': {
    valid: [{ headerName: 'X-API-Key' }],
    defaults: [{}, { headerName: 'Authorization' }],
    invalid: [[{ headerName: 'bad header' }, ['configurationData.headerName: must be a valid HTTP header name']]],
  },
  'oauth2-token-introspection': {
    valid: [
      {
        introspectionURL: 'https://my-introspection.com/introspect',
        authorizationValue: 'Basic am9obkBleGFtcGxlLmNvbTphYmMxMjM=',
        validatedTokenTTL: 600,
        authenticationTimeout: 10000,
        skipClientIdValidation: false,
        consumerBy: 'client_id',
        exposeHeaders: true,
        scopes: 'profile email shopping',
        scopeValidationCriteria: 'AND',
        maxCacheEntries: 1000,
      },
    ],
    invalid: [
      [{ introspectionURL: 'https://idp/introspect' }, ['configurationData.authorizationValue: is required']],
      [
        { introspectionUrl: 'https://idp/introspect', authorizationValue: 'Basic x' },
        [
          'configurationData.introspectionURL: is required',
          'configurationData: introspectionUrl is not a property of oauth2-token-introspection; use introspectionURL',
        ],
      ],
      [
        { introspectionURL: 'idp/introspect', authorizationValue: 'Basic x' },
        ['configurationData.introspectionURL: must be an http:// or https:// URL'],
      ],
      [
        { introspectionURL: 'https://idp/introspect', authorizationValue: 'Basic x', scopeValidationCriteria: 'ALL' },
        ['configurationData.scopeValidationCriteria: must be one of: AND, OR'],
      ],
    ],
  },
  'ip-allowlist': {
    valid: [
      { ips: ['192.168.1.1', '192.168.3.1/30', '2001:db8::/32'], ipExpression: "#[attributes.headers['x-forwarded-for']]" },
    ],
    defaults: [{ ips: ['10.0.0.0/8'] }, { ips: ['10.0.0.0/8'], ipExpression: '#[attributes.remoteAddress]' }],
    invalid: [
      [{}, ['configurationData.ips: is required']],
      [{ ips: '10.0.0.1' }, ['configurationData.ips: must be array']],
      [
        { ips: ['300.1.1.1', '10.0.0.1/33'] },
        [
          'configurationData.ips[0]: must be an IPv4 or IPv6 address, optionally with a /prefix (CIDR)',
          'configurationData.ips[1]: must be an IPv4 or IPv6 address, optionally with a /prefix (CIDR)',
        ],
      ],
      [
        { ips: ['10.0.0.1'], methodsString: 'GET' },
        ['configurationData: methodsString is not a property of ip-allowlist (properties: ips, ipExpression)'],
      ],
    ],
  },
  'ip-blocklist': {
    valid: [{ ips: ['203.0.113.7'] }],
    invalid: [[{ ips: [] }, ['configurationData.ips: must NOT have fewer than 1 items']]],
  },
  'header-injection': {
    valid: [
      {
        inboundHeaders: [{ key: 'X-Request-ID', value: '#[uuid()]' }],
        outboundHeaders: [{ key: 'X-API-Version', value: 'v1.0' }],
      },
    ],
    defaults: [{}, { inboundHeaders: [], outboundHeaders: [] }],
    invalid: [
      [
        { inboundHeaders: [{ key: 'Bad Header', value: 'x' }] },
        ['configurationData.inboundHeaders[0].key: must be a valid HTTP header name'],
      ],
      [
        { inboundHeaders: [{ key: 'X-A', value: 'a\r\nX-Injected: 1' }] },
        [
          'configurationData.inboundHeaders[0].value: must be a literal without line breaks or NUL characters, or an expression like #[uuid()]',
        ],
      ],
      [
        { outboundHeaders: [{ key: 'X-A', value: '#[attributes.nope(]' }] },
        [
          'configurationData.outboundHeaders[0].value: must be a literal without line breaks or NUL characters, or an expression like #[uuid()]: Unexpected token: EOF',
        ],
      ],
      [{ inboundHeaders: { 'X-A': '1' } }, ['configurationData.inboundHeaders: must be array']],
    ],
  },
  'header-removal': {
    valid: [{ inboundHeaders: ['X-Internal-Debug'], outboundHeaders: ['Server', 'X-Powered-By'] }],
    defaults: [{ outboundHeaders: ['Server'] }, { inboundHeaders: [], outboundHeaders: ['Server'] }],
    invalid: [[{ inboundHeaders: ['X:Debug'] }, ['configurationData.inboundHeaders[0]: must be a valid HTTP header name']]],
  },
  'http-basic-authentication': {
    valid: [{ username: 'agent', password: 's3cret' }],
    invalid: [
      [{ username: 'agent' }, ['configurationData.password: is required']],
      [{ username: '', password: 'x' }, ['configurationData.username: must NOT have fewer than 1 characters']],
      [
        { user: 'agent', password: 'x' },
        [
          'configurationData.username: is required',
          'configurationData: user is not a property of http-basic-authentication (properties: username, password)',
        ],
      ],
    ],
  },
  cors: {
    valid: [
      { publicResource: true, originGroups: [{ origins: ['*'], methods: ['GET', 'POST'] }] },
      {
        publicResource: false,
        supportCredentials: true,
        originGroups: [
          {
            name: 'web',
            origins: ['https://app.example.com', 'http://localhost:5173'],
            accessControlMaxAge: 600,
            allowedMethods: [{ methodName: 'POST', isAllowed: true }],
            headers: ['Mcp-Session-Id'],
            exposedHeaders: ['Mcp-Session-Id'],
          },
        ],
      },
    ],
    defaults: [{}, { publicResource: true, supportCredentials: false, originGroups: [] }],
    invalid: [
      [{ publicResource: false }, ['configurationData.originGroups: is required']],
      [
        { publicResource: false, originGroups: [{ origins: ['https://a.example'] }] },
        ['configurationData.originGroups[0].name: is required', 'configurationData.originGroups[0].allowedMethods: is required'],
      ],
      [{ supportCredentials: true }, ['configurationData.supportCredentials: must be false']],
      [
        { originGroups: [{ origins: ['https://a.example/path'] }] },
        [
          'configurationData.originGroups[0].origins[0]: must be * or an origin like https://app.example.com (scheme, host and optional port)',
        ],
      ],
      [
        { originGroups: [{ origins: ['*'], methods: ['FETCH'] }] },
        [
          'configurationData.originGroups[0].methods[0]: must be one of: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE',
        ],
      ],
    ],
  },
  'upstream-credential': {
    valid: [
      { headerName: 'X-API-Key', value: 'k-123' },
      { headerName: 'Authorization', prefix: 'Bearer', value: 'tok' },
    ],
    defaults: [{ value: 'tok' }, { value: 'tok', headerName: 'Authorization' }],
    invalid: [
      [{ headerName: 'X-API-Key' }, ['configurationData.value: is required']],
      [{ value: '' }, ['configurationData.value: must NOT have fewer than 1 characters']],
      [{ value: 'tok\nX-Evil: 1' }, ['configurationData.value: must not contain line breaks or NUL characters']],
      [{ headerName: 'Bad Header', value: 'tok' }, ['configurationData.headerName: must be a valid HTTP header name']],
      [
        { secret: 'tok' },
        [
          'configurationData.value: is required',
          'configurationData: secret is not a property of upstream-credential (properties: headerName, prefix, value)',
        ],
      ],
    ],
  },
  'upstream-oauth': {
    valid: [
      {
        issuer: 'https://as.example.com',
        authorizationEndpoint: 'https://as.example.com/authorize',
        tokenEndpoint: 'https://as.example.com/token',
        clientId: 'portico',
        clientSecret: 's3cret',
        signInClientSecret: 'an0ther',
        redirectUri: 'https://portico.example.com/mcpgateway/api/v1/oauth/callback',
        signInIssuer: 'https://idp.example.com',
        signInAuthorizationEndpoint: 'https://idp.example.com/authorize',
        signInTokenEndpoint: 'https://idp.example.com/token',
        signInClientId: 'portico-sign-in',
        scopes: ['repo', 'read:user'],
      },
    ],
    defaults: [
      {
        issuer: 'https://as.example.com',
        authorizationEndpoint: 'https://as.example.com/authorize',
        tokenEndpoint: 'https://as.example.com/token',
        clientId: 'portico',
        redirectUri: 'https://portico.example.com/mcpgateway/api/v1/oauth/callback',
        signInIssuer: 'https://idp.example.com',
        signInAuthorizationEndpoint: 'https://idp.example.com/authorize',
        signInTokenEndpoint: 'https://idp.example.com/token',
        signInClientId: 'portico-sign-in',
      },
      {
        issuer: 'https://as.example.com',
        authorizationEndpoint: 'https://as.example.com/authorize',
        tokenEndpoint: 'https://as.example.com/token',
        clientId: 'portico',
        redirectUri: 'https://portico.example.com/mcpgateway/api/v1/oauth/callback',
        signInIssuer: 'https://idp.example.com',
        signInAuthorizationEndpoint: 'https://idp.example.com/authorize',
        signInTokenEndpoint: 'https://idp.example.com/token',
        signInClientId: 'portico-sign-in',
        scopes: [],
      },
    ],
    invalid: [
      [
        { issuer: 'https://as.example.com', authorizationEndpoint: 'https://as.example.com/a', clientId: 'p' },
        [
          'configurationData.tokenEndpoint: is required',
          'configurationData.redirectUri: is required',
          'configurationData.signInIssuer: is required',
          'configurationData.signInAuthorizationEndpoint: is required',
          'configurationData.signInTokenEndpoint: is required',
          'configurationData.signInClientId: is required',
        ],
      ],
      [
        {
          issuer: 'https://as.example.com',
          authorizationEndpoint: 'https://as.example.com/a',
          tokenEndpoint: 'https://as.example.com/t',
          clientId: 'p',
          redirectUri: 'https://portico.example.com/cb',
          signInIssuer: 'https://idp.example.com',
          signInAuthorizationEndpoint: 'https://idp.example.com/authorize',
          signInTokenEndpoint: 'https://idp.example.com/token',
          signInClientId: 'portico-sign-in',
          scopes: ['two words'],
        },
        ['configurationData.scopes[0]: must be an OAuth scope: printable ASCII without spaces, double quotes or backslashes'],
      ],
    ],
  },
};

const template = (assetId: string) => {
  const found = POLICY_TEMPLATES.find((t) => t.assetId === assetId);
  if (!found) throw new Error(`no template ${assetId}`);
  return found;
};

describe('validateConfiguration', () => {
  it('has cases for every built-in template', () => {
    expect(Object.keys(cases).sort()).toEqual(POLICY_TEMPLATES.map((t) => t.assetId).sort());
  });

  describe.each(Object.entries(cases))('%s', (assetId, { valid, defaults, invalid }) => {
    it.each(valid.map((c) => [JSON.stringify(c), c]))('accepts %s', (_, configuration) => {
      expect(validateConfiguration(template(assetId), configuration)).toMatchObject({ valid: true, configuration });
    });

    if (defaults) {
      it(`fills the defaults of ${JSON.stringify(defaults[0])}`, () => {
        expect(validateConfiguration(template(assetId), defaults[0])).toEqual({ valid: true, configuration: defaults[1] });
      });
    }

    it.each(invalid.map(([c, messages]) => [JSON.stringify(c), c, messages]))('rejects %s', (_, configuration, messages) => {
      const result = validateConfiguration(template(assetId), configuration);
      expect(result.valid).toBe(false);
      if (!result.valid) expect(result.issues.map(formatConfigurationIssue)).toEqual(messages);
    });
  });

  it('never modifies the caller object', () => {
    const input = { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }] };
    const before = structuredClone(input);
    validateConfiguration(template('rate-limiting'), input);
    expect(input).toEqual(before);
  });

  it('gives each issue its path segments and keyword', () => {
    const result = validateConfiguration(template('rate-limiting'), {
      rateLimits: [{ maximumRequests: 0, timePeriodInMilliseconds: 1 }],
    });
    expect(result).toEqual({
      valid: false,
      issues: [{ path: ['rateLimits', 0, 'maximumRequests'], keyword: 'minimum', message: 'must be >= 1' }],
    });
  });
});
