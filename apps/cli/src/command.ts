/**
 * What every `portico` command is, and the two ways one fails: a UsageError (bad command line:
 * exit 2, usage shown) or any other error (exit 1, its message on one line).
 */
import type { Writable } from 'node:stream';

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
