/**
 * `portico login` and `portico logout`: keep a control plane's token in a profile (profiles.ts)
 * for the commands that follow (session.ts).
 *
 * login takes the password or client secret from stdin (`--password-stdin`,
 * `--client-secret-stdin`), else from PORTICO_PASSWORD / PORTICO_CLIENT_SECRET, else from a prompt
 * that does not echo when stdin is a terminal — never from the command line, where `ps` and shell
 * history would show it. Only the token it obtains is saved.
 *
 * logout revokes the profile's token (POST /accounts/api/logout) and removes the profile. A 401
 * there means the token is dead already; a token whose expiresAt has passed is not sent at all.
 * If the revocation fails otherwise (control plane unreachable, …) the profile is kept, so
 * running logout again can still revoke the token, and the exit code is the failure's. With no
 * such profile there is nothing to do: exit 0, and a note on stderr.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { profilesFile, readProfile, removeProfile, saveProfile } from '../session/profiles.js';
import { RestClient, RestError } from '../session/rest-client.js';
import { controlPlaneBase, type Credentials, profileName, requestToken, tokenOwner } from '../session/session.js';

/** Where login reads a secret from: stdin, a terminal when it is one. */
type SecretInput = NodeJS.ReadableStream & { isTTY?: boolean };

const LOGIN_USAGE = `Usage: portico login --control-plane <url> (--username <name> | --client-id <id>) [--profile <name>]

Logs in to a control plane and saves the token in a profile (profiles.json in $PORTICO_CONFIG_DIR,
else $XDG_CONFIG_HOME/portico, else ~/.config/portico; mode 0600). The password or client secret
is never saved, and never taken as a command-line value: it is read from stdin with
--password-stdin / --client-secret-stdin, else from PORTICO_PASSWORD / PORTICO_CLIENT_SECRET,
else asked for when stdin is a terminal.

Options:
  --control-plane <url>    base URL of the control plane's REST API, e.g. http://127.0.0.1:8080
                           (default: $PORTICO_URL; alias: --anypoint-url)
  --username <name>        log in as this user
  --client-id <id>         log in as this connected app (client_credentials grant)
  --password-stdin         read the user's password from stdin
  --client-secret-stdin    read the connected app's secret from stdin
  --profile <name>         the profile to save (default: $PORTICO_PROFILE, else "default")
  -h, --help               show this help
`;

const LOGOUT_USAGE = `Usage: portico logout [--profile <name>]

Revokes the token of a profile and removes the profile. When the control plane cannot be reached
the profile is kept, so that logout can be run again.

Options:
  --profile <name>         the profile (default: $PORTICO_PROFILE, else "default")
  -h, --help               show this help
`;

const LOGIN_OPTIONS = {
  'control-plane': { type: 'string' },
  'anypoint-url': { type: 'string' },
  username: { type: 'string' },
  'client-id': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'client-secret-stdin': { type: 'boolean' },
  profile: { type: 'string' },
} as const;

const LOGOUT_OPTIONS = { profile: { type: 'string' } } as const;

/** Where each kind of login finds its secret. */
const SECRET = {
  user: { what: 'password', option: 'password-stdin', variable: 'PORTICO_PASSWORD', prompt: 'Password' },
  client: { what: 'client secret', option: 'client-secret-stdin', variable: 'PORTICO_CLIENT_SECRET', prompt: 'Client secret' },
} as const;

/** Options people reach for that would put a secret on the command line. */
const SECRET_OPTIONS = /^--(password|client-secret)(=|$)/;

interface LoginArgs {
  controlPlane: string;
  profile: string;
  kind: Credentials['kind'];
  name: string;
  fromStdin: boolean;
}

function parseLogin(args: string[], env: NodeJS.ProcessEnv): LoginArgs {
  const secretOption = args.find((a) => SECRET_OPTIONS.test(a));
  if (secretOption) {
    throw new UsageError(
      `${secretOption.replace(/=.*/s, '')} is not an option: a secret is never taken on the command line ` +
        '(use --password-stdin / --client-secret-stdin, PORTICO_PASSWORD / PORTICO_CLIENT_SECRET, or the prompt)',
    );
  }
  const { values, positionals } = parseOptions(args, LOGIN_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const [url, alias] = [values['control-plane'], values['anypoint-url']];
  if (url !== undefined && alias !== undefined && url !== alias) {
    throw new UsageError('--control-plane and --anypoint-url name the same option; give one');
  }
  const given = url ?? alias;
  if (!given && !env.PORTICO_URL) throw new UsageError('--control-plane is required (or set PORTICO_URL)');
  const controlPlane = given ? controlPlaneBase(given, '--control-plane') : controlPlaneBase(env.PORTICO_URL!, 'PORTICO_URL');

  const { username, 'client-id': clientId } = values;
  if (username !== undefined && clientId !== undefined) throw new UsageError('give --username or --client-id, not both');
  if (!username && !clientId) throw new UsageError('--username or --client-id is required');
  const kind = username ? 'user' : 'client';
  const other = SECRET[kind === 'user' ? 'client' : 'user'].option;
  if (values[other]) throw new UsageError(`--${other} goes with --${kind === 'user' ? 'client-id' : 'username'}`);
  return {
    controlPlane,
    profile: profileName(values.profile, env),
    kind,
    name: (username ?? clientId)!,
    fromStdin: Boolean(values[SECRET[kind].option]),
  };
}

/** All of `input`, less one trailing newline (what `echo` and here-strings add). */
async function readAll(input: SecretInput): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks `question` on `prompt` and reads one line from the terminal `input` without echoing it. */
function askHidden(question: string, input: SecretInput, prompt: NodeJS.WritableStream): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: true });
  prompt.write(question);
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      prompt.write('\n');
      if (!answered) reject(new CliError(EXIT.failed, 'login cancelled'));
    });
    rl.question('', (answer) => {
      answered = true;
      resolve(answer);
      rl.close();
    });
  });
}

async function readSecret(args: LoginArgs, io: CliIo, env: NodeJS.ProcessEnv, input: SecretInput): Promise<string> {
  const { what, option, variable, prompt } = SECRET[args.kind];
  let secret: string;
  if (args.fromStdin) secret = await readAll(input);
  else if (env[variable]) secret = env[variable];
  else if (input.isTTY) secret = await askHidden(`${prompt} for ${args.name}: `, input, io.err);
  else throw new UsageError(`no ${what}: give it on stdin with --${option}, set ${variable}, or run in a terminal to be asked`);
  if (!secret) throw new UsageError(`the ${what} is empty`);
  return secret;
}

/** `input` and `env` are parameters so that a test may give its own; the CLI uses the process's. */
async function login(
  argv: string[],
  io: CliIo,
  input: SecretInput = process.stdin,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parseLogin(argv, env);
  const secret = await readSecret(args, io, env, input);
  const credentials: Credentials =
    args.kind === 'user'
      ? { kind: 'user', username: args.name, password: secret }
      : { kind: 'client', clientId: args.name, clientSecret: secret };
  const { token, expiresAt } = await requestToken(args.controlPlane, credentials);
  const { organizationId, principal } = await tokenOwner(args.controlPlane, token);
  await saveProfile(args.profile, { controlPlane: args.controlPlane, organizationId, token, expiresAt, principal }, env);
  io.out.write(
    `Logged in to ${args.controlPlane} as ${principal.name} (organization ${organizationId}); profile "${args.profile}".\n`,
  );
  return EXIT.ok;
}

async function logout(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseOptions(argv, LOGOUT_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const name = profileName(values.profile, env);
  const profile = await readProfile(name, env);
  if (!profile) {
    io.err.write(`not logged in: no profile "${name}" in ${profilesFile(env)}\n`);
    return EXIT.ok;
  }
  const expired = profile.expiresAt !== null && Date.parse(profile.expiresAt) <= Date.now();
  if (!expired) {
    try {
      await new RestClient(profile.controlPlane, profile.token).post('/accounts/api/logout');
    } catch (err) {
      if (!(err instanceof RestError && err.status === 401)) {
        const message = err instanceof Error ? err.message : String(err);
        throw new CliError(err instanceof CliError ? err.exitCode : EXIT.failed, `${message}; profile "${name}" kept`);
      }
    }
  }
  await removeProfile(name, env);
  io.out.write(`Logged out of ${profile.controlPlane}; profile "${name}" removed.\n`);
  return EXIT.ok;
}

export const loginCommand: Command = {
  path: ['login'],
  summary: 'log in to a control plane and save the token in a profile',
  usage: LOGIN_USAGE,
  run: login,
};

export const logoutCommand: Command = {
  path: ['logout'],
  summary: "revoke a profile's token and remove the profile",
  usage: LOGOUT_USAGE,
  run: logout,
};
