/**
 * Where a failed policy write is shown. Validation issues go to the fields they name: those of
 * `configurationData.*` next to the configuration form's inputs, the others listed with the field
 * they name; a failure naming no field is one readable message: the REST message, or for the
 * codes seed 001 lists a sentence in the console's words.
 */
import { ApiError, messageOf } from '../../api/errors';
import { placeErrors } from '../../components/form-errors';

export interface PlacedFailure {
  /** Messages of `configurationData.<path>` in the shape the form library shows next to each field (`{a: {b: {__errors: [message]}}}`). */
  tree: Record<string, unknown>;
  /** The other validation messages, each after the field it names. */
  other: string[];
  /** What to show when no field is named; undefined when there is nothing to show. */
  message: string | undefined;
}

/** Every message has a place: its path in the configuration, or else its dotted field in the list. */
function placeOf(field: string): string[] | string {
  const [root, ...path] = field.split('.');
  return root === 'configurationData' && path.length > 0 ? path : field;
}

export function placeFailure(error: unknown): PlacedFailure {
  const { placed, general } = placeErrors(error, placeOf);
  const tree: Record<string, unknown> = {};
  const other: string[] = [];
  for (const { place, message } of placed) {
    if (typeof place === 'string') {
      other.push(`${place}: ${message}`);
      continue;
    }
    let node = tree;
    for (const key of place) node = (node[key] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(message);
  }
  return { tree, other, message: generalMessage(general) };
}

function generalMessage(error: unknown): string | undefined {
  if (!error) return undefined;
  if (!(error instanceof ApiError)) return messageOf(error);
  if (error.status === 403) return 'You need the Manage Policies permission in this environment to change its policies.';
  return error.message;
}

/** The 409 of applying a template the instance already has, in words (the Policy field shows it). */
export function duplicateMessage(error: unknown, templateName: string): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'POLICY_ALREADY_APPLIED') return undefined;
  return `${templateName} is already applied to this instance. Edit it in the policy chain, or apply a second one.`;
}
