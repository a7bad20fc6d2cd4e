/**
 * The exit codes of every `portico` command (the README lists them). A command fails by throwing:
 * a CliError carries its code, a UsageError is 2, any other error is 1.
 */
export const EXIT = {
  /** done; `diff` found no difference */
  ok: 0,
  /** the control plane refused a change, or a rollout failed on a gateway */
  failed: 1,
  /** the command line is wrong (usage shown) */
  usage: 2,
  /** the configuration file is not valid: YAML, schema, or a secret it references is missing */
  invalidFile: 3,
  /** the control plane could not be reached, or did not answer in time */
  unreachable: 4,
  /** no credentials, the credentials were refused, or the token expired: run `portico login` */
  unauthenticated: 5,
  /** `wait` (or `apply --wait`) timed out before every replica applied the configuration */
  timedOut: 6,
  /** `diff --exit-code` found differences */
  differences: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with its exit code; the message is the one line shown on stderr. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
