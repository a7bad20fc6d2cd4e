/**
 * How the fuzz specs run their properties: seeded and reproducible. The seed comes from
 * PORTICO_FUZZ_SEED (default a constant, so every run of the suite tries the same inputs);
 * PORTICO_FUZZ_RUNS replaces each property's number of runs (to fuzz longer locally);
 * PORTICO_FUZZ_PATH, with the seed and `-t <test name>`, replays one failing input. A failure
 * names all three, and the shrunk input. (The running itself: fuzz.ts of #portico/testing.)
 */
import fc from 'fast-check';
import { failureMessage, FUZZ_SEED, runProperty } from '#portico/testing';

export { fuzzTimeoutMs } from '#portico/testing';

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
  const details = await runProperty(property, { seed: FUZZ_SEED, ...options });
  if (!details.failed) return;
  const replay =
    `Replay: PORTICO_FUZZ_SEED=${details.seed} PORTICO_FUZZ_PATH=${details.counterexamplePath ?? ''} ` +
    `NODE_OPTIONS=--experimental-vm-modules npx jest ${options.file} -t ${JSON.stringify(options.test)}`;
  throw new Error(`${replay}\n${fc.defaultReportMessage(details) ?? ''}\nGot: ${failureMessage(details)}`);
}
