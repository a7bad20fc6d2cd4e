/**
 * The last line of defence for secrets in audit records. Records keep resources as the API shows
 * them, and those views already hide secrets (passwords and client secrets are never part of
 * them, policy configuration values the catalog marks `x-sensitive` and TLS private keys read
 * `********`). On top of that, any property whose name ends in password, secret, token, private
 * key or API key (optionally followed by Hash, Sealed or Sha256: `client_secret`,
 * `registrationToken`, `passwordHash`) is masked wherever it appears, so a view that grows such a
 * field cannot leak it into the trail. Ids are not secrets: `secretGroupId` ends in "Id" and stays.
 */
import { SECRET_MASK } from '#portico/policy-catalog';

const SECRET_NAME = /(password|passwd|secret|token|privatekey|apikey)(hash|sealed|sha256)?$/i;

/** Whether a property of this name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/[-_]/g, ''));
}

/** A copy of the JSON value `value` with the value of every secret-named property masked (null stays null). */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, child]) => [name, isSecretName(name) && child !== null ? SECRET_MASK : maskSecrets(child)]),
  );
}
