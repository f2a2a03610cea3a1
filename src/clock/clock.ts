// The real time sources. Everything else takes them by injection, so unit tests
// can drive a fake clock and a fake timer by hand.

/** A monotonic clock in nanoseconds from an unspecified origin. */
export interface MonotonicClock {
  nowNs(): bigint;
}

/**
 * The single native timer. `keepAlive` says whether a pending timer should keep
 * the process alive (it should only while a guest is waiting on it).
 */
export interface HostTimer {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
  keepAlive(handle: unknown, on: boolean): void;
  /**
   * Optional: runs `callback` once the work now running (and its microtasks) is done,
   * before the loop next sleeps. The scheduler arms the timer from there after a batch
   * of wake-ups, because Node counts a timer's delay against the loop time it read last:
   * armed before the batch's guests resume, the wait would grow by their whole run.
   */
  afterCurrentWork?(callback: () => void): void;
  /**
   * Optional: holds the thread for `ms` (at most about a millisecond), reading the same
   * monotonic clock as the runtime and allocating nothing, unless other work is queued
   * for the thread; answers whether it waited. Only a real-time timer has one.
   */
  waitActively?(ms: number): boolean;
}

export const hrtimeClock: MonotonicClock = { nowNs: process.hrtime.bigint };

/** Node's setTimeout cannot wait longer than 2^31 - 1 ms; longer delays fire after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** How much of an active wait is left to watching the clock after a futex sleep, ms. */
const FUTEX_MARGIN_MS = 0.12;
const futex = new Int32Array(new SharedArrayBuffer(4));

export interface NodeTimerOptions {
  /**
   * True while the thread has other work queued (guest calls waiting to enter, see
   * thread/thread.ts): the timer never waits on the thread in its place.
   */
  busy?: () => boolean;
  /**
   * Default true: wait on the thread for deadlines less than a ms away. False: leave
   * every deadline to Node's whole-ms timer, for a process that shares its cores with
   * busier neighbours (more shard processes than cores), where a wait on the thread
   * would take CPU time from them.
   */
  activeWait?: boolean;
}

/**
 * Node's setTimeout as the runtime's one native timer.
 *
 * Node 26 truncates a fractional delay to whole ms and counts it from the loop's
 * floored ms, so setTimeout(2.7) fires ~2 ms later: before the instant asked for. The
 * scheduler would then find nothing due, re-arm, and wait a further whole ms. Rounding
 * up fires once, at the first whole ms at or after the instant.
 */
export function nodeTimer(options: NodeTimerOptions = {}): HostTimer {
  const busy = options.busy ?? (() => false);
  const waitActively = (ms: number): boolean => {
    if (busy()) return false;
    const until = performance.now() + ms;
    // The kernel wakes a futex wait ~70 µs late: sleep (no CPU) for all but the last
    // FUTEX_MARGIN_MS, then watch the clock for the rest.
    if (ms > FUTEX_MARGIN_MS * 2) Atomics.wait(futex, 0, 0, ms - FUTEX_MARGIN_MS);
    while (performance.now() < until);
    return true;
  };
  return {
    set: (callback, delayMs) => setTimeout(callback, Math.ceil(delayMs)),
    afterCurrentWork: (callback) => { setImmediate(callback); },
    waitActively: options.activeWait === false ? undefined : waitActively,
    clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
    keepAlive: (handle, on) => {
      if (on) (handle as NodeJS.Timeout).ref();
      else (handle as NodeJS.Timeout).unref();
    },
  };
}

/**
 * The smallest step the clock is seen to take, in ns: the honest resolution.
 * Linux reports 1 ns for CLOCK_MONOTONIC, but what a caller can observe is the
 * smallest positive difference between two readings.
 */
export function observedResolutionNs(clock: MonotonicClock, samples = 2_000): bigint {
  let best = -1n;
  let previous = clock.nowNs();
  for (let i = 0; i < samples; i++) {
    const next = clock.nowNs();
    const step = next - previous;
    if (step > 0n && (best < 0n || step < best)) best = step;
    previous = next;
  }
  return best > 0n ? best : 1n;
}
