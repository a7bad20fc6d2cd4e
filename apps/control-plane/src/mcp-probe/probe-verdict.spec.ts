import { AddressDenied } from '#portico/outbound-address';
import {
  apiKeyVerdict,
  describeFetchFailure,
  explicitApiKeyHint,
  guessedApiKeyHint,
  noneVerdict,
  type OAuthFacts,
  oauthVerdict,
  statusReason,
  unknownVerdict,
} from './probe-verdict.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

const URL_PROBED = 'https://mcp.example.com/mcp';
const trace = () => ({ url: URL_PROBED, steps: [{ method: 'POST', url: URL_PROBED, status: 401 }], warnings: [] });

describe('API key hints', () => {
  it.each([
    // a challenge of another scheme: its header parameter, else Authorization with the scheme
    [
      401,
      'ApiKey header="X-API-Key"',
      '',
      { headerName: 'X-API-Key', prefix: '', evidence: 'the 401 challenge ApiKey names header X-API-Key' },
    ],
    [401, 'ApiKey in="header", name="X-Goog-Api-Key"', '', { headerName: 'X-Goog-Api-Key', prefix: '' }],
    [
      401,
      'ApiKey realm="api"',
      '',
      { headerName: 'Authorization', prefix: 'ApiKey', evidence: 'the 401 answer challenges with WWW-Authenticate: ApiKey' },
    ],
    [401, 'Basic realm="x"', '', { headerName: 'Authorization', prefix: 'Basic' }],
    [403, 'Token', '', { headerName: 'Authorization', prefix: 'Token' }],
    // a header named in the body
    [
      401,
      '',
      '{"error":"unauthorized","message":"Missing or invalid X-API-Key header"}',
      { headerName: 'X-API-Key', prefix: '', evidence: "the 401 answer's body names X-API-Key" },
    ],
    [401, '', 'send your key in x-goog-api-key', { headerName: 'x-goog-api-key', prefix: '' }],
    [403, '', '{"detail":"X-Auth-Token required"}', { headerName: 'X-Auth-Token', prefix: '' }],
    [
      401,
      '',
      'Access denied due to missing subscription key. Include Ocp-Apim-Subscription-Key',
      { headerName: 'Ocp-Apim-Subscription-Key', prefix: '' },
    ],
    [401, '', '{"message":"api-key header missing"}', { headerName: 'api-key', prefix: '' }],
    // beside a Bearer challenge (without resource_metadata), a header the body names still counts; other schemes do not
    [401, 'Bearer', '{"message":"X-API-Key required"}', { headerName: 'X-API-Key', prefix: '' }],
    [401, 'Bearer, Basic realm="x"', '', undefined],
  ])('reads a %i with WWW-Authenticate %j and body %j as %j', (status, field, body, expected) => {
    const hint = explicitApiKeyHint(status, parseWwwAuthenticate(field), body);
    if (expected === undefined) expect(hint).toBeUndefined();
    else expect(hint).toMatchObject({ ...expected, guessed: false });
  });

  it.each(['', '{"error":"Invalid API key"}', 'max-tokens exceeded', 'the x-request-id was 5'])(
    'names no header for body %j',
    (body) => {
      expect(explicitApiKeyHint(401, [], body)).toBeUndefined();
    },
  );

  it.each([
    ['Bearer', '', 'the 401 answer challenges with Bearer but no OAuth metadata was found'],
    ['', '{"error":"Invalid API key"}', "the 401 answer's body mentions an API key, without a header name"],
    ['', 'Unauthorized', 'the 401 answer has no challenge and no OAuth metadata was found'],
  ])('guesses Authorization: Bearer after WWW-Authenticate %j and body %j', (field, body, evidence) => {
    expect(guessedApiKeyHint(401, parseWwwAuthenticate(field), body)).toEqual({
      headerName: 'Authorization',
      prefix: 'Bearer',
      evidence,
      guessed: true,
    });
  });
});

describe('verdicts', () => {
  it('none: the InitializeResult and a no-credential proposal', () => {
    const init = { serverInfo: { name: 's', version: '1' }, protocolVersion: '2025-11-25', capabilities: { tools: {} } };
    expect(noneVerdict(trace(), init)).toEqual({
      verdict: 'none',
      url: URL_PROBED,
      ...init,
      proposal: { connection: { mode: 'none' }, upstreamUri: URL_PROBED },
      warnings: [],
      steps: trace().steps,
    });
  });

  it('unknown: the reason, and a no-credential proposal', () => {
    expect(unknownVerdict(trace(), 'connection refused')).toEqual({
      verdict: 'unknown',
      url: URL_PROBED,
      reason: 'connection refused',
      proposal: { connection: { mode: 'none' }, upstreamUri: URL_PROBED },
      warnings: [],
      steps: trace().steps,
    });
  });

  it('api-key: the upstream-credential configuration without a value, and a warning when guessed', () => {
    const named = apiKeyVerdict(trace(), { headerName: 'X-API-Key', prefix: '', evidence: 'e', guessed: false });
    expect(named).toMatchObject({
      verdict: 'api-key',
      headerName: 'X-API-Key',
      prefix: '',
      evidence: 'e',
      proposal: {
        connection: { mode: 'api-key' },
        upstreamUri: URL_PROBED,
        upstreamCredential: { headerName: 'X-API-Key', prefix: '' },
      },
      warnings: [],
    });
    const guessed = apiKeyVerdict(trace(), { headerName: 'Authorization', prefix: 'Bearer', evidence: 'e', guessed: true });
    expect(guessed.warnings).toEqual(['the server did not say where the key goes: Authorization with prefix Bearer is a guess']);
  });

  const AS = 'https://auth.example.com';
  const asMetadata = (fields: Record<string, unknown> = {}) => ({
    issuer: AS,
    authorization_endpoint: `${AS}/authorize`,
    token_endpoint: `${AS}/token`,
    code_challenge_methods_supported: ['S256'],
    ...fields,
  });
  const facts = (fields: Partial<OAuthFacts> = {}): OAuthFacts => ({
    challengeScopes: undefined,
    resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    resourceMetadata: { resource: URL_PROBED, authorization_servers: [AS], scopes_supported: ['a', 'b'] },
    issuer: AS,
    authorizationServerMetadata: asMetadata(),
    ...fields,
  });

  it.each([
    ['dynamic registration', asMetadata({ registration_endpoint: `${AS}/register` }), 'dynamic', true, false],
    [
      'a client ID metadata document first, when both are offered',
      asMetadata({ registration_endpoint: `${AS}/register`, client_id_metadata_document_supported: true }),
      'client-metadata-document',
      true,
      true,
    ],
    ['manual registration when neither is', asMetadata(), 'manual', false, false],
    [
      'a registration endpoint that is no http URL as none',
      asMetadata({ registration_endpoint: 'javascript:x' }),
      'manual',
      false,
      false,
    ],
  ])('oauth: proposes %s', (_name, metadata, registration, dcr, cimd) => {
    const verdict = oauthVerdict(trace(), facts({ authorizationServerMetadata: metadata }));
    expect(verdict).toMatchObject({
      verdict: 'oauth',
      dynamicClientRegistration: dcr,
      clientIdMetadataDocuments: cimd,
      proposal: {
        connection: { mode: 'gateway-oauth' },
        upstreamUri: URL_PROBED,
        oauth: { authorizationServer: AS, scopes: ['a', 'b'], registration },
      },
    });
  });

  it("oauth: the challenge's scopes before the metadata's, the endpoints, and no warning for a sound server", () => {
    expect(oauthVerdict(trace(), facts({ challengeScopes: ['mcp:read'] }))).toEqual({
      verdict: 'oauth',
      url: URL_PROBED,
      resource: URL_PROBED,
      resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      authorizationServer: AS,
      authorizationEndpoint: `${AS}/authorize`,
      tokenEndpoint: `${AS}/token`,
      registrationEndpoint: null,
      scopes: ['mcp:read'],
      dynamicClientRegistration: false,
      clientIdMetadataDocuments: false,
      pkceMethods: ['S256'],
      proposal: {
        connection: { mode: 'gateway-oauth' },
        upstreamUri: URL_PROBED,
        oauth: { authorizationServer: AS, scopes: ['mcp:read'], registration: 'manual' },
      },
      warnings: [],
      steps: trace().steps,
    });
  });

  it('oauth: warns of a missing S256 and of a resource that is not the probed URL', () => {
    const verdict = oauthVerdict(
      trace(),
      facts({
        resourceMetadata: { resource: 'https://mcp.example.com/', authorization_servers: [AS] },
        authorizationServerMetadata: asMetadata({ code_challenge_methods_supported: ['plain'] }),
      }),
    );
    expect(verdict.warnings).toEqual([
      'the protected-resource metadata names resource https://mcp.example.com/, not the probed URL (RFC 9728 §3.3): MCP clients may refuse it',
      'the authorization server does not list S256 in code_challenge_methods_supported: MCP clients must refuse it',
    ]);
    expect(
      oauthVerdict(trace(), facts({ authorizationServerMetadata: asMetadata({ code_challenge_methods_supported: undefined }) }))
        .warnings,
    ).toEqual(['the authorization server does not list S256 in code_challenge_methods_supported: MCP clients must refuse it']);
  });

  it('oauth: passthrough when the authorization server metadata could not be read', () => {
    const verdict = oauthVerdict(trace(), facts({ authorizationServerMetadata: null }));
    expect(verdict).toMatchObject({
      authorizationServer: AS,
      authorizationEndpoint: null,
      tokenEndpoint: null,
      registrationEndpoint: null,
      dynamicClientRegistration: false,
      pkceMethods: [],
      proposal: { connection: { mode: 'oauth-passthrough' }, upstreamUri: URL_PROBED },
      warnings: [`no metadata of authorization server ${AS} could be read: clients must bring their own tokens`],
    });
    expect(verdict.proposal.oauth).toBeUndefined();
  });
});

describe('reasons', () => {
  it.each([
    [
      307,
      { location: 'https://mcp.example.com/v2/mcp' },
      'answered 307 redirecting to https://mcp.example.com/v2/mcp; the probe does not follow a redirect of initialize: probe that URL if it is the MCP endpoint',
    ],
    [302, { location: null }, 'answered 302 without a Location'],
    [404, {}, 'answered 404: no MCP endpoint at this URL'],
    [405, {}, 'answered 405 to POST: not a Streamable HTTP MCP endpoint'],
    [400, { rpcError: 'Bad Request: Unsupported protocol version' }, 'answered 400: Bad Request: Unsupported protocol version'],
    [503, {}, 'answered 503, a server error'],
    [500, { rpcError: 'boom' }, 'answered 500, a server error: boom'],
  ])('words a %i answer to initialize', (status, detail, reason) => {
    expect(statusReason(status, detail)).toBe(reason);
  });

  const failed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
  const code = (value: string) => Object.assign(new Error(value), { code: value });
  it.each([
    [failed(code('ECONNREFUSED')), 'connection refused'],
    [failed(new AggregateError([code('ECONNREFUSED'), code('ECONNREFUSED')])), 'connection refused'],
    [failed(code('ENOTFOUND')), 'host not found'],
    [failed(code('UND_ERR_CONNECT_TIMEOUT')), 'connection timed out'],
    [failed(code('DEPTH_ZERO_SELF_SIGNED_CERT')), 'TLS certificate not trusted (self-signed)'],
    [failed(code('UND_ERR_SOCKET')), 'connection closed before an answer'],
    [new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'no answer within 10 s'],
    [failed(code('EWHATEVER')), 'request failed (EWHATEVER)'],
    [failed(new AddressDenied('h', '10.0.0.1', 'private', 'probe')), 'request failed (PORTICO_PROBE_DENIED)'],
    [new Error('odd'), 'request failed'],
  ])('words the failure %s', (error, reason) => {
    expect(describeFetchFailure(error, 10_000)).toBe(reason);
  });
});
