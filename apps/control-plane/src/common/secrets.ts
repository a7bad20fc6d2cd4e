/**
 * Secret hashing (scrypt, libs/secret-hash, shared with gateways) and random identifiers.
 */
import { createHash, randomBytes } from 'node:crypto';

export { hashSecret, verifySecret } from '#portico/secret-hash';

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
