/**
 * The REST API over HTTPS (PORTICO_TLS_CERT_FILE / PORTICO_TLS_KEY_FILE), as https-only clients
 * such as anypoint-cli-v4 reach it: a client that verifies the certificate against its CA.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestCa, type TestCa } from '#portico/testing';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../test/support/control-plane.js';
import { closeTestPrisma } from '../test/support/factories.js';

async function pemFiles(ca: TestCa, names: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'portico-tls-'));
  const leaf = await ca.issue({ commonName: 'control plane', names, usage: 'server' });
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await writeFile(cert, leaf.certificatePem);
  await writeFile(key, leaf.privateKeyPem);
  return { cert, key, dir };
}

describe('HTTPS REST API', () => {
  let ca: TestCa;
  let cp: TestControlPlane;

  beforeAll(async () => {
    ca = await createTestCa();
    const files = await pemFiles(ca, ['localhost', '127.0.0.1']);
    cp = await startControlPlane({ PORTICO_TLS_CERT_FILE: files.cert, PORTICO_TLS_KEY_FILE: files.key }, ca.certificatePem);
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  it('serves login and the API over TLS to a client that verifies the certificate', async () => {
    expect(cp.url).toMatch(/^https:\/\/localhost:\d+$/);
    const token = await cp.login(ADMIN_USERNAME, ADMIN_PASSWORD);
    const me = await cp.request('GET', '/accounts/api/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe(ADMIN_USERNAME);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(fetch(`${cp.url}/readyz`)).rejects.toThrow(/fetch failed/);
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const port = new URL(cp.url).port;
    const status = await new Promise<number | string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/readyz' }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
      req.end();
    });
    // The TLS server resets a connection that does not open with a TLS handshake.
    expect(status).toBe('ECONNRESET');
  });

  it('refuses to start with only one of the two files, naming the variables', async () => {
    const files = await pemFiles(ca, ['localhost']);
    await expect(startControlPlane({ PORTICO_TLS_CERT_FILE: files.cert })).rejects.toThrow(
      'PORTICO_TLS_CERT_FILE: set both PORTICO_TLS_CERT_FILE and PORTICO_TLS_KEY_FILE, or neither',
    );
  });

  it('refuses to start with an unreadable file or a key that does not match, naming the variable', async () => {
    const files = await pemFiles(ca, ['localhost']);
    const other = await pemFiles(ca, ['localhost']);
    await expect(
      startControlPlane({ PORTICO_TLS_CERT_FILE: path.join(files.dir, 'missing.pem'), PORTICO_TLS_KEY_FILE: files.key }),
    ).rejects.toThrow(`PORTICO_TLS_CERT_FILE: cannot read ${path.join(files.dir, 'missing.pem')}`);
    await expect(startControlPlane({ PORTICO_TLS_CERT_FILE: files.cert, PORTICO_TLS_KEY_FILE: other.key })).rejects.toThrow(
      'PORTICO_TLS_CERT_FILE / PORTICO_TLS_KEY_FILE are not a usable certificate and key',
    );
  });
});
