import { CoalescingRuns } from './coalescing-runs.js';

/** A task whose runs the test ends one by one. */
function gatedTask() {
  const runs: { key: string; argument: number; finish: (error?: Error) => void }[] = [];
  const task = (key: string, argument: number) =>
    new Promise<void>((resolve, reject) => runs.push({ key, argument, finish: (error) => (error ? reject(error) : resolve()) }));
  return { runs, task };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingRuns', () => {
  it('runs once, then once more for everything that arrived meanwhile, with the last argument', async () => {
    const { runs, task } = gatedTask();
    const coalescing = new CoalescingRuns(task);
    const first = coalescing.run('t', 1);
    const waiting = [coalescing.run('t', 2), coalescing.run('t', 3), coalescing.run('t', 4)];
    await tick();
    expect(runs.map((r) => r.argument)).toEqual([1]);
    let settled = false;
    void Promise.all(waiting).then(() => (settled = true));
    runs[0]!.finish();
    await first;
    await tick();
    expect(runs.map((r) => r.argument)).toEqual([1, 4]);
    expect(settled).toBe(false);
    runs[1]!.finish();
    await Promise.all(waiting);
    // Idle again: the next request starts a run at once.
    void coalescing.run('t', 5);
    await tick();
    expect(runs.map((r) => r.argument)).toEqual([1, 4, 5]);
  });

  it('keeps keys apart, and a failed run fails only the requests it served', async () => {
    const { runs, task } = gatedTask();
    const coalescing = new CoalescingRuns(task);
    const a = coalescing.run('a', 1);
    const b = coalescing.run('b', 1);
    await tick();
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    const later = coalescing.run('a', 2);
    runs[0]!.finish(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await tick();
    runs[2]!.finish();
    await expect(later).resolves.toBeUndefined();
    runs[1]!.finish();
    await expect(b).resolves.toBeUndefined();
  });
});
