import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiType, GatewayConfig } from '#portico/proto-ts';
import { ConfigStore, LAST_GOOD_FILE } from './store.js';

const key = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

const config = GatewayConfig.fromPartial({
  gatewayId: 'g1',
  apis: [
    {
      id: '7',
      name: 'demo',
      type: ApiType.API_TYPE_MCP,
      listener: { port: 8081, basePath: '/demo' },
      policies: [{ id: '1', type: 'http-basic-authentication', configurationJson: '{"password":"s3cret-value"}' }],
    },
  ],
});
const hash = 'c1a5f2e9d0b7b7b1e53d3bbcc7bd0cd0b5a3d8a0e0d1f7b8ffca5f0b5e29f4a1';

describe('ConfigStore (last good configuration on disk)', () => {
  let dir: string;
  let privateKey: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'portico-store-'));
    privateKey = key();
  });

  it('has nothing to load before the first save', async () => {
    expect(await new ConfigStore(dir, privateKey).load()).toBeUndefined();
  });

  it('round-trips revision, hash and config, in a 0600 file that does not show secrets, leaving no temp file', async () => {
    const store = new ConfigStore(dir, privateKey);
    const realHash = await saveAndHash(store, 3);
    const loaded = await new ConfigStore(dir, privateKey).load();
    expect(loaded).toEqual({ revision: 3, hash: realHash, config });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await readFile(store.path, 'utf8')).not.toContain('s3cret-value');
    expect(await readdir(dir)).toEqual([LAST_GOOD_FILE]);
  });

  it('creates a missing state directory (0700) and says the configuration is on disk', async () => {
    const stateDir = path.join(dir, 'state', 'gateway');
    const store = new ConfigStore(stateDir, privateKey);
    await expect(store.save(1, sha256(config), config)).resolves.toBe(true);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(stateDir)).toEqual([LAST_GOOD_FILE]);
    expect(await store.load()).toMatchObject({ revision: 1, config });
  });

  // A directory this process may not write (save resolves false, nothing written) is covered by
  // apps/control-plane/test/gateway-image.e2e-spec.ts, with a real gateway run as an unprivileged
  // user: file modes do not stop root, which these tests may run as.

  it('replaces the previous configuration', async () => {
    const store = new ConfigStore(dir, privateKey);
    await saveAndHash(store, 1);
    const second = GatewayConfig.fromPartial({ gatewayId: 'g1', apis: [] });
    const secondHash = sha256(second);
    await store.save(2, secondHash, second);
    expect(await store.load()).toEqual({ revision: 2, hash: secondHash, config: second });
  });

  it('refuses a file sealed with another registration key', async () => {
    await saveAndHash(new ConfigStore(dir, privateKey), 1);
    await expect(new ConfigStore(dir, key()).load()).rejects.toThrow(/cannot be opened with this registration's key/);
  });

  it('refuses a file whose content does not match its hash, and one that is not JSON', async () => {
    const store = new ConfigStore(dir, privateKey);
    await store.save(1, hash, config); // a hash that is not the content's
    await expect(store.load()).rejects.toThrow(`does not match its hash ${hash}`);
    await writeFile(store.path, '{ not json');
    await expect(store.load()).rejects.toThrow('is not valid JSON');
    await writeFile(store.path, JSON.stringify({ version: 9 }));
    await expect(store.load()).rejects.toThrow('has an unknown format');
  });
});

function sha256(c: GatewayConfig): string {
  return createHash('sha256').update(GatewayConfig.encode(c).finish()).digest('hex');
}

async function saveAndHash(store: ConfigStore, revision: number): Promise<string> {
  const h = sha256(config);
  await store.save(revision, h, config);
  return h;
}
