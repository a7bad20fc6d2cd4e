/**
 * Fields a client sends back as it read them: clients that GET a resource and PUT/PATCH the
 * same object (anypoint-cli-v4's `policy edit` and `api redeploy`, scripts editing a user) echo
 * ids, audit dates and other fields that cannot change. Each is accepted when it equals the
 * resource's own value (or is null) and refused with 400 naming it otherwise — never ignored.
 */
import { DomainError } from './domain-error.js';

/** Numbers and numeric strings compare as equal (`"42"` is `42`); objects by their JSON. */
function same(sent: unknown, actual: unknown): boolean {
  if (typeof sent === 'object' || typeof actual === 'object') return JSON.stringify(sent) === JSON.stringify(actual);
  return String(sent) === String(actual);
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Throws VALIDATION_FAILED (`immutable.validation`) for every field of `fields` that `body`
 * carries with a value other than `current`'s: `<field>: cannot be changed (it is <value>)`,
 * followed by `; <hint>` when the field has one (what to do instead).
 */
export function assertReadBack(body: object, current: object, fields: Readonly<Record<string, string | null>>): void {
  const sent = body as Record<string, unknown>;
  const actual = current as Record<string, unknown>;
  const details = Object.entries(fields)
    .filter(([field]) => sent[field] != null && !same(sent[field], actual[field]))
    .map(([field, hint]) => ({
      path: `/body/${field}`,
      message: `cannot be changed (it is ${display(actual[field])})${hint ? `; ${hint}` : ''}`,
      errorCode: 'immutable.validation',
    }));
  const first = details[0];
  if (first) throw new DomainError('VALIDATION_FAILED', `body.${first.path.slice('/body/'.length)}: ${first.message}`, details);
}
