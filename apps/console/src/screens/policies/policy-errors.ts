/**
 * Where a failed policy write is shown. Validation issues go to the fields they name (the form
 * puts `configurationData.*` next to its inputs); a failure naming no field is one readable
 * message: the REST message, or for the codes seed 001 lists a sentence in the console's words.
 */
import { ApiError, messageOf } from '../../api/errors';

export interface PlacedFailure {
  /** Messages by dotted body path (`configurationData.rules.0.value`). */
  fields: Readonly<Record<string, string>>;
  /** What to show when no field is named; undefined when there is nothing to show. */
  message: string | undefined;
}

const NONE: PlacedFailure = { fields: {}, message: undefined };

export function placeFailure(error: unknown): PlacedFailure {
  if (!error) return NONE;
  if (!(error instanceof ApiError)) return { fields: {}, message: messageOf(error) };
  if (Object.keys(error.fields).length > 0) return { fields: error.fields, message: undefined };
  if (error.status === 403)
    return { fields: {}, message: 'You need the Manage Policies permission in this environment to change its policies.' };
  return { fields: {}, message: error.message };
}

/** The 409 of applying a template the instance already has, in words (the Policy field shows it). */
export function duplicateMessage(error: unknown, templateName: string): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'POLICY_ALREADY_APPLIED') return undefined;
  return `${templateName} is already applied to this instance. Edit it in the policy chain, or apply a second one.`;
}
