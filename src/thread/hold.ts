/*
 * HoldMeter: how long a guest has held the thread in code that cannot give it
 * back. Under JSPI a guest yields from its fuel check only inside an export
 * entered through WebAssembly.promising; its core module's start function (run
 * while it is instantiated) and its cabi_realloc and post-return functions
 * (called by the jco glue from JavaScript) have no frame that could suspend, so
 * only a budget can stop them. That budget is on by default (DEFAULT_MAX_HOLD_MS,
 * the handler's `max_hold_ms`), whatever max_cpu_ms says: without it a spinning
 * start function held every other actor's timers for 14.6 s before its actor
 * had even started.
 *
 * A hold starts at the first fuel check that finds the guest in such code in
 * this turn of the event loop (no hold outlasts a turn: the loop cannot run
 * while the guest holds the thread) and ends at its next check from code that
 * may suspend. It starts up to one fuel period late (~0.1-0.3 ms), and two such
 * stretches of one guest in one turn count as one.
 */
import { quoted, WasiTrap } from '../base/trap.ts';
import type { EventLoopSlice } from './slice.ts';

/** Most milliseconds a guest may hold the thread where it cannot yield (0 = no limit). */
export const DEFAULT_MAX_HOLD_MS = 200;

export class HoldMeter {
  readonly actorId: string;
  /** The guest is being instantiated: its start function is what runs. */
  starting = false;
  #slice: EventLoopSlice;
  #limitMs: () => number;
  #startMs = -1;
  #turn = -1;

  constructor(actorId: string, slice: EventLoopSlice, limitMs: () => number = () => DEFAULT_MAX_HOLD_MS) {
    this.actorId = actorId;
    this.#slice = slice;
    this.#limitMs = limitMs;
  }

  /** The guest checked from code that may suspend: it holds nothing it could not give back. */
  release(): void {
    this.#startMs = -1;
  }

  /** A check from code that cannot yield: traps once this hold is over the limit. */
  check(nowMs: number): void {
    this.#slice.expired(nowMs); // opens a turn if none is open, so the turn count moves on
    const turn = this.#slice.turn;
    if (this.#startMs < 0 || turn !== this.#turn) {
      this.#startMs = nowMs;
      this.#turn = turn;
      return;
    }
    const limitMs = this.#limitMs();
    const heldMs = nowMs - this.#startMs;
    if (limitMs === 0 || heldMs <= limitMs) return;
    const where = this.starting ? 'in its start function, while it was instantiated' : 'in cabi_realloc or a post-return function, which the host calls synchronously';
    throw new WasiTrap(`actor ${quoted(this.actorId)} held the thread for ${Math.round(heldMs)} ms ${where}, where it cannot yield to other actors (at most ${limitMs} ms: max_hold_ms)`);
  }
}
