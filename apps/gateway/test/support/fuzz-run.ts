/**
 * How the fuzz specs run their properties: seeded and reproducible. The seed comes from
 * PORTICO_FUZZ_SEED (default a constant, so every run of the suite tries the same inputs);
 * PORTICO_FUZZ_RUNS replaces each property's number of runs (to fuzz longer locally);
 * PORTICO_FUZZ_PATH, with the seed and `-t <test name>`, replays one failing input. A failure
 * names all three, and the shrunk input.
 */
import fc from 'fast-check';

/** The seed of every property of the run. */
const FUZZ_SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 20261204);
const RUNS = process.env.PORTICO_FUZZ_RUNS === undefined ? undefined : Number(process.env.PORTICO_FUZZ_RUNS);
const PATH = process.env.PORTICO_FUZZ_PATH;

/** The jest timeout of one property: its default bound, or none to speak of when PORTICO_FUZZ_RUNS asks for a long run. */
export function fuzzTimeoutMs(defaultMs: number): number {
  return RUNS === undefined ? defaultMs : 24 * 3_600_000;
}

/**
 * Runs `property` on `examples` (inputs that once failed), then `runs` generated inputs (or
 * PORTICO_FUZZ_RUNS), and throws the fast-check report, with how to replay it, when one fails.
 * Shrinking stops after `timeLimitMs` (the failure found so far is reported); runs still to go
 * when it is up are skipped, so a slow machine runs fewer of them.
 */
export async function checkProperty<T>(
  property: fc.IAsyncProperty<[T]>,
  options: { runs: number; timeLimitMs: number; file: string; test: string; examples?: T[] },
): Promise<void> {
  const details = await fc.check(property, {
    seed: FUZZ_SEED,
    numRuns: RUNS ?? options.runs,
    examples: (options.examples ?? []).map((example): [T] => [example]),
    ...(PATH !== undefined && { path: PATH }),
    ...(RUNS === undefined && { interruptAfterTimeLimit: options.timeLimitMs }),
  });
  if (!details.failed) return;
  const replay =
    `Replay: PORTICO_FUZZ_SEED=${details.seed} PORTICO_FUZZ_PATH=${details.counterexamplePath ?? ''} ` +
    `NODE_OPTIONS=--experimental-vm-modules npx jest ${options.file} -t ${JSON.stringify(options.test)}`;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${replay}\n${fc.defaultReportMessage(details) ?? ''}\nGot: ${error}`);
}

/** An input that prints as `label` (fast-check shows it in reports instead of the whole value). */
export function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}
