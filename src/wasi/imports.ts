/*
 * The import objects for a jco-transpiled component (`--instantiation async`).
 * jco drops the version from its import keys, so these serve guests built
 * against any wasi 0.2.x. Each function is a thin shell over TimingHost; when
 * recording is off, monotonic-clock.now is the clock function itself.
 */
import { slotOf } from '../pollables/table.ts';
import type { TimingHost } from './host.ts';
import type { JcoMonotonicClock, JcoPoll, JcoPollable, JcoWallClock } from './jco-types.ts';
import { Pollable, poll } from './poll.ts';
import type { Datetime } from '../clock/wall-clock.ts';
import { checkAwaited } from './handoff.ts';
import type { ExecutionMode } from './mode.ts';
import type { ClampReason } from '../events/types.ts';
import { delayUntil } from './clamp.ts';

export interface MonotonicClockImports {
  now(): bigint;
  resolution(): bigint;
  subscribeInstant(when: bigint): Pollable;
  subscribeDuration(duration: bigint): Pollable;
}

export interface WallClockImports {
  now(): Datetime;
  resolution(): Datetime;
}

export interface PollImports {
  /** The mode these imports serve: 'jspi' hands block/poll's waits back as Promises the glue must await. */
  readonly mode: ExecutionMode;
  Pollable: typeof Pollable;
  poll(list: JcoPollable[]): Uint32Array | Promise<Uint32Array>;
}

/** The three interfaces, keyed as jco's instantiate expects. */
export interface TimingInterfaces {
  'wasi:clocks/monotonic-clock': MonotonicClockImports;
  'wasi:clocks/wall-clock': WallClockImports;
  'wasi:io/poll': PollImports;
}

export interface TimingImports extends TimingInterfaces {
  /** The mode these imports serve (not enumerable: spreading the object copies only the interfaces). */
  readonly mode: ExecutionMode;
}

export function monotonicClockImports(host: TimingHost): MonotonicClockImports {
  const { events, nowNs, guard } = host;
  return {
    // Sync mode never hands out a Promise: its now() is the clock read itself.
    now: events === null ? (host.mode === 'sync' ? nowNs : () => {
      checkAwaited(guard);
      return nowNs();
    }) : () => {
      checkAwaited(guard);
      const instant = nowNs();
      events.record({ type: 'MonotonicClockNow', instant });
      return instant;
    },
    resolution() {
      checkAwaited(guard);
      const resolution = host.resolutionNs();
      events?.record({ type: 'MonotonicClockResolution', resolution });
      return resolution;
    },
    subscribeInstant(when) {
      checkAwaited(guard);
      const now = nowNs();
      const delay = delayUntil(when, now);
      const timer = host.subscribe(now, delay);
      events?.record({ type: 'SubscribeInstant', when, pollable: slotOf(timer.handle), deadline: timer.deadlineNs });
      if (timer.clamp !== null) recordClamp(host, delay, timer.clamp.appliedNs, timer.clamp.reason);
      return new Pollable(host, timer.handle);
    },
    subscribeDuration(duration) {
      checkAwaited(guard);
      const timer = host.subscribe(nowNs(), duration);
      events?.record({ type: 'SubscribeDuration', duration, pollable: slotOf(timer.handle), deadline: timer.deadlineNs });
      if (timer.clamp !== null) recordClamp(host, duration, timer.clamp.appliedNs, timer.clamp.reason);
      return new Pollable(host, timer.handle);
    },
  } satisfies JcoMonotonicClock;
}

function recordClamp(host: TimingHost, requested: bigint, applied: bigint, reason: ClampReason | null): void {
  if (reason !== null) host.events?.record({ type: 'SleepClamped', requested, applied, reason });
}

export function wallClockImports(host: TimingHost): WallClockImports {
  const { events, guard } = host;
  return {
    now() {
      checkAwaited(guard);
      const { seconds, nanoseconds } = host.wallNow();
      events?.record({ type: 'WallClockNow', seconds, nanoseconds });
      return { seconds, nanoseconds };
    },
    resolution() {
      checkAwaited(guard);
      // Sub-millisecond readings come from the monotonic clock (see wall-clock.ts).
      const nanoseconds = Number(host.resolutionNs());
      events?.record({ type: 'WallClockResolution', seconds: 0n, nanoseconds });
      return { seconds: 0n, nanoseconds };
    },
  } satisfies JcoWallClock;
}

export function pollImports(host: TimingHost): PollImports {
  return { mode: host.mode, Pollable, poll: (list) => poll(host, list) } satisfies JcoPoll & { mode: ExecutionMode };
}

/** All three interfaces for one actor instance, keyed as jco's instantiate expects. */
export function timingImports(host: TimingHost): TimingImports {
  const imports = {
    'wasi:clocks/monotonic-clock': monotonicClockImports(host),
    'wasi:clocks/wall-clock': wallClockImports(host),
    'wasi:io/poll': pollImports(host),
  };
  return Object.defineProperty(imports, 'mode', { value: host.mode, enumerable: false }) as TimingImports;
}

/** Just the interface keys of `imports`, for an import object that merges several handlers'. */
export function interfacesOf(imports: TimingInterfaces): TimingInterfaces {
  return {
    'wasi:clocks/monotonic-clock': imports['wasi:clocks/monotonic-clock'],
    'wasi:clocks/wall-clock': imports['wasi:clocks/wall-clock'],
    'wasi:io/poll': imports['wasi:io/poll'],
  };
}
