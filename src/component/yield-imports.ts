/*
 * The `theater:timing/yield` imports that the fairness pass (instrument.ts)
 * adds to a guest core module, for one component instance.
 *
 *   check(may_suspend) -> i32   called each time the guest's fuel runs out: traps
 *                               when the call is over its CPU budget, and answers 1
 *                               when the guest may and should give the thread back.
 *   yield()                     JSPI: a WebAssembly.Suspending import that waits one
 *                               macrotask. Sync mode: never asked for (no export
 *                               may suspend), a plain no-op.
 */
import type { ExecutionMode } from '../wasi/mode.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import type { EventLoopSlice } from '../thread/slice.ts';

export interface YieldImports {
  check(maySuspend: number): number;
  yield: unknown;
}

interface SuspendingApi {
  Suspending: new (fn: () => Promise<void>) => object;
}

export function yieldImports(mode: ExecutionMode, meter: RunMeter | null, slice: EventLoopSlice): YieldImports {
  const check = (maySuspend: number): number => {
    const nowMs = performance.now();
    meter?.check(nowMs);
    return maySuspend !== 0 && slice.expired(nowMs) ? 1 : 0;
  };
  if (mode === 'sync') return { check, yield: () => {} };
  const wasm = (globalThis as unknown as { WebAssembly: SuspendingApi }).WebAssembly;
  const pause = async (): Promise<void> => {
    meter?.pause();
    await slice.nextTurn();
    meter?.resume();
  };
  return { check, yield: new wasm.Suspending(pause) };
}
