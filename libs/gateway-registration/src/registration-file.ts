/**
 * `registration.yaml`: what `portico gateway register` writes and the gateway runs from (the
 * Flex Gateway file of the same name, contract §9.3). It holds the gateway's credentials (client
 * certificate and private key), so it is written with mode 0600 and never overwritten.
 *
 * ```yaml
 * apiVersion: gateway.portico.dev/v1
 * kind: Configuration
 * metadata:
 *   name: registration
 * spec:
 *   platformConnection:
 *     agentId: <gateway (target) id>
 *     name: <gateway name>
 *     organizationId, environmentId, controlPlaneUrl, syncAddress
 *     certificate: |   (PEM, issued by the control plane's CA)
 *     privateKey: |    (PEM, PKCS#8)
 *     caCertificate: | (PEM)
 *     certificateExpiresAt: <ISO 8601>
 * ```
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

/** File name of the registration inside the directory the gateway runs from. */
export const REGISTRATION_FILE = 'registration.yaml';

const API_VERSION = 'gateway.portico.dev/v1';

/** Whether `read` accepts the PEM (Node's own parsers decide what is well-formed). */
function parses(read: (pem: string) => unknown): (pem: string) => boolean {
  return (pem) => {
    try {
      read(pem);
      return true;
    } catch {
      return false;
    }
  };
}

const certificatePem = z.string().refine(
  parses((pem) => new X509Certificate(pem)),
  'must be a PEM certificate (-----BEGIN CERTIFICATE-----)',
);

const privateKeyPem = z
  .string()
  .refine(
    (pem) => pem.trimStart().startsWith('-----BEGIN PRIVATE KEY-----') && parses(createPrivateKey)(pem),
    'must be a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----)',
  );

/** The platform connection of a registered gateway: everything it needs to reach its control plane. */
export const registrationSchema = z
  .object({
    /** the gateway (target) id: deployments name it as `targetId` */
    agentId: z.uuid(),
    name: z.string().min(1),
    organizationId: z.uuid(),
    environmentId: z.uuid(),
    /** base URL of the control plane's REST API the gateway registered with */
    controlPlaneUrl: z.url({ protocol: /^https?$/ }),
    /** host:port of the control plane's gRPC sync service (mTLS) */
    syncAddress: z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/, 'must be host:port'),
    certificate: certificatePem,
    privateKey: privateKeyPem,
    caCertificate: certificatePem,
    certificateExpiresAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((r, ctx) => {
    // Only when each part parsed: a mismatch found here is the pair itself, not a bad PEM.
    let certificate: X509Certificate;
    let ca: X509Certificate;
    try {
      certificate = new X509Certificate(r.certificate);
      ca = new X509Certificate(r.caCertificate);
      if (!certificate.checkPrivateKey(createPrivateKey(r.privateKey))) {
        ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'does not belong to the certificate' });
      }
    } catch {
      return;
    }
    if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
      ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is not signed by caCertificate' });
    }
  });

/** A gateway registration (the `spec.platformConnection` of registration.yaml). */
export type Registration = z.output<typeof registrationSchema>;

/** The whole registration.yaml document. */
export const registrationFileSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Configuration'),
  metadata: z.object({ name: z.literal('registration') }),
  spec: z.object({ platformConnection: registrationSchema }),
});

/** Why a registration could not be read or written; `message` names the file and the field. */
export class RegistrationFileError extends Error {
  constructor(
    readonly reason: 'missing' | 'malformed' | 'exists',
    message: string,
  ) {
    super(message);
    this.name = 'RegistrationFileError';
  }
}

/** Path of the registration file in `dir`. */
export function registrationPath(dir: string): string {
  return path.resolve(dir, REGISTRATION_FILE);
}

/**
 * Reads and checks `<dir>/registration.yaml`: every field, that the private key belongs to the
 * certificate and that the certificate was issued by the CA in the file.
 *
 * @throws RegistrationFileError `missing` ("the registration configuration is missing: <path>")
 *   or `malformed` ("<path>: spec.platformConnection.<field>: <problem>")
 */
export async function readRegistration(dir: string): Promise<Registration> {
  const file = registrationPath(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RegistrationFileError('missing', `the registration configuration is missing: ${file}`);
    }
    throw err;
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw new RegistrationFileError('malformed', `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return checked(registrationFileSchema, document, file).spec.platformConnection;
}

/**
 * Writes `<dir>/registration.yaml` (mode 0600), creating `dir` (0700) when needed, and returns
 * its path. Never overwrites: the file is written aside, synced and hard-linked into place, which
 * is atomic and fails when the name exists, so no reader ever sees half a file and two
 * registrations into one directory cannot clobber each other.
 *
 * @throws RegistrationFileError `exists` ("file already exists: <path>"), or `malformed` when
 *   `registration` does not pass the checks readRegistration makes (the file is then not written)
 */
export async function writeRegistration(dir: string, registration: Registration): Promise<string> {
  const file = registrationPath(dir);
  const document: z.input<typeof registrationFileSchema> = {
    apiVersion: API_VERSION,
    kind: 'Configuration',
    metadata: { name: 'registration' },
    spec: { platformConnection: registration },
  };
  checked(registrationFileSchema, document, file);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(draft, 'wx', 0o600);
  try {
    try {
      // open() applies the umask; the file must be exactly owner read/write.
      await handle.chmod(0o600);
      await handle.writeFile(stringify(document, { lineWidth: 0 }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RegistrationFileError('exists', `file already exists: ${file}`);
    }
    throw err;
  } finally {
    await unlink(draft);
  }
  return file;
}

/** `value` parsed by `schema`, or a `malformed` error naming `file` and the first bad field. */
function checked<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'document';
  throw new RegistrationFileError('malformed', `${file}: ${where}: ${issue?.message ?? 'invalid'}`);
}
