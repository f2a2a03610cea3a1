/*
 * The `theater:timing/yield` imports that the fairness pass (instrument.ts)
 * adds to a guest core module, for one component instance.
 *
 *   check(may_suspend) -> i32   called each time the guest's fuel runs out: traps
 *                               when the call is over its CPU budget, or when code
 *                               that cannot yield has held the thread too long
 *                               (thread/hold.ts: under JSPI any such code, in sync
 *                               mode the start function only, since there every
 *                               call holds the thread); answers bit 0 set when
 *                               the guest may and should give the thread back,
 *                               and in r >> 1 how far to scale its next refill
 *                               (2^0 .. 2^REFILL_SHIFT_MAX, see below).
 *   poll-limit(len)             the guard of a poll list longer than MAX_POLL_LIST
 *                               (instrument-poll.ts) calls it: traps.
 *   yield()                     JSPI: a WebAssembly.Suspending import that waits one
 *                               macrotask. Sync mode: never asked for (no export
 *                               may suspend), a plain no-op.
 */
import type { ExecutionMode } from '../wasi/mode.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import type { EventLoopSlice } from '../thread/slice.ts';
import type { HoldMeter } from '../thread/hold.ts';
import { checkPollList } from '../wasi/limits.ts';

export interface YieldImports {
  check(maySuspend: number): number;
  yield: unknown;
  /** Called by the guard of a poll list over MAX_POLL_LIST (instrument-poll.ts): traps. */
  'poll-limit'(length: number): void;
}

interface SuspendingApi {
  Suspending: new (fn: () => Promise<void>) => object;
}

/** The most a refill may be scaled by: 2^REFILL_SHIFT_MAX times the pass's FUEL_PER_CHECK. */
export const REFILL_SHIFT_MAX = 2;
/** Checks closer together than this (ms) double the next refill; further apart than REFILL_SLOW_MS halve it. */
const REFILL_FAST_MS = 0.025;
const REFILL_SLOW_MS = 0.1;

export function yieldImports(mode: ExecutionMode, meter: RunMeter | null, slice: EventLoopSlice, hold: HoldMeter | null = null): YieldImports {
  const answer = (maySuspend: number, nowMs: number): number => {
    meter?.check(nowMs);
    if (maySuspend !== 0) {
      hold?.release();
      return slice.expired(nowMs) ? 1 : 0;
    }
    if (hold !== null && (mode === 'jspi' || hold.starting)) hold.check(nowMs);
    return 0;
  };
  // The refill adapts to how far apart the checks come: where the static weights over-count
  // (an interpreter's dispatch loop), up to 2^REFILL_SHIFT_MAX times fewer checks; back to
  // one step per check once they come far apart. A check after a yield is not a sample.
  let shift = 0;
  let lastMs = -Infinity;
  let yielded = false;
  const check = (maySuspend: number): number => {
    const nowMs = performance.now();
    const yieldNow = answer(maySuspend, nowMs);
    if (!yielded) {
      const gap = nowMs - lastMs;
      if (gap < REFILL_FAST_MS) shift = Math.min(REFILL_SHIFT_MAX, shift + 1);
      else if (gap > REFILL_SLOW_MS) shift = Math.max(0, shift - 1);
    }
    lastMs = nowMs;
    yielded = yieldNow === 1;
    return (shift << 1) | yieldNow;
  };
  const pollLimit = (length: number): void => checkPollList(length >>> 0);
  if (mode === 'sync') return { check, yield: () => {}, 'poll-limit': pollLimit };
  const wasm = (globalThis as unknown as { WebAssembly: SuspendingApi }).WebAssembly;
  const pause = async (): Promise<void> => {
    meter?.pause();
    await slice.nextTurn();
    meter?.resume();
  };
  return { check, yield: new wasm.Suspending(pause), 'poll-limit': pollLimit };
}
