/**
 * `portico gateway register`: registers a gateway in connected mode (Flex: `flexctl registration
 * create`). Creates the key pair locally, sends only the CSR with the one-time token, and writes
 * the returned certificate with the key into `<dir>/registration.yaml` — the file the gateway
 * runs from. Refuses an existing registration.yaml before contacting the control plane, so a
 * token is not spent on a registration that could not be saved.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import {
  createKeyAndCsr,
  type Registration,
  RegistrationFileError,
  registrationPath,
  writeRegistration,
} from '#portico/gateway-registration';
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { RestClient } from '../session/rest-client.js';

const REGISTRATIONS_PATH = '/amc/registration-facade/api/v1/registrations';

const USAGE = `Usage: portico gateway register --token <token> --control-plane <url> --name <name> [--out <dir>]

Registers a gateway with a control plane and writes <dir>/registration.yaml (mode 0600): the
gateway's id, its client certificate and private key, and where to reach the control plane.
The file is a credential. Every replica of the gateway runs from the same file.

Options:
  --token <token>          one-time registration token (POST .../gatewaytokens)
  --control-plane <url>    base URL of the control plane's REST API, e.g. http://127.0.0.1:8080
                           (alias: --anypoint-url)
  --name <name>            gateway name, unique in the token's environment; may also be given as
                           the last argument, as with flexctl
  --out <dir>              directory to write registration.yaml to (default: the current
                           directory; alias: --output-directory)
  -h, --help               show this help
`;

const OPTIONS = {
  token: { type: 'string' },
  'control-plane': { type: 'string' },
  'anypoint-url': { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
  'output-directory': { type: 'string' },
} as const;

interface RegisterArgs {
  token: string;
  controlPlane: string;
  name: string;
  dir: string;
}

/** The 201 body of POST /amc/registration-facade/api/v1/registrations. */
interface RegistrationAnswer {
  gatewayId: string;
  name: string;
  organizationId: string;
  environmentId: string;
  syncAddress: string;
  certificate: string;
  caCertificate: string;
  certificateExpiresAt: string;
}

/** One of two spellings of an option; both only when they agree. */
function either(values: Record<string, string | undefined>, a: string, b: string): string | undefined {
  const [first, second] = [values[a], values[b]];
  if (first !== undefined && second !== undefined && first !== second) {
    throw new UsageError(`--${a} and --${b} name the same option; give one`);
  }
  return first ?? second;
}

function parse(args: string[]): RegisterArgs {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (values.name !== undefined && positionals[0] !== undefined && values.name !== positionals[0]) {
    throw new UsageError('give the gateway name once: --name <name> or as the last argument');
  }
  const token = values.token;
  const controlPlane = either(values, 'control-plane', 'anypoint-url');
  const name = values.name ?? positionals[0];
  if (!token) throw new UsageError('--token is required');
  if (!controlPlane) throw new UsageError('--control-plane is required');
  if (!name) throw new UsageError('the gateway name is required (--name <name>)');
  let url: URL;
  try {
    url = new URL(controlPlane);
  } catch {
    throw new UsageError(`--control-plane must be an http(s) URL, got ${JSON.stringify(controlPlane)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--control-plane must be an http(s) URL, got ${JSON.stringify(controlPlane)}`);
  }
  return {
    token,
    controlPlane: controlPlane.replace(/\/+$/, ''),
    name,
    dir: path.resolve(either(values, 'out', 'output-directory') ?? '.'),
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function register(args: string[], io: CliIo): Promise<number> {
  const { token, controlPlane, name, dir } = parse(args);
  const file = registrationPath(dir);
  if (await exists(file)) throw new Error(`file already exists: ${file}`);

  const { privateKeyPem, csrPem } = await createKeyAndCsr(name);
  const answer = (await new RestClient(controlPlane).post(REGISTRATIONS_PATH, {
    registrationToken: token,
    name,
    csr: csrPem,
  })) as RegistrationAnswer;
  const registration: Registration = {
    agentId: answer.gatewayId,
    name: answer.name,
    organizationId: answer.organizationId,
    environmentId: answer.environmentId,
    controlPlaneUrl: controlPlane,
    syncAddress: answer.syncAddress,
    certificate: answer.certificate,
    privateKey: privateKeyPem,
    caCertificate: answer.caCertificate,
    certificateExpiresAt: answer.certificateExpiresAt,
  };
  try {
    await writeRegistration(dir, registration);
  } catch (err) {
    if (err instanceof RegistrationFileError && err.reason === 'malformed') {
      throw new Error(`the control plane answered with an unusable registration: ${err.message}`);
    }
    throw err;
  }
  io.out.write(
    `Registered gateway ${registration.name} (id ${registration.agentId}) in environment ${registration.environmentId}.\n` +
      `Wrote ${file}; start the gateway from ${dir}.\n`,
  );
  return 0;
}

export const gatewayRegisterCommand: Command = {
  path: ['gateway', 'register'],
  summary: 'register a gateway with a control plane and write its registration.yaml',
  usage: USAGE,
  run: register,
};
