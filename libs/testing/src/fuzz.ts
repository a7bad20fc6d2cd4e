/**
 * What the fuzz specs of every app share: how a property is run (seeded and reproducible), and the
 * JSON building blocks of their fast-check arbitraries. The seed comes from PORTICO_FUZZ_SEED
 * (default a constant, so every run of a suite tries the same inputs); PORTICO_FUZZ_RUNS replaces
 * each property's number of runs (to fuzz longer locally); PORTICO_FUZZ_PATH, with the seed,
 * replays one failing input. Each app's fuzz-run.ts says how its specs seed and report.
 */
import fc from 'fast-check';

/** The base seed of every property of the run (PORTICO_FUZZ_SEED). */
export const FUZZ_SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 20261204);
const RUNS = process.env.PORTICO_FUZZ_RUNS === undefined ? undefined : Number(process.env.PORTICO_FUZZ_RUNS);
const PATH = process.env.PORTICO_FUZZ_PATH;

/** The jest timeout of a fuzz test: `defaultMs`, or a day when PORTICO_FUZZ_RUNS asks for a long run. */
export function fuzzTimeoutMs(defaultMs: number): number {
  return RUNS === undefined ? defaultMs : 24 * 3_600_000;
}

export interface FuzzRunOptions<T> {
  seed: number;
  /** Generated inputs to run (PORTICO_FUZZ_RUNS replaces it). */
  runs: number;
  /**
   * Shrinking stops after this (the failure found so far is reported); runs still to go when it
   * is up are skipped, so a slow machine runs fewer of them. Not bounded under PORTICO_FUZZ_RUNS.
   */
  timeLimitMs: number;
  /** Inputs that once failed, run first. */
  examples?: T[];
}

/** Runs `property` as the header says (PORTICO_FUZZ_PATH replays one input); fast-check's details. */
export function runProperty<T>(property: fc.IAsyncProperty<[T]>, options: FuzzRunOptions<T>): Promise<fc.RunDetails<[T]>> {
  return fc.check(property, {
    seed: options.seed,
    numRuns: RUNS ?? options.runs,
    examples: (options.examples ?? []).map((example): [T] => [example]),
    ...(PATH !== undefined && { path: PATH }),
    ...(RUNS === undefined && { interruptAfterTimeLimit: options.timeLimitMs }),
  });
}

/** The message of what a failed run threw. */
export function failureMessage(details: { errorInstance: unknown }): string {
  return details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
}

/** An input that prints as `label` (fast-check shows it in reports instead of the whole value). */
export function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}

/** A JSON text fragment written verbatim: numbers JSON.stringify cannot write, nesting too deep to build as objects. */
export class RawJson {
  constructor(readonly text: string) {}
}

const FRAGMENT = '__raw_json_fragment__';
const FRAGMENTS = new RegExp(`"${FRAGMENT}(\\d+)"`, 'g');

/** `value` as JSON text, its RawJson fragments written verbatim. */
export function toJson(value: unknown): string {
  const fragments: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof RawJson ? `${FRAGMENT}${fragments.push(item.text) - 1}` : item,
  );
  return (text ?? 'null').replace(FRAGMENTS, (_match, index: string) => fragments[Number(index)]!);
}

/** `depth` levels of arrays or objects around a 0. */
export function nestedJson(depth: number, shape: 'array' | 'object'): RawJson {
  return shape === 'array'
    ? new RawJson(`${'['.repeat(depth)}0${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`);
}

export interface JsonArbitraryOptions {
  /** The strings of values and keys. */
  text: fc.Arbitrary<string>;
  /** Number literals written verbatim (past what JavaScript holds exactly, forms JSON.stringify never writes). */
  oddNumbers: readonly string[];
  /** Nesting depth of fast-check's JSON values, and the most items of an array or keys of an object. */
  size: number;
  /** The characters of fast-check's JSON strings. */
  stringUnit: 'binary' | 'grapheme';
}

/** Scalars (strings, numbers, odd number literals, booleans, null), and any JSON value, small. */
export function jsonArbitraries(options: JsonArbitraryOptions): {
  scalar: fc.Arbitrary<unknown>;
  anyJson: fc.Arbitrary<unknown>;
} {
  const { text, size } = options;
  const oddNumber = fc.constantFrom(...options.oddNumbers).map((literal) => new RawJson(literal));
  const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.maxSafeInteger(), oddNumber, fc.boolean(), fc.constant(null));
  const anyJson: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 3, arbitrary: scalar },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: size, stringUnit: options.stringUnit }) },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: size }) },
    { weight: 1, arbitrary: fc.dictionary(text, scalar, { maxKeys: size }) },
  );
  return { scalar, anyJson };
}
