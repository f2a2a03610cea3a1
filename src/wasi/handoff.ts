/*
 * No silent non-sleep: a Promise from block/poll must be awaited by the glue.
 *
 * Under JSPI, jco's glue calls `await rsc.block()` / `await poll(list)` inside the
 * async function it wraps in WebAssembly.Suspending. Glue transpiled without the
 * JSPI flags calls the same methods synchronously and throws the Promise away, so
 * a 100 ms sleep would take no time at all, with no error.
 *
 * How we tell, exactly and at no cost to calls that return a value: every Promise
 * handed to a guest gets a prototype whose `constructor` is a getter. `await p`
 * (and `p.then`, `Promise.resolve(p)`) reads `p.constructor` synchronously, so the
 * JSPI glue marks the hand-off consumed before it returns from the trampoline,
 * before the guest is suspended and before any other guest can run. A hand-off
 * still unconsumed when the next host call arrives (from any guest) was thrown
 * away: its guest is marked, and that guest's next call (usually this very one:
 * synchronous glue goes straight on into the guest) traps with NOT_AWAITED.
 *
 * The state is process-wide on purpose: under JSPI at most one hand-off is ever
 * outstanding between two host calls, whichever guests make them.
 */
import { WasiTrap } from '../base/trap.ts';

/** One guest's mark (a TimingHost holds one). */
export interface AwaitGuard {
  /** Set when a Promise this guest was handed was not awaited; the guest's next call traps. */
  discarded: boolean;
}

export const JSPI_FLAGS = "--async-mode jspi --async-imports 'wasi:io/poll#poll' --async-imports 'wasi:io/poll#[method]pollable.block' --async-exports '<each export that may wait>'";

export const NOT_AWAITED =
  `a wait (pollable.block or poll) returned a Promise that the caller did not await, so the guest did not wait: its jco glue was transpiled without JSPI. ` +
  `Transpile it with ${JSPI_FLAGS} (e.g. --async-exports 'wasi:cli/run#run'), or serve it in mode 'sync' (waits block the thread)`;

let handed: object | null = null;
let handedBy: AwaitGuard | null = null;

const GUARDED: object = Object.create(Promise.prototype, {
  constructor: {
    configurable: true,
    get(this: object) {
      if (handed === this) {
        handed = null;
        handedBy = null;
      }
      return Promise;
    },
  },
}) as object;

/**
 * Marks `promise` as handed to `guard`'s guest and returns it (the same object).
 * The caller ran checkAwaited first, so no other hand-off is outstanding.
 */
export function handOff<T>(promise: Promise<T>, guard: AwaitGuard): Promise<T> {
  Object.setPrototypeOf(promise, GUARDED);
  handed = promise;
  handedBy = guard;
  if (!endCheckQueued) {
    endCheckQueued = true;
    queueMicrotask(endCheck);
  }
  return promise;
}

/**
 * A wait that was a guest's last host call: synchronous glue returned from the
 * export without another call that could trap. By the first microtask after the
 * hand-off (JSPI glue consumes it synchronously, before any microtask runs) it is
 * still outstanding only then: the export returned early. Nothing is left to trap,
 * so it is said, loudly, once per process (a `TheaterTimingWarning` on stderr), and
 * the guest is marked so that a later call traps.
 */
let endCheckQueued = false;
let warned = false;

function endCheck(): void {
  endCheckQueued = false;
  if (handed === null) return;
  settle();
  if (!warned) {
    warned = true;
    process.emitWarning(`theater-handler-timing: ${NOT_AWAITED}; the export returned without waiting`, { type: 'TheaterTimingWarning', code: 'THEATER_TIMING_NOT_AWAITED' });
  }
}

/** At the start of every guest call: traps when this guest threw a wait's Promise away. */
export function checkAwaited(guard: AwaitGuard): void {
  if (handed !== null) settle();
  if (guard.discarded) {
    guard.discarded = false;
    throw new WasiTrap(NOT_AWAITED);
  }
}

/** The outstanding hand-off was not consumed before another host call: it was thrown away. */
function settle(): void {
  handedBy!.discarded = true;
  handed = null;
  handedBy = null;
}
