/**
 * Encryption at rest of secrets (sensitive policy values, the CA private key) (AES-256-GCM, node:crypto).
 *
 * Key: PORTICO_SECRET_KEY (base64 of 32 bytes) when set, else `<data dir>/secret.key`, created on
 * first start with mode 0600. Losing the key makes stored secrets unreadable: operators running
 * several control planes must give them the same key. Sealed form: `enc:v1:<base64url(iv|tag|ciphertext)>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ENV, type Env } from '../config/env.js';

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function decodeKey(encoded: string, origin: string): Buffer {
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`${origin} must hold the base64 encoding of exactly ${KEY_BYTES} bytes (got ${key.length})`);
  return key;
}

/** The key from `PORTICO_SECRET_KEY`, else from `<dataDir>/secret.key`, which is created (0600) when missing. */
export async function loadSecretKey(variable: string | undefined, dataDir: string): Promise<Buffer> {
  if (variable) return decodeKey(variable, 'PORTICO_SECRET_KEY');
  const file = path.join(dataDir, 'secret.key');
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) return decodeKey(existing, file);
  await mkdir(dataDir, { recursive: true });
  // Written aside, then linked into place: link() is atomic and fails when the file exists, so
  // control planes starting together on one data dir all end up with the first one's key, and
  // none reads a half-written file.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
  try {
    await chmod(draft, 0o600);
    await link(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(draft);
  }
  return decodeKey(await readFile(file, 'utf8'), file);
}

@Injectable()
export class SecretBox implements OnModuleInit {
  private key?: Buffer;

  constructor(@Inject(ENV) private readonly env: Env) {}

  async onModuleInit(): Promise<void> {
    this.key = await loadSecretKey(this.env.PORTICO_SECRET_KEY, this.env.dataDir);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.requireKey(), iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.requireKey(), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('cannot decrypt a stored secret: was PORTICO_SECRET_KEY or secret.key changed?');
    }
  }

  private requireKey(): Buffer {
    if (!this.key) throw new Error('SecretBox used before module init');
    return this.key;
  }
}
