/**
 * Runs of a task per key, one at a time, where requests arriving during a run share the next
 * one: `run(key, argument)` resolves once a run that started after the call has finished (the
 * run takes the last argument given). N concurrent requests make at most two runs. A run that
 * throws rejects the requests it served; the next one starts afresh.
 */
interface Slot<A> {
  running: Promise<void>;
  queued?: { argument: A; promise: Promise<void> };
}

const ignore = () => undefined;

export class CoalescingRuns<A> {
  private readonly slots = new Map<string, Slot<A>>();

  constructor(private readonly task: (key: string, argument: A) => Promise<void>) {}

  run(key: string, argument: A): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) return this.begin(key, argument);
    if (slot.queued) {
      slot.queued.argument = argument;
      return slot.queued.promise;
    }
    const queued: NonNullable<Slot<A>['queued']> = { argument, promise: Promise.resolve() };
    queued.promise = slot.running.then(ignore, ignore).then(() => this.begin(key, queued.argument));
    slot.queued = queued;
    return queued.promise;
  }

  private begin(key: string, argument: A): Promise<void> {
    const running = this.task(key, argument);
    const slot: Slot<A> = { running };
    this.slots.set(key, slot);
    // Registered before any queued run's continuation, so it sees whether one is waiting.
    void running.then(ignore, ignore).then(() => {
      if (this.slots.get(key) === slot && !slot.queued) this.slots.delete(key);
    });
    return running;
  }
}
