/**
 * What every `portico` command is, and the two ways one fails: a UsageError (bad command line:
 * exit 2, usage shown) or any other error (exit 1, its message on one line).
 */
import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes: results to `out`, errors to `err`. */
export interface CliIo {
  out: Writable;
  err: Writable;
}

export interface Command {
  /** the words after `portico`, e.g. `['gateway', 'register']` */
  readonly path: readonly string[];
  /** one line for the command list */
  readonly summary: string;
  /** the full `--help` text */
  readonly usage: string;
  /** runs with the arguments after the command words; resolves to the exit code */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The command line is wrong: the message says how, and the command's usage follows it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options of a command, in the shape `node:util` parseArgs takes. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs (strict, positionals allowed) where `--opt value` binds `value` to a string option
 * whatever its first character. parseArgs alone refuses `--token -x…` as "ambiguous", and a
 * random base64url token starts with `-` once in 64 — so the value is bound here by position,
 * the way `--opt=value` binds it. A following word that is itself one of the command's options
 * (`--name`, `--name=…`, `-h`), or none at all, means the value was forgotten: a UsageError.
 */
export function parseOptions<T extends OptionSpec>(args: string[], options: T) {
  const known = new Set(
    Object.keys(options)
      .map((name) => `--${name}`)
      .concat(['--help', '-h']),
  );
  for (const spec of Object.values(options)) if (spec.short) known.add(`-${spec.short}`);
  const isOption = (word: string) => known.has(word.replace(/=.*/s, ''));
  const joined: string[] = [];
  const end = args.includes('--') ? args.indexOf('--') : args.length; // after `--`: positionals only
  let waiting: string | undefined; // a string option not yet given its value
  for (const word of args.slice(0, end)) {
    if (waiting !== undefined && !isOption(word)) {
      joined.push(`${waiting}=${word}`);
      waiting = undefined;
      continue;
    }
    if (waiting !== undefined) throw new UsageError(`${waiting} needs a value`);
    waiting = word.startsWith('--') && options[word.slice(2)]?.type === 'string' ? word : undefined;
    if (waiting === undefined) joined.push(word);
  }
  if (waiting !== undefined) throw new UsageError(`${waiting} needs a value`);
  joined.push(...args.slice(end));
  return parseArgs({ args: joined, options, allowPositionals: true, strict: true });
}
