import { ReconnectBackoff } from './reconnect-backoff.js';

/** The delays of `failures` (true: the control plane answered) with the largest draw: each ceiling. */
function ceilings(backoff: ReconnectBackoff, failures: boolean[]): number[] {
  return failures.map((answered) => Math.round(backoff.next(answered)));
}

const ALMOST_ONE = 1 - Number.EPSILON;

describe('ReconnectBackoff', () => {
  it('finds a control plane that cannot be reached within 1 s, however long it has been away', () => {
    const backoff = new ReconnectBackoff(() => ALMOST_ONE);
    expect(ceilings(backoff, Array(50).fill(false))).toEqual([250, 500, ...Array(48).fill(1_000)]);
  });

  it('asks a control plane that refuses again after 1 s doubling up to 30 s', () => {
    const backoff = new ReconnectBackoff(() => ALMOST_ONE);
    expect(ceilings(backoff, Array(8).fill(true))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('keeps the two tracks apart: refusals do not lengthen the wait for an unreachable control plane', () => {
    const backoff = new ReconnectBackoff(() => ALMOST_ONE);
    expect(ceilings(backoff, [true, true, true, false, true, false, false])).toEqual([
      1_000, 2_000, 4_000, 250, 8_000, 500, 1_000,
    ]);
  });

  it('draws each delay uniformly below its ceiling (full jitter), down to no wait at all', () => {
    const draws = [0, 0.5, 0.25, 0];
    const backoff = new ReconnectBackoff(() => draws.shift()!);
    expect([backoff.next(false), backoff.next(false), backoff.next(false), backoff.next(true)]).toEqual([0, 250, 250, 0]);
  });

  it('starts over once an attempt succeeded', () => {
    const backoff = new ReconnectBackoff(() => ALMOST_ONE);
    ceilings(backoff, [false, false, false, true, true, true]);
    backoff.reset();
    expect(ceilings(backoff, [false, true])).toEqual([250, 1_000]);
  });
});
