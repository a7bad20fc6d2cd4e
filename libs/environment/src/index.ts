/**
 * Process environment parsing shared by the control plane and the gateway: one zod schema per
 * process, parsed once at start.
 */
import { z } from 'zod';

/** `PORTICO_LOG_LEVEL` values (pino's levels, and `silent`). */
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Parses `source` with `schema`. An empty variable (`FOO=` in a compose file) means unset, not
 * the empty string. Throws one readable error naming every bad variable and why.
 */
export function parseEnvironment<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export interface CommaSeparatedOptions {
  /** Lower-case the entries (names and keywords compared without case). */
  lowerCase?: boolean;
  /** Throws when the entries are not valid; its message is the variable's issue. */
  check?: (entries: string[]) => void;
}

/** A comma-separated list, empty by default: its entries trimmed, empty ones (`a,,b,`) dropped. */
export function commaSeparated(options: CommaSeparatedOptions = {}) {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const entries = v
        .split(',')
        .map((e) => (options.lowerCase ? e.trim().toLowerCase() : e.trim()))
        .filter(Boolean);
      try {
        options.check?.(entries);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
      return entries;
    });
}
