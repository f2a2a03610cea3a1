// The owners of pollables (one per actor instance): the head of each owner's
// entry list, its live count against its quota, and the calls waiting on it.
// An actor normally runs one call at a time (its mailbox sees to it), but a host
// that interleaves calls into one instance still wakes them all: each re-scans
// its own list.
//
// A waiting call is a Waiter whose wake() runs synchronously where the pollable
// became ready (inside the wheel's expiry, or setReady). Why not a promise per
// owner: a promise resolution is one more microtask hop before the call can
// re-scan, and a timer batch wakes every owner before any hop runs, so each hop
// delays the first guest of the batch by the whole batch (issue 14). A waiter
// re-scans at once and resolves its call's own promise only when it is ready.

const NONE = -1;

/** A waiting call. wake() may call park() again (nothing of its was ready yet). */
export interface Waiter {
  wake(): void;
  fail(error: Error): void;
}

export class Owners {
  #head: number[] = [];
  #live: number[] = [];
  #quota: number[] = [];
  /** The owner's waiting calls: one Waiter, several (interleaved calls), or none. */
  #waiters: Array<Waiter | Waiter[] | null> = [];
  #free: number[] = [];

  /** A new owner that may hold at most `quota` live pollables at once. */
  create(quota: number): number {
    const owner = this.#free.pop() ?? this.#head.length;
    this.#head[owner] = NONE;
    this.#live[owner] = 0;
    this.#quota[owner] = quota;
    this.#waiters[owner] = null;
    return owner;
  }

  live(owner: number): number { return this.#live[owner]; }
  quota(owner: number): number { return this.#quota[owner]; }
  head(owner: number): number { return this.#head[owner]; }
  setHead(owner: number, index: number): void { this.#head[owner] = index; }

  /** Counts a new entry in, or refuses it when the owner is at its quota. */
  admit(owner: number): boolean {
    if (this.#live[owner] >= this.#quota[owner]) return false;
    this.#live[owner]++;
    return true;
  }

  leave(owner: number): void { this.#live[owner]--; }

  /** Registers a waiting call: its wake() runs the next time any pollable of `owner` becomes ready. */
  park(owner: number, waiter: Waiter): void {
    const waiting = this.#waiters[owner];
    if (waiting === null) this.#waiters[owner] = waiter;
    else if (Array.isArray(waiting)) waiting.push(waiter);
    else this.#waiters[owner] = [waiting, waiter];
  }

  wake(owner: number): void {
    const waiting = this.#waiters[owner];
    if (waiting === null) return;
    // Detached first: a waiter that finds nothing ready parks itself again.
    this.#waiters[owner] = null;
    if (Array.isArray(waiting)) for (const waiter of waiting) waiter.wake();
    else waiting.wake();
  }

  /** Fails the owner's waiting calls with `error` (virtual time: nothing can wake them). */
  fail(owner: number, error: Error): void {
    const waiting = this.#waiters[owner];
    this.#waiters[owner] = null;
    failAll(waiting, error);
  }

  /** Forgets the owner; a call still waiting fails instead of hanging forever. */
  release(owner: number): void {
    const waiting = this.#waiters[owner];
    this.#waiters[owner] = null;
    this.#head[owner] = NONE;
    this.#live[owner] = 0;
    this.#free.push(owner);
    failAll(waiting, new Error('wasi trap: actor stopped while waiting on a pollable'));
  }
}

function failAll(waiting: Waiter | Waiter[] | null, error: Error): void {
  if (waiting === null) return;
  if (Array.isArray(waiting)) for (const waiter of waiting) waiter.fail(error);
  else waiting.fail(error);
}
