/**
 * What the sessions of one target need to decide a push, read and built once per change and
 * shared by every replica's session: the target row, its snapshot and its revoked certificates.
 * With 200 replicas a change costs two queries and one snapshot build, not 400 queries and 200
 * builds. `invalidate` drops the shared state when a change is heard; a load racing with a change
 * may hand out the older state, and the change's wake-up then loads again.
 */
import type { ConfigSyncRepository, TargetSnapshotRecord } from './config-sync.repository.js';
import { type BuiltSnapshot, buildSnapshot } from './snapshot.js';

export interface TargetState {
  /** null when the target does not exist; check `deletedAt` for a deleted one */
  target: TargetSnapshotRecord | null;
  snapshot: BuiltSnapshot | null;
  revokedSerials: ReadonlySet<string>;
}

export class TargetStates {
  private readonly states = new Map<string, Promise<TargetState>>();

  constructor(
    private readonly repo: ConfigSyncRepository,
    private readonly openSecret: (sealed: string) => string,
  ) {}

  get(targetId: string): Promise<TargetState> {
    let state = this.states.get(targetId);
    if (!state) {
      state = this.load(targetId);
      this.states.set(targetId, state);
      // A failed load is not kept: the next caller tries again.
      state.catch(() => {
        if (this.states.get(targetId) === state) this.states.delete(targetId);
      });
    }
    return state;
  }

  /** The revision of the state held for `targetId`, if one is loaded. */
  async heldRevision(targetId: string): Promise<number | undefined> {
    const state = this.states.get(targetId);
    return state ? (await state.catch(() => null))?.snapshot?.revision : undefined;
  }

  invalidate(targetId: string): void {
    this.states.delete(targetId);
  }

  private async load(targetId: string): Promise<TargetState> {
    const [target, revoked] = await Promise.all([this.repo.loadTarget(targetId), this.repo.revokedSerials(targetId)]);
    return {
      target,
      snapshot: target && !target.deletedAt ? buildSnapshot(target, this.openSecret) : null,
      revokedSerials: new Set(revoked),
    };
  }
}
