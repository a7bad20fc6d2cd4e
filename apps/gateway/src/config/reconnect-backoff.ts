/**
 * How long the gateway's clients of the control plane (the sync stream, the access-event
 * publisher) wait before trying again after a failure: exponential backoff with full jitter (a
 * delay drawn uniformly below a ceiling that doubles per failure), on one of two tracks.
 *
 * - The control plane could not be reached (no connection, or it broke): the ceiling goes
 *   250 ms → 500 ms → 1 s and stays there, so a control plane that is back is found within about
 *   1 s however long it was away. While it is down an attempt is a TCP connection refused, which
 *   costs it nothing; once it is back the fleet's reconnects are spread evenly over that second.
 * - The control plane answered on an open connection and refused, or did not answer in time (a
 *   revoked certificate, its database unavailable, an ingest that cannot keep up): the ceiling
 *   goes 1 s → 30 s, since every attempt costs it a TLS handshake and work, and it is up.
 *
 * `reset()` once an attempt succeeds.
 */
const TRACKS = {
  unreachable: { initialMs: 250, maxMs: 1_000 },
  refused: { initialMs: 1_000, maxMs: 30_000 },
} as const;

type Track = keyof typeof TRACKS;

const initialCeilings = (): Record<Track, number> => ({
  unreachable: TRACKS.unreachable.initialMs,
  refused: TRACKS.refused.initialMs,
});

export class ReconnectBackoff {
  private ceilingsMs = initialCeilings();

  /** `random` returns a number in [0, 1) (Math.random; a fixed sequence in tests). */
  constructor(private readonly random: () => number = Math.random) {}

  /**
   * The delay before the next attempt, after one that failed. `answered`: the control plane
   * answered that attempt (a refusal); otherwise it could not be reached.
   */
  next(answered: boolean): number {
    const track: Track = answered ? 'refused' : 'unreachable';
    const ceilingMs = this.ceilingsMs[track];
    this.ceilingsMs[track] = Math.min(ceilingMs * 2, TRACKS[track].maxMs);
    return this.random() * ceilingMs;
  }

  /** Back to the first delays, once an attempt succeeded. */
  reset(): void {
    this.ceilingsMs = initialCeilings();
  }
}
