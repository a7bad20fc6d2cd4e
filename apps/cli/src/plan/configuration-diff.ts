/**
 * Comparing a policy configuration the file declares with the one the control plane holds.
 * The control plane stores configurations with the template's defaults filled in and answers
 * sensitive values as `********`; so the declared one gets the same defaults (from the
 * template's JSON Schema, as the catalog publishes it) and a masked value counts as equal to
 * the declared secret — the control plane never answers a secret, so only `--rotate-secrets`
 * sends them again when nothing else changed.
 */
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';

const MASK = '********';

const ajv = new Ajv2019({ useDefaults: true, strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<object, ValidateFunction>();

/** A copy of `configuration` with the defaults of `schema` filled in (invalid input is left to the control plane). */
export function withDefaults(schema: Record<string, unknown>, configuration: Record<string, unknown>): Record<string, unknown> {
  let validate = compiled.get(schema);
  if (!validate) {
    const { $id: _id, $schema: _schema, ...rest } = schema;
    validate = ajv.compile(rest);
    compiled.set(schema, validate);
  }
  const copy = structuredClone(configuration);
  validate(copy);
  return copy;
}

/** One difference: where (`rateLimits[0].maximumRequests`), and both values as shown to a person. */
export interface FieldChange {
  path: string;
  from: string;
  to: string;
}

/**
 * The differences between `desired` and `current`. `secretPaths` (JSON pointers) are never
 * shown; where `current` is masked they count as equal unless `rotateSecrets`.
 */
export function configurationChanges(
  desired: unknown,
  current: unknown,
  secretPaths: readonly string[],
  rotateSecrets: boolean,
): FieldChange[] {
  const secrets = new Set(secretPaths);
  const changes: FieldChange[] = [];
  const walk = (d: unknown, c: unknown, pointer: string, shown: string) => {
    // A secret: declared by reference, or masked by the control plane (one written in the file itself).
    if (secrets.has(pointer) || c === MASK) {
      if (rotateSecrets || c !== MASK) changes.push({ path: shown, from: '(secret)', to: '(secret)' });
      return;
    }
    if (isObject(d) && isObject(c)) {
      for (const key of new Set([...Object.keys(d), ...Object.keys(c)])) {
        walk(d[key], c[key], `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, shown ? `${shown}.${key}` : key);
      }
      return;
    }
    if (Array.isArray(d) && Array.isArray(c) && d.length === c.length) {
      d.forEach((item, i) => walk(item, c[i], `${pointer}/${i}`, `${shown}[${i}]`));
      return;
    }
    if (sameJson(d, c)) return;
    // A value holding a secret is never shown, only that it changed.
    const holdsSecret = [...secrets].some((s) => s.startsWith(`${pointer}/`)) || JSON.stringify(c ?? null).includes(`"${MASK}"`);
    if (holdsSecret) changes.push({ path: shown, from: '(holds secrets)', to: '(changed)' });
    else changes.push({ path: shown, from: show(c), to: show(d) });
  };
  walk(desired, current, '', '');
  return changes;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    return keys.length === Object.keys(b).filter((k) => b[k] !== undefined).length && keys.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** A value on one line, as a diff shows it (absent: `(none)`). */
export function show(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
