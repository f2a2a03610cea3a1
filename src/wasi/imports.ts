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
  Pollable: typeof Pollable;
  poll(list: JcoPollable[]): Uint32Array | Promise<Uint32Array>;
}

export interface TimingImports {
  'wasi:clocks/monotonic-clock': MonotonicClockImports;
  'wasi:clocks/wall-clock': WallClockImports;
  'wasi:io/poll': PollImports;
}

export function monotonicClockImports(host: TimingHost): MonotonicClockImports {
  const { events, nowNs } = host;
  return {
    now: events === null ? nowNs : () => {
      const instant = nowNs();
      events.record({ type: 'MonotonicClockNow', instant });
      return instant;
    },
    resolution() {
      const resolution = host.resolutionNs();
      events?.record({ type: 'MonotonicClockResolution', resolution });
      return resolution;
    },
    subscribeInstant(when) {
      const now = nowNs();
      const delay = delayUntil(when, now);
      const timer = host.subscribe(now, delay);
      events?.record({ type: 'SubscribeInstant', when, pollable: slotOf(timer.handle), deadline: timer.deadlineNs });
      if (timer.clamp !== null) recordClamp(host, delay, timer.clamp.appliedNs, timer.clamp.reason);
      return new Pollable(host, timer.handle);
    },
    subscribeDuration(duration) {
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
  const { events } = host;
  return {
    now() {
      const { seconds, nanoseconds } = host.wallNow();
      events?.record({ type: 'WallClockNow', seconds, nanoseconds });
      return { seconds, nanoseconds };
    },
    resolution() {
      // Sub-millisecond readings come from the monotonic clock (see wall-clock.ts).
      const nanoseconds = Number(host.resolutionNs());
      events?.record({ type: 'WallClockResolution', seconds: 0n, nanoseconds });
      return { seconds: 0n, nanoseconds };
    },
  } satisfies JcoWallClock;
}

export function pollImports(host: TimingHost): PollImports {
  return { Pollable, poll: (list) => poll(host, list) } satisfies JcoPoll;
}

/** All three interfaces for one actor instance, keyed as jco's instantiate expects. */
export function timingImports(host: TimingHost): TimingImports {
  return {
    'wasi:clocks/monotonic-clock': monotonicClockImports(host),
    'wasi:clocks/wall-clock': wallClockImports(host),
    'wasi:io/poll': pollImports(host),
  };
}
