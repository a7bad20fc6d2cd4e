/**
 * Hooks and inspectors may answer synchronously or with a promise. The hot path awaits only
 * when one is returned, so a synchronous answer costs no promise.
 */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}
