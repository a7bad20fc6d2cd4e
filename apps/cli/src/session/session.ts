/**
 * The session a command works in: a RestClient holding a bearer token, the control plane it calls
 * and the organization the token belongs to. openSession finds the credentials in this order:
 *
 * a. `PORTICO_TOKEN`: used as it is, against `--control-plane`, else `PORTICO_URL`;
 * b. `PORTICO_CLIENT_ID` and `PORTICO_CLIENT_SECRET` (both set): a connected app's
 *    client_credentials token, requested for this run only and never written to disk (the CI
 *    form), against `--control-plane`, else `PORTICO_URL`;
 * c. the profile `--profile`, else `PORTICO_PROFILE`, else `default`, that `portico login` saved
 *    (profiles.ts). Its token must not have expired; `--control-plane`, when given, must be the
 *    profile's control plane (PORTICO_URL is not compared: it is ambient, the option is a request).
 *
 * In a and b the organization is the token's, asked from GET /accounts/api/me; a profile stores
 * it. No credentials, refused ones or an expired token fail with EXIT.unauthenticated; a token
 * without a control plane to use it against is a UsageError.
 *
 * The token requests and the /me reading are exported too: `portico login` uses them.
 */
import { UsageError } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { checkProfileName, readProfile } from './profiles.js';
import { RestClient, RestError } from './rest-client.js';

export interface Session {
  client: RestClient;
  controlPlane: string;
  organizationId: string;
  /** the profile the credentials came from; null for PORTICO_TOKEN and PORTICO_CLIENT_ID */
  profile: string | null;
}

/** What a person or a pipeline logs in with. */
export type Credentials =
  { kind: 'user'; username: string; password: string } | { kind: 'client'; clientId: string; clientSecret: string };

export interface IssuedToken {
  token: string;
  /** ISO 8601, or null when the control plane did not say */
  expiresAt: string | null;
}

/** Who a token belongs to, as GET /accounts/api/me says. */
export interface TokenOwner {
  organizationId: string;
  principal: { kind: 'user' | 'client'; name: string };
}

const DEFAULT_PROFILE = 'default';

const NOT_LOGGED_IN = 'not logged in: run `portico login` or set PORTICO_TOKEN or PORTICO_CLIENT_ID/PORTICO_CLIENT_SECRET';

/** `url` checked to be http(s), without trailing slashes; `source` names where it came from. */
export function controlPlaneBase(url: string, source: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return url.replace(/\/+$/, '');
}

/** The profile a command means: `--profile`, else PORTICO_PROFILE, else `default` (a UsageError if not a valid name). */
export function profileName(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return checkProfileName(option || env.PORTICO_PROFILE || DEFAULT_PROFILE);
}

/**
 * A token for `credentials`: POST /accounts/login for a user, POST /accounts/api/v2/oauth2/token
 * (client_credentials) for a connected app. Refused credentials (401, 403) are EXIT.unauthenticated
 * with the control plane's message.
 */
export async function requestToken(controlPlane: string, credentials: Credentials): Promise<IssuedToken> {
  const client = new RestClient(controlPlane);
  let answer: { access_token?: unknown; expires_in?: unknown };
  try {
    answer =
      credentials.kind === 'user'
        ? await client.post('/accounts/login', { username: credentials.username, password: credentials.password })
        : await client.post('/accounts/api/v2/oauth2/token', {
            grant_type: 'client_credentials',
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
          });
  } catch (err) {
    if (err instanceof RestError && (err.status === 401 || err.status === 403)) {
      throw new CliError(EXIT.unauthenticated, err.message);
    }
    throw err;
  }
  if (typeof answer?.access_token !== 'string' || !answer.access_token) {
    throw new CliError(EXIT.failed, `the control plane at ${controlPlane} answered the login without an access_token`);
  }
  const expiresIn = answer.expires_in;
  return {
    token: answer.access_token,
    expiresAt: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
  };
}

/** The owner of `token`: `$.user` (organization.id, username) or `$.client` (org_id, client_id). */
export async function tokenOwner(controlPlane: string, token: string): Promise<TokenOwner> {
  const me = await new RestClient(controlPlane, token).get('/accounts/api/me');
  if (typeof me?.user?.organization?.id === 'string' && typeof me.user.username === 'string') {
    return { organizationId: me.user.organization.id, principal: { kind: 'user', name: me.user.username } };
  }
  if (typeof me?.client?.org_id === 'string' && typeof me.client.client_id === 'string') {
    return { organizationId: me.client.org_id, principal: { kind: 'client', name: me.client.client_id } };
  }
  throw new CliError(EXIT.failed, `GET /accounts/api/me of ${controlPlane} names no organization`);
}

/** Opens the session a command runs in; see the header for where the credentials come from. */
export async function openSession(
  options: { profile?: string; controlPlane?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Session> {
  const envControlPlane = (variable: string) => {
    if (options.controlPlane) return controlPlaneBase(options.controlPlane, '--control-plane');
    if (env.PORTICO_URL) return controlPlaneBase(env.PORTICO_URL, 'PORTICO_URL');
    throw new UsageError(`${variable} is set, but not the control plane to use it with: set PORTICO_URL or give --control-plane`);
  };
  const withToken = async (controlPlane: string, token: string): Promise<Session> => ({
    client: new RestClient(controlPlane, token),
    controlPlane,
    organizationId: (await tokenOwner(controlPlane, token)).organizationId,
    profile: null,
  });

  if (env.PORTICO_TOKEN) return withToken(envControlPlane('PORTICO_TOKEN'), env.PORTICO_TOKEN);
  if (env.PORTICO_CLIENT_ID && env.PORTICO_CLIENT_SECRET) {
    const controlPlane = envControlPlane('PORTICO_CLIENT_ID');
    const { token } = await requestToken(controlPlane, {
      kind: 'client',
      clientId: env.PORTICO_CLIENT_ID,
      clientSecret: env.PORTICO_CLIENT_SECRET,
    });
    return withToken(controlPlane, token);
  }

  const name = profileName(options.profile, env);
  const profile = await readProfile(name, env);
  if (!profile) throw new CliError(EXIT.unauthenticated, NOT_LOGGED_IN);
  if (profile.expiresAt && Date.parse(profile.expiresAt) <= Date.now()) {
    throw new CliError(
      EXIT.unauthenticated,
      `the token of profile "${name}" expired at ${profile.expiresAt}; run \`portico login\``,
    );
  }
  if (options.controlPlane && controlPlaneBase(options.controlPlane, '--control-plane') !== profile.controlPlane) {
    throw new CliError(
      EXIT.unauthenticated,
      `profile "${name}" is logged in to ${profile.controlPlane}, not ${options.controlPlane}: ` +
        `run \`portico login --control-plane ${options.controlPlane}\` or give another --profile`,
    );
  }
  return {
    client: new RestClient(profile.controlPlane, profile.token),
    controlPlane: profile.controlPlane,
    organizationId: profile.organizationId,
    profile: name,
  };
}
