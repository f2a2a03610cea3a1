// The owners of pollables (one per actor instance): the head of each owner's
// entry list, its live count against its quota, and one wake-up promise that
// every waiting call of the owner shares. An actor normally runs one call at a
// time (its mailbox sees to it), but a host that interleaves calls into one
// instance still wakes them all: each re-scans its own list.

const NONE = -1;

interface Waiter {
  promise: Promise<void>;
  resolve(): void;
  reject(reason: Error): void;
}

export class Owners {
  #head: number[] = [];
  #live: number[] = [];
  #quota: number[] = [];
  #waiter: Array<Waiter | null> = [];
  #free: number[] = [];

  /** A new owner that may hold at most `quota` live pollables at once. */
  create(quota: number): number {
    const owner = this.#free.pop() ?? this.#head.length;
    this.#head[owner] = NONE;
    this.#live[owner] = 0;
    this.#quota[owner] = quota;
    this.#waiter[owner] = null;
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

  /** Resolves when any pollable of `owner` becomes ready. */
  wait(owner: number): Promise<void> {
    const pending = this.#waiter[owner];
    if (pending !== null) return pending.promise;
    const waiter = Promise.withResolvers<void>();
    this.#waiter[owner] = waiter;
    return waiter.promise;
  }

  wake(owner: number): void {
    const waiter = this.#waiter[owner];
    if (waiter === null) return;
    this.#waiter[owner] = null;
    waiter.resolve();
  }

  /** Fails the owner's waiting calls with `error` (virtual time: nothing can wake them). */
  fail(owner: number, error: Error): void {
    const waiter = this.#waiter[owner];
    this.#waiter[owner] = null;
    waiter?.reject(error);
  }

  /** Forgets the owner; a call still waiting fails instead of hanging forever. */
  release(owner: number): void {
    const waiter = this.#waiter[owner];
    this.#waiter[owner] = null;
    this.#head[owner] = NONE;
    this.#live[owner] = 0;
    this.#free.push(owner);
    waiter?.reject(new Error('wasi trap: actor stopped while waiting on a pollable'));
  }
}
