/*
 * Admission: when a new call may enter a guest.
 *
 * A fleet starts by calling every actor's init at once. Each init runs its guest
 * until the guest first waits, and the calls come one after another in a single
 * microtask drain: 10 000 of them hold the thread for most of a second, and no
 * timer, no I/O and no woken guest gets a turn until the last has started.
 *
 * Entries therefore take turns with the event loop, like guests do (slice.ts):
 * while the thread's slice lasts, a call enters at once; once it is used up,
 * calls wait in one FIFO queue and are let in, one by one, from the next turn of
 * the loop. Each is let in only after the previous one's guest has given the
 * thread back (its call returned or first suspended), so whatever that guest
 * woke runs before the next entry starts.
 *
 *   enter() ──slice left and nobody queued──► undefined: go now
 *      │
 *      └──otherwise──► queue ──next loop turn──► admit one ──leave()──► admit the next …
 *
 * An idle process schedules nothing: the queue is only pumped while it holds a call.
 */
import { Fifo } from '../base/fifo.ts';
import type { EventLoopSlice } from './slice.ts';

export class Admission {
  #slice: EventLoopSlice;
  #queue = new Fifo<() => void>();
  /** A call was let in and has not left yet: the next waits for it. */
  #inside = false;
  #pumpQueued = false;

  constructor(slice: EventLoopSlice) {
    this.#slice = slice;
  }

  /** Calls waiting to enter. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Undefined when the caller may enter its guest now; otherwise a promise that
   * resolves when it may. Either way the caller calls leave() once its guest call
   * has returned or first suspended.
   */
  enter(): Promise<void> | undefined {
    if (this.waiting === 0 && !this.#inside && !this.#slice.expired()) return undefined;
    const admitted = new Promise<void>((resolve) => this.#queue.push(resolve));
    if (!this.#inside) this.#schedulePump();
    return admitted;
  }

  /** The caller's guest gave the thread back: let the next one in while the slice lasts. */
  leave(): void {
    this.#inside = false;
    if (this.waiting > 0) this.#admitNext();
  }

  /** Lets the next call in, unless the slice is used up; `first` of a turn goes in regardless. */
  #admitNext(first = false): void {
    if (this.#slice.expired() && !first) return this.#schedulePump();
    const resolve = this.#queue.shift()!;
    this.#inside = true;
    resolve();
  }

  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    void this.#slice.nextTurn().then(this.#pump);
  }

  #pump = (): void => {
    this.#pumpQueued = false;
    // At least one call enters per turn, however long other work held the thread: new
    // actors start at the loop's pace even beside guests that use every slice.
    if (!this.#inside && this.waiting > 0) this.#admitNext(true);
  };
}
