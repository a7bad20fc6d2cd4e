/**
 * How the REST fuzz spec runs its properties: seeded and reproducible, one property per route.
 * The seed of a route is PORTICO_FUZZ_SEED (default a constant) mixed with the route's key, so a
 * route's inputs do not change when routes are added. PORTICO_FUZZ_RUNS replaces the number of
 * runs (to fuzz longer locally); PORTICO_FUZZ_ROUTE (`POST /path/:param`) runs one route only and,
 * with PORTICO_FUZZ_PATH, replays one failing input. A failure report names all of them. Requests
 * change the tenant (a valid fuzzed DELETE deletes): a failure that needed what earlier requests
 * did replays only with them, by the seed alone (the whole spec, or the route without the path).
 * (The running itself: fuzz.ts of #portico/testing.)
 */
import fc from 'fast-check';
import { failureMessage, FUZZ_SEED, runProperty } from '#portico/testing';

export { fuzzTimeoutMs } from '#portico/testing';

/** The route PORTICO_FUZZ_ROUTE selects, if any. */
export const FUZZ_ROUTE = process.env.PORTICO_FUZZ_ROUTE;

/** The seed of `routeKey`: the base seed mixed with the key's FNV-1a hash. */
function seedOf(routeKey: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < routeKey.length; i++) hash = Math.imul(hash ^ routeKey.charCodeAt(i), 0x01000193);
  return (FUZZ_SEED ^ hash) | 0;
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
  const details = await runProperty(property, { seed: seedOf(routeKey), runs: options.runs, timeLimitMs: options.timeLimitMs });
  if (!details.failed) return undefined;
  return [
    `${routeKey}: ${failureMessage(details)}`,
    `  input: ${fc.stringify(details.counterexample?.[0])}`,
    `  replay: PORTICO_FUZZ_SEED=${FUZZ_SEED} PORTICO_FUZZ_ROUTE=${JSON.stringify(routeKey)} ` +
      `PORTICO_FUZZ_PATH=${details.counterexamplePath ?? ''} NODE_OPTIONS=--experimental-vm-modules npx jest ${options.file}`,
  ].join('\n');
}
