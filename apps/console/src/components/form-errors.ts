/**
 * A form's REST error, split the way the console shows it: each validation message at the place
 * of the form its body path names, and the error as a whole (`general`) only when no place shows
 * any of it, so nothing is said twice and nothing is lost. Each form says what its places are.
 */
import { ApiError } from '../api/errors';

export interface Placed<Place> {
  place: Place;
  message: string;
}

/**
 * The messages of `error` at their places: `placeOf` gives the place of a dotted body path
 * (`endpoint.uri`; undefined: none in this form), `byCode` the place an error code concerns (the
 * error's message goes there whole).
 */
export function placeErrors<Place>(
  error: unknown,
  placeOf: (field: string) => Place | undefined,
  byCode: Readonly<Record<string, Place>> = {},
): { placed: Placed<Place>[]; general: unknown } {
  if (!(error instanceof ApiError)) return { placed: [], general: error };
  const coded = error.code === undefined ? undefined : byCode[error.code];
  const placed = coded
    ? [{ place: coded, message: error.message }]
    : Object.entries(error.fields).flatMap(([field, message]) => {
        const place = placeOf(field);
        return place === undefined ? [] : [{ place, message }];
      });
  return { placed, general: placed.length > 0 ? undefined : error };
}

/**
 * For a form whose places are its `fields` (body fields, each also showing the messages of what
 * is inside it): `at` gives a field's message.
 */
export function formErrors(error: unknown, fields: readonly string[]) {
  const { general } = placeErrors(error, (field) => fields.find((name) => field === name || field.startsWith(`${name}.`)));
  const at = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  return { at, general };
}
