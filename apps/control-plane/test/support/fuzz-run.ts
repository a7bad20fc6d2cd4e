/**
 * How the REST fuzz spec runs its properties: seeded and reproducible, one property per route.
 * The seed of a route is PORTICO_FUZZ_SEED (default a constant) mixed with the route's key, so a
 * route's inputs do not change when routes are added. PORTICO_FUZZ_RUNS replaces the number of
 * runs (to fuzz longer locally); PORTICO_FUZZ_ROUTE (`POST /path/:param`) runs one route only and,
 * with PORTICO_FUZZ_PATH, replays one failing input. A failure report names all of them. Requests
 * change the tenant (a valid fuzzed DELETE deletes): a failure that needed what earlier requests
 * did replays only with them, by the seed alone (the whole spec, or the route without the path).
 */
import fc from 'fast-check';

const BASE_SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 20261204);
const RUNS = process.env.PORTICO_FUZZ_RUNS === undefined ? undefined : Number(process.env.PORTICO_FUZZ_RUNS);
const PATH = process.env.PORTICO_FUZZ_PATH;

/** The route PORTICO_FUZZ_ROUTE selects, if any. */
export const FUZZ_ROUTE = process.env.PORTICO_FUZZ_ROUTE;

/** The jest timeout of the fuzz test: `defaultMs`, or a day when PORTICO_FUZZ_RUNS asks for a long run. */
export function fuzzTimeoutMs(defaultMs: number): number {
  return RUNS === undefined ? defaultMs : 24 * 3_600_000;
}

/** The seed of `routeKey`: the base seed mixed with the key's FNV-1a hash. */
function seedOf(routeKey: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < routeKey.length; i++) hash = Math.imul(hash ^ routeKey.charCodeAt(i), 0x01000193);
  return (BASE_SEED ^ hash) | 0;
}

/**
 * Runs `property` for `routeKey`; resolves to the failure report (how to replay it, the shrunk
 * input, the error) or undefined. Shrinking stops after `timeLimitMs`, keeping the failure found.
 */
export async function checkRoute<T>(
  routeKey: string,
  property: fc.IAsyncProperty<[T]>,
  options: { runs: number; timeLimitMs: number; file: string },
): Promise<string | undefined> {
  const details = await fc.check(property, {
    seed: seedOf(routeKey),
    numRuns: RUNS ?? options.runs,
    ...(PATH !== undefined && { path: PATH }),
    ...(RUNS === undefined && { interruptAfterTimeLimit: options.timeLimitMs }),
  });
  if (!details.failed) return undefined;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return [
    `${routeKey}: ${error}`,
    `  input: ${fc.stringify(details.counterexample?.[0])}`,
    `  replay: PORTICO_FUZZ_SEED=${BASE_SEED} PORTICO_FUZZ_ROUTE=${JSON.stringify(routeKey)} ` +
      `PORTICO_FUZZ_PATH=${details.counterexamplePath ?? ''} NODE_OPTIONS=--experimental-vm-modules npx jest ${options.file}`,
  ].join('\n');
}

/** An input that prints as `label` in fast-check's reports. */
export function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}
