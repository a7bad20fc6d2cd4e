/**
 * Portico as an OAuth 2.0 client of an MCP backend's authorization server (gateway-managed OAuth),
 * and of the OpenID provider users sign in at first, on oauth4webapi: RFC 8414 discovery, RFC 7591
 * dynamic registration, the authorization-code flow with PKCE (S256) and RFC 8707 resource
 * indicators, refresh, RFC 7009 revocation, and an OpenID Connect sign-in's subject.
 *
 * Every connection goes through the address policy of the deny list it is given (the control
 * plane's PORTICO_PROBE_DENY): the authorization server is a URL an operator or a probed server
 * chose. What failed is said without the network's details (addresses, ports, errno), so an
 * answer cannot be used to map the network behind Portico.
 * Plain http is accepted for loopback hosts only (a local authorization server); anything else
 * must be https.
 */
import * as oauth from 'oauth4webapi';
import { AddressDenied, AddressPolicy, outboundFetch } from '#portico/outbound-address';

const TIMEOUT_MS = 10_000;

/** What Portico needs of an authorization server, as discovered or configured. */
export interface AuthorizationServerEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  registrationEndpoint?: string;
  codeChallengeMethods?: string[];
  scopesSupported?: string[];
}

/** Portico as a client of one authorization server: its endpoints and Portico's credentials there. */
export interface OAuthClient {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  clientId: string;
  clientSecret?: string;
}

/** The upstream-oauth policy's configuration (libs/policy-catalog security.templates.ts), secret opened. */
export interface OAuthClientSettings extends OAuthClient {
  scopes: string[];
  /** RFC 8707 resource: the backend's URL unless configured */
  resource: string;
}

/** One authorization request (code flow, PKCE S256). */
export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  codeVerifier: string;
  scopes: string[];
  /** RFC 8707 */
  resource?: string;
  /** OpenID Connect: the user expected to sign in */
  loginHint?: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date | undefined;
  scope: string | undefined;
}

/** The authorization server refused or failed; `grantInvalid` when the refresh token no longer works. */
export class AuthorizationServerError extends Error {
  override readonly name = 'AuthorizationServerError';
  constructor(
    message: string,
    readonly grantInvalid = false,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** ID token algorithms accepted (the asymmetric ones: a provider may use any of them). */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export class AuthorizationServerClient {
  private readonly fetch: typeof fetch;

  /** `deny`: the address policy's entries (none: any address). */
  constructor(deny: readonly string[]) {
    this.fetch = outboundFetch(deny.length ? new AddressPolicy(deny) : undefined, TIMEOUT_MS);
  }

  /** RFC 8414 metadata of `issuer` (then OpenID Connect discovery), checked to name that issuer. */
  async discover(issuer: string): Promise<AuthorizationServerEndpoints> {
    const url = new URL(issuer);
    let lastError: unknown;
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      try {
        const server = await oauth.processDiscoveryResponse(
          url,
          await oauth.discoveryRequest(url, { ...this.options(url), algorithm }),
        );
        if (!server.authorization_endpoint || !server.token_endpoint) {
          throw new AuthorizationServerError(`the metadata of ${issuer} names no authorization_endpoint or token_endpoint`);
        }
        return {
          issuer: server.issuer,
          authorizationEndpoint: server.authorization_endpoint,
          tokenEndpoint: server.token_endpoint,
          revocationEndpoint: server.revocation_endpoint,
          registrationEndpoint: server.registration_endpoint,
          codeChallengeMethods: server.code_challenge_methods_supported,
          scopesSupported: server.scopes_supported,
        };
      } catch (err) {
        lastError = err;
      }
    }
    throw this.failure(`cannot read the authorization server metadata of ${issuer}`, lastError);
  }

  /**
   * RFC 7591: registers Portico with `redirectUri`; a confidential client when the server issues a
   * secret. `refresh`: whether Portico will refresh tokens there (not for a sign-in).
   */
  async register(
    server: AuthorizationServerEndpoints,
    redirectUri: string,
    clientName: string,
    scopes: string[],
    refresh = true,
  ) {
    if (!server.registrationEndpoint) {
      throw new AuthorizationServerError(`${server.issuer} offers no dynamic client registration; give a clientId`);
    }
    try {
      const response = await oauth.dynamicClientRegistrationRequest(
        this.server(server),
        {
          client_name: clientName,
          redirect_uris: [redirectUri],
          grant_types: refresh ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          ...(scopes.length ? { scope: scopes.join(' ') } : {}),
        },
        this.options(new URL(server.registrationEndpoint)),
      );
      const client = await oauth.processDynamicClientRegistrationResponse(response);
      return {
        clientId: client.client_id,
        clientSecret: typeof client.client_secret === 'string' ? client.client_secret : undefined,
      };
    } catch (err) {
      throw this.failure(`dynamic client registration at ${server.registrationEndpoint} failed`, err);
    }
  }

  /** The URL the user opens to sign in or to authorize Portico. */
  async authorizationUrl(client: OAuthClient, request: AuthorizationRequest): Promise<string> {
    const url = new URL(client.authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(request.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', request.state);
    if (request.resource) url.searchParams.set('resource', request.resource);
    if (request.scopes.length) url.searchParams.set('scope', request.scopes.join(' '));
    if (request.loginHint) url.searchParams.set('login_hint', request.loginHint);
    return url.href;
  }

  /** Trades the callback's code for tokens (the state was already matched by the caller). */
  async exchangeCode(
    settings: OAuthClientSettings,
    callback: URLSearchParams,
    state: string,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<IssuedTokens> {
    try {
      return issued(
        await this.codeGrant(settings, callback, state, redirectUri, codeVerifier, { resource: settings.resource }, false),
      );
    } catch (err) {
      throw this.failure('the authorization could not be completed', err);
    }
  }

  /**
   * Trades a sign-in's code for an ID token (OpenID Connect) and answers its `sub`. The token
   * comes straight from the token endpoint, so its issuer, audience and lifetime are checked and
   * the connection stands for its signature (OpenID Connect Core 3.1.3.7).
   */
  async signedInSubject(
    client: OAuthClient,
    callback: URLSearchParams,
    state: string,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<string> {
    try {
      const response = await this.codeGrant(client, callback, state, redirectUri, codeVerifier, {}, true);
      return oauth.getValidatedIdTokenClaims(response)!.sub;
    } catch (err) {
      throw this.failure('the sign-in could not be completed', err);
    }
  }

  private async codeGrant(
    client: OAuthClient,
    callback: URLSearchParams,
    state: string,
    redirectUri: string,
    codeVerifier: string,
    additionalParameters: Record<string, string>,
    requireIdToken: boolean,
  ) {
    const as = this.server(client);
    const metadata = { client_id: client.clientId };
    const parameters = oauth.validateAuthResponse(as, metadata, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      metadata,
      this.clientAuth(client),
      parameters,
      redirectUri,
      codeVerifier,
      { ...this.options(new URL(client.tokenEndpoint)), additionalParameters },
    );
    return oauth.processAuthorizationCodeResponse(as, metadata, response, { requireIdToken });
  }

  async refresh(settings: OAuthClientSettings, refreshToken: string): Promise<IssuedTokens> {
    const as = this.server(settings);
    const client = { client_id: settings.clientId };
    try {
      const response = await oauth.refreshTokenGrantRequest(as, client, this.clientAuth(settings), refreshToken, {
        ...this.options(new URL(settings.tokenEndpoint)),
        additionalParameters: { resource: settings.resource },
      });
      const tokens = issued(await oauth.processRefreshTokenResponse(as, client, response));
      return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
    } catch (err) {
      throw this.failure('the token could not be refreshed', err);
    }
  }

  /** RFC 7009; a server without a revocation endpoint has nothing to be told. */
  async revoke(settings: OAuthClient, token: string): Promise<void> {
    if (!settings.revocationEndpoint) return;
    const as = this.server(settings);
    try {
      const response = await oauth.revocationRequest(
        as,
        { client_id: settings.clientId },
        this.clientAuth(settings),
        token,
        this.options(new URL(settings.revocationEndpoint)),
      );
      await oauth.processRevocationResponse(response);
    } catch (err) {
      throw this.failure('the token could not be revoked', err);
    }
  }

  private server(
    endpoints: Omit<AuthorizationServerEndpoints, 'codeChallengeMethods' | 'scopesSupported'>,
  ): oauth.AuthorizationServer {
    return {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorizationEndpoint,
      token_endpoint: endpoints.tokenEndpoint,
      revocation_endpoint: endpoints.revocationEndpoint,
      registration_endpoint: endpoints.registrationEndpoint,
      id_token_signing_alg_values_supported: ID_TOKEN_ALGORITHMS,
    };
  }

  private clientAuth(settings: OAuthClient): oauth.ClientAuth {
    return settings.clientSecret ? oauth.ClientSecretBasic(settings.clientSecret) : oauth.None();
  }

  private options(url: URL) {
    return {
      [oauth.customFetch]: this.fetch,
      [oauth.allowInsecureRequests]: url.protocol === 'http:' && LOOPBACK.has(url.hostname),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
  }

  /** An AuthorizationServerError naming what failed and the server's own error code, never a token. */
  private failure(doing: string, err: unknown): AuthorizationServerError {
    if (err instanceof AuthorizationServerError) return err;
    if (err instanceof oauth.ResponseBodyError || err instanceof oauth.AuthorizationResponseError) {
      const description = err.error_description ? `: ${err.error_description}` : '';
      return new AuthorizationServerError(`${doing}: ${err.error}${description}`, err.error === 'invalid_grant');
    }
    if (err instanceof oauth.OperationProcessingError) return new AuthorizationServerError(`${doing}: ${err.message}`);
    const denied = causes(err).some((cause) => cause instanceof AddressDenied);
    return new AuthorizationServerError(
      `${doing}: ${denied ? 'its address is not allowed (PORTICO_PROBE_DENY)' : 'the server could not be reached'}`,
    );
  }
}

/** `err` and the errors it was caused by. */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && chain.length < 8; e = (e as { cause?: unknown } | null)?.cause) chain.push(e);
  return chain;
}

function issued(response: oauth.TokenEndpointResponse): IssuedTokens {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresAt: typeof response.expires_in === 'number' ? new Date(Date.now() + response.expires_in * 1000) : undefined,
    scope: response.scope,
  };
}
