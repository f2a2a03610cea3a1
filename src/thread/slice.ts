/*
 * EventLoopSlice: how long the thread has been held since the event loop last
 * ran, per runtime (thread.ts). Guests share one thread, so the slice is the thread's,
 * not an actor's: whoever finds it used up waits one macrotask, and every timer
 * and I/O callback that came due meanwhile runs before it continues.
 *
 * A turn starts at the first `expired()` call after the event loop ran, and a
 * setImmediate scheduled then marks its end: when that callback runs, the loop
 * has gone round. Nothing is scheduled while no guest asks, so an idle process
 * stays idle.
 */

/** The longest the thread is held before a guest gives it back (the target is <= 10 ms). */
export const SLICE_MS = 5;

export interface SliceOptions {
  sliceMs?: number;
  nowMs?: () => number;
  /** Runs a callback after the current macrotask, behind what is already queued. */
  defer?: (callback: () => void) => void;
}

export class EventLoopSlice {
  readonly sliceMs: number;
  #nowMs: () => number;
  #defer: (callback: () => void) => void;
  #turnStartMs = -1;
  #turns = 0;
  #endTurn = (): void => {
    this.#turnStartMs = -1;
  };

  constructor(options: SliceOptions = {}) {
    this.sliceMs = options.sliceMs ?? SLICE_MS;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#defer = options.defer ?? ((callback) => void setImmediate(callback));
  }

  /** Turns seen so far: changes between two calls of expired() exactly when the event loop ran between them. */
  get turn(): number {
    return this.#turns;
  }

  /** Whether the current turn has held the thread for a whole slice. */
  expired(nowMs = this.#nowMs()): boolean {
    if (this.#turnStartMs < 0) {
      this.#turnStartMs = nowMs;
      this.#turns++;
      this.#defer(this.#endTurn);
      return false;
    }
    return nowMs - this.#turnStartMs >= this.sliceMs;
  }

  /** Resolves after one macrotask, once the timers and I/O due by now have run. */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => this.#defer(resolve));
  }
}
