import {
  compareVersions,
  findPolicyTemplate,
  implementationAsset,
  implementationGap,
  POLICY_TEMPLATES,
  policyTemplateVersions,
} from './catalog.js';
import { STRING_FORMATS } from './formats.js';
import { genericForm } from './generic-form.js';
import { POLICY_GROUP_ID, type JsonSchema, type PolicyTemplateDefinition } from './policy-template.js';
import { mapSensitive, SECRET_MASK } from './sensitive.js';
import { validateConfiguration } from './validator.js';

const byId = (assetId: string): PolicyTemplateDefinition => {
  const found = POLICY_TEMPLATES.find((t) => t.assetId === assetId);
  if (!found) throw new Error(`no template ${assetId}`);
  return found;
};

/** Every sub-schema of a form, with its JSON pointer. */
function* subSchemas(schema: JsonSchema, pointer = '#'): Generator<[string, JsonSchema]> {
  yield [pointer, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* subSchemas(child, `${pointer}/properties/${key}`);
  if (schema.items) yield* subSchemas(schema.items, `${pointer}/items`);
  for (const [i, child] of (schema.allOf ?? []).entries()) yield* subSchemas(child, `${pointer}/allOf/${i}`);
  for (const key of ['if', 'then', 'else', 'not'] as const) {
    const child = schema[key];
    if (child) yield* subSchemas(child, `${pointer}/${key}`);
  }
}

describe('POLICY_TEMPLATES', () => {
  // assetId → [version, mcpOnly, category] (contract §10.1 versions; Portico's own at 1.0.0)
  const expected: Record<string, [string, boolean, string]> = {
    'mcp-support': ['1.0.1', true, 'MCP'],
    'mcp-access-control': ['1.0.1', true, 'MCP'],
    'mcp-global-access-policy': ['1.0.0', true, 'MCP'],
    'mcp-tool-mapping': ['1.0.0', true, 'MCP'],
    'mcp-schema-validation': ['1.1.0', true, 'MCP'],
    'mcp-pii-detector': ['1.0.0', true, 'MCP'],
    'mcp-payload-logging': ['1.0.0', true, 'MCP'],
    'mcp-acl': ['1.0.0', true, 'MCP'],
    'mcp-tool-pinning': ['1.0.0', true, 'MCP'],
    'mcp-transcoding-router': ['1.0.0', true, 'MCP'],
    'mcp-tools-progressive-disclosure': ['1.0.0', true, 'MCP'],
    'rate-limiting': ['1.4.1', false, 'Quality of service'],
    'rate-limiting-sla-based': ['1.3.1', false, 'Quality of service'],
    'spike-control': ['1.2.2', false, 'Quality of service'],
    'client-id-enforcement': ['1.3.3', false, 'Security'],
    'jwt-validation': ['0.12.0', false, 'Security'],
    'oauth2-token-introspection': ['1.0.1', false, 'Security'],
    'ip-allowlist': ['1.1.2', false, 'Security'],
    'ip-blocklist': ['1.1.2', false, 'Security'],
    'header-injection': ['1.3.2', false, 'Transformation'],
    'header-removal': ['1.1.2', false, 'Transformation'],
    'http-basic-authentication': ['1.3.2', false, 'Security'],
    cors: ['1.3.2', false, 'Compliance'],
    'upstream-credential': ['1.0.0', false, 'Security'],
    'upstream-oauth': ['1.0.0', true, 'Security'],
    'api-key-authentication': ['1.0.0', false, 'Security'],
  };

  it('holds exactly the built-in templates, once each', () => {
    expect(POLICY_TEMPLATES.map((t) => t.assetId).sort()).toEqual(Object.keys(expected).sort());
    expect(new Set(POLICY_TEMPLATES.map((t) => `${t.assetId}/${t.version}`)).size).toBe(POLICY_TEMPLATES.length);
  });

  it.each(Object.entries(expected))('%s: coordinates, scope and category', (assetId, [version, mcpOnly, category]) => {
    expect(byId(assetId)).toMatchObject({ groupId: POLICY_GROUP_ID, version, mcpOnly, category, technologies: ['flexGateway'] });
    expect(byId(assetId).name).not.toBe('');
    expect(byId(assetId).description).not.toBe('');
  });

  describe.each(POLICY_TEMPLATES.map((t) => [t.assetId, t]))('%s form', (_, template) => {
    const { schema } = template;

    it('is a closed draft 2019-09 object with its own $id', () => {
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2019-09/schema',
        $id: `${template.assetId}/${template.version}`,
        type: 'object',
        additionalProperties: false,
      });
      for (const name of schema.required) expect(Object.keys(schema.properties)).toContain(name);
    });

    it('compiles, closes every nested object, marks only strings sensitive and names known formats', () => {
      expect(() => validateConfiguration(template, {})).not.toThrow();
      for (const [pointer, sub] of subSchemas(schema)) {
        if (sub.type === 'object') expect([pointer, sub.additionalProperties]).toEqual([pointer, false]);
        if (sub['x-sensitive']) expect([pointer, sub.type]).toEqual([pointer, 'string']);
        if (sub.format) expect(Object.keys(STRING_FORMATS)).toContain(sub.format);
      }
    });

    it('maps generic names only for gateway properties', () => {
      for (const gatewayName of Object.keys(template.genericNames)) expect(Object.keys(schema.properties)).toContain(gatewayName);
    });

    it('is frozen', () => {
      expect(Object.isFrozen(template)).toBe(true);
      expect(Object.isFrozen(schema.properties)).toBe(true);
    });
  });
});

describe('findPolicyTemplate / policyTemplateVersions', () => {
  it('finds a template by exact coordinates only', () => {
    expect(findPolicyTemplate(POLICY_GROUP_ID, 'rate-limiting', '1.4.1')).toBe(byId('rate-limiting'));
    expect(findPolicyTemplate(POLICY_GROUP_ID, 'rate-limiting', '1.4.0')).toBeUndefined();
    expect(findPolicyTemplate('00000000-0000-0000-0000-000000000000', 'rate-limiting', '1.4.1')).toBeUndefined();
  });

  it('lists the versions of a template, or none', () => {
    expect(policyTemplateVersions(POLICY_GROUP_ID, 'rate-limiting')).toEqual(['1.4.1']);
    expect(policyTemplateVersions(POLICY_GROUP_ID, 'xml-threat-protection')).toEqual([]);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.4.1', '1.10.0', -1],
    ['1.0.1', '1.0.1', 0],
    ['2.0.0', '1.9.9', 1],
    ['1.0.1-20260414150102', '1.0.1', -1],
    ['1.0.1', '1.0.1-20260414150102', 1],
    ['1.0', '1.0.0', 0],
  ])('%s vs %s → %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('implementationGap', () => {
  it.each([
    ['mcp-support', 'flexGateway', 'mcp', undefined],
    ['rate-limiting', 'flexGateway', 'mcp', undefined],
    ['rate-limiting', 'flexGateway', 'http', undefined],
    [
      'mcp-support',
      'flexGateway',
      'http',
      'The policy template mcp-support 1.0.1 does not have an implementation for the API with technology(flexGateway) and endpoint type(http): it applies to MCP servers only',
    ],
    [
      'mcp-acl',
      'flexGateway',
      null,
      'The policy template mcp-acl 1.0.0 does not have an implementation for the API with technology(flexGateway) and endpoint type(http): it applies to MCP servers only',
    ],
    [
      'rate-limiting',
      'mule4',
      'http',
      'The policy template rate-limiting 1.4.1 does not have an implementation for the API with technology(mule4)',
    ],
  ])('%s on %s/%s', (assetId, technology, endpointType, reason) => {
    expect(implementationGap(byId(assetId), { technology, endpointType })).toBe(reason);
  });
});

describe('implementationAsset', () => {
  it('names the Flex implementation <assetId>-flex', () => {
    expect(implementationAsset(byId('rate-limiting'))).toEqual({
      assetId: 'rate-limiting-flex',
      groupId: POLICY_GROUP_ID,
      version: '1.4.1',
      technology: 'flexGateway',
    });
  });
});

describe('genericForm', () => {
  it('uses the generic property names and no gateway names', () => {
    const form = genericForm(byId('client-id-enforcement'));
    expect(form.map((f) => f.propertyName)).toEqual(['credentialsOrigin', 'clientIdExpression', 'clientSecretExpression']);
    expect(form[0]).toEqual({
      propertyName: 'credentialsOrigin',
      name: 'Credentials Origin',
      description: expect.any(String),
      type: 'radio',
      optional: true,
      sensitive: false,
      defaultValue: 'customExpression',
      allowMultiple: false,
      options: [
        { name: 'customExpression', value: 'customExpression' },
        { name: 'httpBasicAuthenticationHeader', value: 'httpBasicAuthenticationHeader' },
      ],
    });
  });

  it('describes lists of objects with nested fields, required ones as not optional', () => {
    const [rateLimits] = genericForm(byId('rate-limiting'));
    expect(rateLimits).toMatchObject({ propertyName: 'rateLimits', type: 'object', optional: false, allowMultiple: true });
    expect(rateLimits?.configuration?.map((f) => [f.propertyName, f.type, f.optional])).toEqual([
      ['maximumRequests', 'int', false],
      ['timePeriodInMilliseconds', 'int', false],
    ]);
  });

  it('flags sensitive fields', () => {
    const form = genericForm(byId('http-basic-authentication'));
    expect(form.map((f) => [f.propertyName, f.sensitive])).toEqual([
      ['username', false],
      ['password', true],
    ]);
  });
});

describe('mapSensitive', () => {
  it('replaces only sensitive values, reporting their path, without touching the input', () => {
    const input = { username: 'agent', password: 's3cret' };
    const seen: unknown[] = [];
    const out = mapSensitive(byId('http-basic-authentication'), input, (value, path) => {
      seen.push([value, path]);
      return SECRET_MASK;
    });
    expect(out).toEqual({ username: 'agent', password: '********' });
    expect(input.password).toBe('s3cret');
    expect(seen).toEqual([['s3cret', ['password']]]);
  });

  it('leaves absent secrets and templates without secrets alone', () => {
    const visited: unknown[] = [];
    const visit = (value: string) => visited.push(value);
    expect(mapSensitive(byId('jwt-validation'), { jwtOrigin: 'httpBearerAuthenticationHeader' }, visit)).toEqual({
      jwtOrigin: 'httpBearerAuthenticationHeader',
    });
    const config = { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1 }] };
    expect(mapSensitive(byId('rate-limiting'), config, visit)).toEqual(config);
    expect(visited).toEqual([]);
  });

  it.each([
    ['http-basic-authentication', ['password']],
    ['oauth2-token-introspection', ['authorizationValue']],
    ['jwt-validation', ['textKey']],
    ['upstream-credential', ['value']],
    ['upstream-oauth', ['clientSecret', 'signInClientSecret']],
  ])('%s keeps %j secret', (assetId, secrets) => {
    const sensitive = Object.entries(byId(assetId).schema.properties)
      .filter(([, p]) => p['x-sensitive'])
      .map(([k]) => k);
    expect(sensitive).toEqual(secrets);
  });
});
