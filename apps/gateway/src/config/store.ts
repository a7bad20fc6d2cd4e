/**
 * The last good configuration on disk ("fail static"): after every ACK the gateway writes the
 * snapshot it now serves, and at boot it serves that file until the control plane answers, so
 * traffic keeps flowing while the control plane is unreachable.
 *
 * Contract: a write is atomic (temp file, fsync, rename, fsync of the directory), so a crash
 * leaves the previous file or the new one, never a mix. The snapshot carries policy secrets, so
 * the file is sealed (AES-256-GCM) with a key derived from the registration's private key: it is
 * useless without the registration it belongs to. A file that does not open, or whose hash does
 * not match its content, is reported and ignored.
 *
 * The directory is the gateway's state directory, which need not be the registration's: a
 * registration mounted read-only (a Kubernetes Secret, a `:ro` volume) is never written. A
 * missing directory is created (0700). One this process may not write (read-only file system, no
 * permission) does not fail a save: `save` resolves `false` and the caller keeps serving from
 * memory (and says so), because refusing the configuration would take the gateway down over a
 * file that only matters across restarts.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { GatewayConfig } from '#portico/proto-ts';

export const LAST_GOOD_FILE = 'last-good-config.json';

/** Errors that mean "this process may not write here", as opposed to a failing disk. */
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

export interface StoredConfig {
  revision: number;
  hash: string;
  config: GatewayConfig;
}

interface SealedFile {
  version: 1;
  revision: number;
  hash: string;
  /** base64url(iv | tag | ciphertext of the serialized GatewayConfig) */
  sealed: string;
}

export class ConfigStore {
  private readonly file: string;
  private readonly key: Buffer;

  /** `dir`: the state directory; `privateKeyPem`: the registration's private key (the sealing key is derived from it). */
  constructor(dir: string, privateKeyPem: string) {
    this.file = path.join(dir, LAST_GOOD_FILE);
    this.key = Buffer.from(hkdfSync('sha256', privateKeyPem, 'portico-gateway', 'last-good-config v1', 32));
  }

  get path(): string {
    return this.file;
  }

  /** The stored configuration; undefined when there is none. Throws naming the problem when it is unusable. */
  async load(): Promise<StoredConfig | undefined> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return undefined;
    let file: SealedFile;
    try {
      file = JSON.parse(text) as SealedFile;
    } catch {
      throw new Error(`${this.file} is not valid JSON`);
    }
    if (file.version !== 1 || typeof file.sealed !== 'string') throw new Error(`${this.file} has an unknown format`);
    const raw = Buffer.from(file.sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    let bytes: Buffer;
    try {
      bytes = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    } catch {
      throw new Error(`${this.file} cannot be opened with this registration's key`);
    }
    if (createHash('sha256').update(bytes).digest('hex') !== file.hash) {
      throw new Error(`${this.file} does not match its hash ${file.hash}`);
    }
    return { revision: file.revision, hash: file.hash, config: GatewayConfig.decode(bytes) };
  }

  /**
   * Replaces the stored configuration atomically. Resolves `true` once it is on disk, `false` when
   * the directory is not writable for this process (nothing written); rejects on other errors.
   */
  async save(revision: number, hash: string, config: GatewayConfig): Promise<boolean> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(GatewayConfig.encode(config).finish()), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    const body: SealedFile = { version: 1, revision, hash, sealed };
    let handle: FileHandle;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      handle = await open(temp, 'w', 0o600);
    } catch (err) {
      if (NOT_WRITABLE.has((err as NodeJS.ErrnoException).code ?? '')) return false;
      throw err;
    }
    try {
      await handle.writeFile(JSON.stringify(body));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    const dir = await open(path.dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return true;
  }
}
