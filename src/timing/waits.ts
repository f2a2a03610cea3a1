// Who is waiting right now, and on what: one entry per actor whose block/poll
// found nothing ready. Virtual time reads it to decide when every live actor
// waits (then it jumps), and to name the actors when nothing can wake them.

export interface Waiting {
  actorId: string;
  /** What the call waits on, e.g. `poll([external pollable 3])`. */
  describe(): string;
  /** Ends the wait with `error` (the waiting call rejects; the actor traps). */
  fail(error: Error): void;
}

export class WaitRegistry {
  #waits = new Map<number, Waiting>();
  #onBegin: (() => void) | null;

  /** `onBegin` runs each time a wait starts (virtual time checks for quiet then). */
  constructor(onBegin: (() => void) | null = null) {
    this.#onBegin = onBegin;
  }

  get size(): number {
    return this.#waits.size;
  }

  begin(owner: number, waiting: Waiting): void {
    this.#waits.set(owner, waiting);
    this.#onBegin?.();
  }

  end(owner: number): void {
    this.#waits.delete(owner);
  }

  /** The waiting entries, in the order their waits began. */
  entries(): Waiting[] {
    return [...this.#waits.values()];
  }
}
