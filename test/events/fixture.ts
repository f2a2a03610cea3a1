// One event of every type, in a plausible order, shared by the events tests.
import type { TimingEvent } from '../../src/events/types.ts';

export const ALL_EVENTS: TimingEvent[] = [
  { type: 'HandlerSetupStart' },
  { type: 'HandlerSetupSuccess' },
  { type: 'LinkerInstanceSuccess' },
  { type: 'WallClockNow', seconds: 1_790_000_000n, nanoseconds: 123_456_789 },
  { type: 'WallClockResolution', seconds: 0n, nanoseconds: 1000 },
  { type: 'MonotonicClockNow', instant: 5_000_000_000n },
  { type: 'MonotonicClockResolution', resolution: 1n },
  { type: 'SleepClamped', requested: 0n, applied: 1_000_000n, reason: 'min_sleep_duration' },
  { type: 'SubscribeInstant', when: 4_000_000_000n, pollable: 0, deadline: 5_001_000_000n },
  { type: 'SubscribeDuration', duration: 100_000_000n, pollable: 1, deadline: 5_100_000_000n },
  { type: 'PollableReady', pollable: 0, ready: true },
  { type: 'PollableBlock', pollable: 1, waited: 99_500_000n },
  { type: 'PollReady', pollables: [0, 1], ready_count: 2, indices: [0, 1], waited: 0n },
  { type: 'PollableDrop', pollable: 0 },
  { type: 'MonotonicClockNow', instant: 18_446_744_073_709_551_615n },
];

/** One event of each WASI 0.3 type (docs/P3.md), kept apart so ALL_EVENTS' chains and hashes stay as they were. */
export const P3_EVENTS: TimingEvent[] = [
  { type: 'MonotonicClockGetResolution', resolution: 1n },
  { type: 'WaitFor', duration: 100_000_000n, deadline: 5_100_000_000n },
  { type: 'WaitUntil', when: 4_000_000_000n, deadline: 5_001_000_000n },
  { type: 'SystemClockNow', seconds: 1_790_000_000n, nanoseconds: 123_456_789 },
  { type: 'SystemClockResolution', resolution: 1000n },
];

/** The wasi handler's recorded answers (src/handler/wasi-journal.ts), kept apart like P3_EVENTS. */
export const WASI_EVENTS: TimingEvent[] = [
  { type: 'RandomBytes', source: 'random', len: 4n, bytes: '00ff10ab' },
  { type: 'RandomU64', source: 'insecure', value: 18_446_744_073_709_551_615n },
  { type: 'InsecureSeed', low: 1n, high: 2n },
  { type: 'OutputWrite', stream: 'stdout', length: 5n, bytes: '68690a' },
];

/** The run records of durable actors (docs/DURABLE.md), kept apart like P3_EVENTS. */
export const RUN_EVENTS: TimingEvent[] = [
  { type: 'ActorIdentity', name: 'sleeper', version: '0.1.0', instance: 0, component_sha256: 'ab'.repeat(32), handlers: '[]', limits: '{}', mode: 'jspi', clock: 'real', init_state_sha256: '', init_state_source: 'none', init_state: '' },
  { type: 'Resumed', last_seq: 7, downtime_ns: 1_500_000_000n, monotonic_base: 5_000_000_000n, wall_ns: 1_790_000_000_000_000_000n },
];
