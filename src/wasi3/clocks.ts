/*
 * wasi:clocks@0.3.0 (WASI 0.3) for one actor, on the same TimingHost, runtime,
 * wheel and native timer as 0.2.x. See docs/P3.md.
 *
 *   monotonic-clock  now, get-resolution, wait-for (async), wait-until (async)
 *   system-clock     now -> instant { seconds: s64, nanoseconds: u32 }, get-resolution
 *
 * A wait is a timer in the actor's pollable table (clamped to min/max_sleep_duration
 * like a subscribe), waited on with the host's waitAny and dropped when it returns:
 * its expiry in the wheel resolves the Promise that resumes the guest. So virtual
 * time, the wait registry (stall reports), the CPU meter's pause and the event
 * budget behave as for 0.2.x.
 *
 * Two shapes of the same functions:
 *   the jco keys   (`now`, `getResolution`, `waitFor`, `waitUntil`) for the glue's own
 *                  lowering (the async lowering `[async-lower]wait-for` goes there);
 *   P3_CORE        the core-level functions (`now`, `get-resolution`, `wait-for`,
 *                  `wait-until`) that transpile.ts hands straight to the core module
 *                  for the sync lowering of the same imports, bypassing the glue's
 *                  task machinery (see core.ts).
 */
import type { TimingHost } from '../wasi/host.ts';
import type { EventSink } from '../events/types.ts';

/** The WASI 0.3 interfaces the timing handler provides. */
export const P3_INTERFACES = [
  'wasi:clocks/monotonic-clock@0.3.0',
  'wasi:clocks/system-clock@0.3.0',
  'wasi:clocks/types@0.3.0',
] as const;

export const MONOTONIC_KEY = 'wasi:clocks/monotonic-clock';
export const SYSTEM_KEY = 'wasi:clocks/system-clock';

/** Where an import object carries its core-level functions (read by withP3CoreImports). */
export const P3_CORE: unique symbol = Symbol.for('theater-handler-timing.p3-core');

/** A wait returns at once (nothing) or a Promise that settles when it is over (its value means nothing). */
export type WaitResult = undefined | Promise<unknown>;

/** The core-level monotonic-clock@0.3.x functions, under their WIT names (the core import names). */
export interface P3CoreMonotonicClock {
  now(): bigint;
  'get-resolution'(): bigint;
  'wait-for'(howLong: bigint): WaitResult;
  'wait-until'(when: bigint): WaitResult;
}

export interface P3MonotonicClockImports {
  now(): bigint;
  getResolution(): bigint;
  waitFor(howLong: bigint): WaitResult;
  waitUntil(when: bigint): WaitResult;
  readonly [P3_CORE]: P3CoreMonotonicClock;
}

export interface SystemInstant {
  seconds: bigint;
  nanoseconds: number;
}

/** The core-level system-clock@0.3.x functions: `now` writes the instant at the guest's return pointer (core.ts). */
export interface P3CoreSystemClock {
  now(): SystemInstant;
  'get-resolution'(): bigint;
}

export interface SystemClockImports {
  now(): SystemInstant;
  getResolution(): bigint;
  readonly [P3_CORE]?: P3CoreSystemClock;
}

export interface P3ClockImports {
  [MONOTONIC_KEY]: P3MonotonicClockImports;
  [SYSTEM_KEY]: SystemClockImports;
}

/** The core lowering passes a u64 as a signed i64: read it back as unsigned. */
const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);

/** The timer of an actor's last wait that suspended: dropped at its next wait (or when the actor stops). */
interface Lingering { handle: number }

/**
 * Waits `requestedNs` (clamped) from `nowNs` on the host's wheel; `note` records the call
 * with its deadline. A wait that suspends returns the host's own Promise, so the guest
 * resumes in the same microtask as a p2 `block`; its expired timer is dropped at the
 * actor's next wait instead of in a `.then` (which cost every woken guest one more hop,
 * behind the whole woken batch).
 */
function wait(host: TimingHost, last: Lingering, nowNs: bigint, requestedNs: bigint, note: (deadline: bigint) => void): WaitResult {
  if (last.handle >= 0) {
    if (host.isLive(last.handle)) host.drop(last.handle);
    last.handle = -1;
  }
  const timer = host.subscribe(nowNs, requestedNs);
  note(timer.deadlineNs);
  if (timer.clamp !== null && timer.clamp.reason !== null) {
    host.events?.record({ type: 'SleepClamped', requested: requestedNs, applied: timer.clamp.appliedNs, reason: timer.clamp.reason });
  }
  const handle = timer.handle;
  let waiting: number[] | Promise<number[]>;
  try {
    waiting = host.waitAny([{ handle }]);
  } catch (error) {
    host.drop(handle);
    throw error;
  }
  if (Array.isArray(waiting)) {
    host.drop(handle);
    return undefined;
  }
  last.handle = handle;
  return waiting;
}

/** monotonic-clock.now for one actor: the clock read itself, or the read and its event. */
export function monotonicNow(host: TimingHost): () => bigint {
  const { nowNs } = host;
  const events: EventSink | null = host.events;
  return events === null ? nowNs : (): bigint => {
    const instant = nowNs();
    events.record({ type: 'MonotonicClockNow', instant });
    return instant;
  };
}

export function p3MonotonicClockImports(host: TimingHost): P3MonotonicClockImports {
  const { nowNs } = host;
  const events: EventSink | null = host.events;
  const now = monotonicNow(host);
  const getResolution = (): bigint => {
    const resolution = host.resolutionNs();
    events?.record({ type: 'MonotonicClockGetResolution', resolution });
    return resolution;
  };
  const last: Lingering = { handle: -1 };
  const waitFor = (howLong: bigint): WaitResult => {
    const duration = u64(howLong);
    return wait(host, last, nowNs(), duration, (deadline) => events?.record({ type: 'WaitFor', duration, deadline }));
  };
  const waitUntil = (mark: bigint): WaitResult => {
    const when = u64(mark);
    const at = nowNs();
    return wait(host, last, at, when > at ? when - at : 0n, (deadline) => events?.record({ type: 'WaitUntil', when, deadline }));
  };
  const core: P3CoreMonotonicClock = { now, 'get-resolution': getResolution, 'wait-for': waitFor, 'wait-until': waitUntil };
  return { now, getResolution, waitFor, waitUntil, [P3_CORE]: core };
}

export function systemClockImports(host: TimingHost): SystemClockImports {
  const events = host.events;
  const now = (): SystemInstant => {
    const { seconds, nanoseconds } = host.wallNow();
    events?.record({ type: 'SystemClockNow', seconds, nanoseconds });
    return { seconds, nanoseconds };
  };
  const getResolution = (): bigint => {
    // As wall-clock's: sub-millisecond readings come from the monotonic clock.
    const resolution = host.resolutionNs();
    events?.record({ type: 'SystemClockResolution', resolution });
    return resolution;
  };
  return { now, getResolution, [P3_CORE]: { now, 'get-resolution': getResolution } };
}

/** Both 0.3 interfaces for one actor instance, keyed as the p3 glue reads them (no version). */
export function p3ClockImports(host: TimingHost): P3ClockImports {
  return { [MONOTONIC_KEY]: p3MonotonicClockImports(host), [SYSTEM_KEY]: systemClockImports(host) };
}
