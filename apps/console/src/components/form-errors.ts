/**
 * A form's REST error, split the way the console shows it: each validation message at the field
 * it names (`at`), and the error as a whole (`general`) only when no field of the form shows it,
 * so nothing is said twice and nothing is lost.
 */
import { ApiError } from '../api/errors';

export function formErrors(error: unknown, fields: readonly string[]) {
  const rest = error instanceof ApiError ? error : undefined;
  const at = (field: string) => rest?.fieldMessage(field);
  const placed = fields.some((field) => at(field) !== undefined);
  return { at, general: placed ? undefined : error };
}
