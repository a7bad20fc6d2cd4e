/**
 * How the control plane serves the built console: the page at / and /console/ with its security
 * headers and never cached, hashed assets cached for good, nothing outside the build directory,
 * and a plain 503 naming the fix when the console was not built.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';

describe('the console as the control plane serves it', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  it('answers the page at / and /console/ with a content security policy, never cached', async () => {
    for (const at of ['/', '/console/']) {
      const res = await fetch(`${cp.url}${at}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/);
    }
  });

  it('serves hashed assets as immutable, with validators, and HEAD', async () => {
    const page = await (await fetch(`${cp.url}/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page)![1]!;
    const res = await fetch(`${cp.url}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = res.headers.get('etag')!;
    const again = await request(`${cp.url}${script}`, { headers: { 'if-none-match': etag } });
    await again.body.dump();
    expect(again.statusCode).toBe(304);
    const head = await request(`${cp.url}${script}`, { method: 'HEAD' });
    await head.body.dump();
    expect(head.statusCode).toBe(200);
  });

  it('serves nothing outside the build directory', async () => {
    for (const at of [
      '/console/assets/../../../../package.json',
      '/console/assets/..%2f..%2f..%2f..%2fpackage.json',
      '/console/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/console/assets/missing.js',
      '/console/.vite/manifest.json',
    ]) {
      // undici sends the path as written (fetch would normalise the dots away)
      const res = await request(`${cp.url}${at}`);
      const body = await res.body.text();
      expect([403, 404]).toContain(res.statusCode);
      expect(body).not.toContain('"workspaces"');
    }
  });

  it('answers 503 naming the fix when the console is not built', async () => {
    const bare = await startControlPlane({ PORTICO_CONSOLE_DIR: await mkdtemp(path.join(tmpdir(), 'no-console-')) });
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
      expect((await fetch(`${bare.url}/openapi.json`)).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
