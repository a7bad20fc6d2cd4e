import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSecretKey } from './secret-box.js';

describe('loadSecretKey', () => {
  const dataDir = () => mkdtemp(path.join(tmpdir(), 'portico-key-'));

  it('uses PORTICO_SECRET_KEY when set, without touching the data dir', async () => {
    const dir = await dataDir();
    const key = randomBytes(32);
    expect(await loadSecretKey(key.toString('base64'), dir)).toEqual(key);
    await expect(stat(path.join(dir, 'secret.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a PORTICO_SECRET_KEY that is not 32 bytes', async () => {
    await expect(loadSecretKey(randomBytes(16).toString('base64'), await dataDir())).rejects.toThrow(
      'PORTICO_SECRET_KEY must hold the base64 encoding of exactly 32 bytes (got 16)',
    );
  });

  it('creates <data dir>/secret.key once (0600) and reuses it, also when starts race', async () => {
    const dir = await dataDir();
    const keys = await Promise.all([loadSecretKey(undefined, dir), loadSecretKey(undefined, dir), loadSecretKey(undefined, dir)]);
    expect(keys[0]).toHaveLength(32);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    const file = path.join(dir, 'secret.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(keys[0]);
    expect(await loadSecretKey(undefined, dir)).toEqual(keys[0]);
  });

  it('refuses a damaged key file naming it', async () => {
    const dir = await dataDir();
    await writeFile(path.join(dir, 'secret.key'), 'short\n');
    await expect(loadSecretKey(undefined, dir)).rejects.toThrow(
      `${path.join(dir, 'secret.key')} must hold the base64 encoding of exactly 32 bytes`,
    );
  });
});
