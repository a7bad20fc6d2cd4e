/**
 * What is in flight (the pipeline's upstream calls and open event streams), for a shutdown to
 * end it all: a doubly linked list of nodes, each dropped with its request.
 *
 * Why not a Set: with a Set that every request entered and left, each request's objects outlived
 * the young-generation collections and were promoted (scavenges took three times as long, the old
 * generation grew between full collections), and the data plane's CPU per request was 1.45× that
 * of the same code without it (bench/data-plane-quick.ts). A list node is young garbage with its
 * request.
 */
export interface InFlightEntry<T> {
  readonly value: T;
  previous: InFlightEntry<T> | undefined;
  next: InFlightEntry<T> | undefined;
}

export class InFlight<T> {
  private first: InFlightEntry<T> | undefined;

  /** Adds `value`; the entry returned is what {@link remove} takes. */
  add(value: T): InFlightEntry<T> {
    const entry: InFlightEntry<T> = { value, previous: undefined, next: this.first };
    if (this.first) this.first.previous = entry;
    this.first = entry;
    return entry;
  }

  /** Removes `entry` (again: nothing happens). */
  remove(entry: InFlightEntry<T>): void {
    if (entry.previous) entry.previous.next = entry.next;
    else if (this.first === entry) this.first = entry.next;
    else return;
    if (entry.next) entry.next.previous = entry.previous;
    entry.previous = undefined;
    entry.next = undefined;
  }

  /** Calls `fn` with every value in flight now; `fn` may remove entries. */
  forEach(fn: (value: T) => void): void {
    const values: T[] = [];
    for (let entry = this.first; entry; entry = entry.next) values.push(entry.value);
    for (const value of values) fn(value);
  }
}
