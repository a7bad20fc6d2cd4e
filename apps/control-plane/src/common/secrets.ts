/**
 * Password and secret hashing (scrypt from Node's crypto) and random identifiers.
 * Stored form: `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, opts: object) => Promise<Buffer>;
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

/** SHA-256 (hex) of a high-entropy token; tokens are looked up by this, never stored. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** 32 hex characters, the shape of Anypoint client ids. */
export function randomClientId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * A bearer token / registration token / client secret: 32 random bytes, base64url, never starting
 * with `-`. Such values go on command lines (`portico gateway register --token`, anypoint-cli's
 * `--client_secret`/`--bearer`), where a leading `-` reads as an option to many parsers; one draw
 * in 64 is redrawn (costing 0.02 of 256 bits).
 */
export function randomToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}
