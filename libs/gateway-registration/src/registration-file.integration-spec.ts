import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { createTestCa, type TestCa, testRegistration } from '../test/certificates.js';
import {
  readRegistration,
  type Registration,
  REGISTRATION_FILE,
  RegistrationFileError,
  writeRegistration,
} from './registration-file.js';

describe('registration.yaml', () => {
  let ca: TestCa;
  let registration: Registration;
  const tempDir = () => mkdtemp(path.join(tmpdir(), 'portico-registration-'));

  beforeAll(async () => {
    ca = await createTestCa();
    registration = await testRegistration(ca);
  });

  /** Writes `document` as the registration file of a fresh directory. */
  const dirWith = async (document: unknown) => {
    const dir = await tempDir();
    await writeFile(path.join(dir, REGISTRATION_FILE), typeof document === 'string' ? document : stringify(document));
    return dir;
  };

  const validDocument = () => ({
    apiVersion: 'gateway.portico.dev/v1',
    kind: 'Configuration',
    metadata: { name: 'registration' },
    spec: { platformConnection: { ...registration } },
  });

  it('round-trips through writeRegistration and readRegistration', async () => {
    const dir = await tempDir();
    const file = await writeRegistration(dir, registration);
    expect(file).toBe(path.join(dir, REGISTRATION_FILE));
    expect(await readRegistration(dir)).toEqual(registration);
  });

  it('writes the documented layout, PEMs as block scalars, with mode 0600 and no temp file left', async () => {
    const dir = await tempDir();
    const file = await writeRegistration(dir, registration);
    const text = await readFile(file, 'utf8');
    expect(parse(text)).toEqual(validDocument());
    expect(text).toMatch(/^apiVersion: gateway\.portico\.dev\/v1\nkind: Configuration\nmetadata:\n {2}name: registration\n/);
    expect(text).toMatch(/\n {4}certificate: \|/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([REGISTRATION_FILE]);
  });

  it('creates a missing output directory with mode 0700', async () => {
    const dir = path.join(await tempDir(), 'conf.d', 'gateway');
    await writeRegistration(dir, registration);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await readRegistration(dir)).agentId).toBe(registration.agentId);
  });

  it('refuses to overwrite an existing file and leaves it untouched', async () => {
    const dir = await dirWith('keep me\n');
    const file = path.join(dir, REGISTRATION_FILE);
    const error = await writeRegistration(dir, registration).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RegistrationFileError);
    expect(error).toMatchObject({ reason: 'exists', message: `file already exists: ${file}` });
    expect(await readFile(file, 'utf8')).toBe('keep me\n');
    expect(await readdir(dir)).toEqual([REGISTRATION_FILE]);
  });

  it('lets exactly one of two concurrent writes into one directory win', async () => {
    const dir = await tempDir();
    const other = await testRegistration(ca, 'edge-2');
    const results = await Promise.allSettled([writeRegistration(dir, registration), writeRegistration(dir, other)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const read = await readRegistration(dir);
    expect([registration.agentId, other.agentId]).toContain(read.agentId);
    expect(await readdir(dir)).toEqual([REGISTRATION_FILE]);
  });

  it('refuses to write a registration that would not read back, writing nothing', async () => {
    const dir = await tempDir();
    const stranger = await testRegistration(ca);
    const error = await writeRegistration(dir, { ...registration, privateKey: stranger.privateKey }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      reason: 'malformed',
      message: `${path.join(dir, REGISTRATION_FILE)}: spec.platformConnection.privateKey: does not belong to the certificate`,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('says the registration configuration is missing when there is no file', async () => {
    const dir = await tempDir();
    await expect(readRegistration(dir)).rejects.toMatchObject({
      reason: 'missing',
      message: `the registration configuration is missing: ${path.join(dir, REGISTRATION_FILE)}`,
    });
  });

  describe('names what is wrong in a malformed file', () => {
    const field = (name: string, value: unknown) => {
      const doc = validDocument();
      (doc.spec.platformConnection as Record<string, unknown>)[name] = value;
      return doc;
    };
    const cases: [string, () => Promise<unknown>, string][] = [
      ['text that is not YAML', async () => 'spec: [unclosed', 'not valid YAML: '],
      ['an empty file', async () => '', 'document: '],
      ['another apiVersion', async () => ({ ...validDocument(), apiVersion: 'v2' }), 'apiVersion: '],
      ['another kind', async () => ({ ...validDocument(), kind: 'Gateway' }), 'kind: '],
      ['a missing platformConnection', async () => ({ ...validDocument(), spec: {} }), 'spec.platformConnection: '],
      ['an agentId that is not a UUID', async () => field('agentId', 'gw-1'), 'spec.platformConnection.agentId: '],
      ['a missing name', async () => field('name', undefined), 'spec.platformConnection.name: '],
      [
        'a controlPlaneUrl that is no URL',
        async () => field('controlPlaneUrl', 'portico'),
        'spec.platformConnection.controlPlaneUrl: ',
      ],
      [
        'a syncAddress without port',
        async () => field('syncAddress', 'portico.example.com'),
        'spec.platformConnection.syncAddress: must be host:port',
      ],
      [
        'a certificate that is not PEM',
        async () => field('certificate', 'MIIB...'),
        'spec.platformConnection.certificate: must be a PEM certificate',
      ],
      [
        'a private key that is not PKCS#8',
        async () => field('privateKey', '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n'),
        'spec.platformConnection.privateKey: must be a PEM PKCS#8 private key',
      ],
      [
        'a private key of another certificate',
        async () => field('privateKey', (await testRegistration(ca)).privateKey),
        'spec.platformConnection.privateKey: does not belong to the certificate',
      ],
      [
        'a certificate another CA issued',
        async () => field('caCertificate', (await createTestCa()).certificatePem),
        'spec.platformConnection.certificate: is not signed by caCertificate',
      ],
      [
        'an expiry that is not ISO 8601',
        async () => field('certificateExpiresAt', 'next year'),
        'spec.platformConnection.certificateExpiresAt: ',
      ],
    ];
    it.each(cases)('%s', async (_label, content, message) => {
      const dir = await dirWith(await content());
      const error = await readRegistration(dir).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(RegistrationFileError);
      expect((error as RegistrationFileError).reason).toBe('malformed');
      expect((error as Error).message.startsWith(`${path.join(dir, REGISTRATION_FILE)}: ${message}`)).toBe(true);
    });
  });
});
