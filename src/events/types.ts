// Timing events, one per guest call (plus SleepClamped after a clamped subscribe).
// In memory, u64 values are bigint so recording does no string work; the wire
// form (see wire.ts) turns them into decimal strings, as proto3 JSON does for int64.

export type ClampReason = 'min_sleep_duration' | 'max_sleep_duration';
/** How a chain is written: our JSONL (one event a line), or Theater's chain.json. */
export type ChainFormat = 'jsonl' | 'theater';
/** How the run ended, in a chain's last event (ChainEnd). */
export type ChainOutcome = 'ok' | 'err' | 'trap' | 'diverged';

export type TimingEvent =
  | { type: 'HandlerSetupStart' }
  | { type: 'HandlerSetupSuccess' }
  | { type: 'LinkerInstanceSuccess' }
  | { type: 'WallClockNow'; seconds: bigint; nanoseconds: number }
  | { type: 'WallClockResolution'; seconds: bigint; nanoseconds: number }
  | { type: 'MonotonicClockNow'; instant: bigint }
  | { type: 'MonotonicClockResolution'; resolution: bigint }
  | { type: 'SubscribeInstant'; when: bigint; pollable: number; deadline: bigint }
  | { type: 'SubscribeDuration'; duration: bigint; pollable: number; deadline: bigint }
  | { type: 'SleepClamped'; requested: bigint; applied: bigint; reason: ClampReason }
  | { type: 'PollableReady'; pollable: number; ready: boolean }
  | { type: 'PollableBlock'; pollable: number; waited: bigint }
  | { type: 'PollableDrop'; pollable: number }
  | { type: 'PollReady'; pollables: number[]; ready_count: number; indices: number[]; waited: bigint }
  // WASI 0.3 (wasi:clocks@0.3.0, see docs/P3.md). `now` is MonotonicClockNow, as in 0.2.
  // A wait is recorded when it is made (its deadline is known then); it returns nothing.
  | { type: 'MonotonicClockGetResolution'; resolution: bigint }
  | { type: 'WaitFor'; duration: bigint; deadline: bigint }
  | { type: 'WaitUntil'; when: bigint; deadline: bigint }
  | { type: 'SystemClockNow'; seconds: bigint; nanoseconds: number }
  | { type: 'SystemClockResolution'; resolution: bigint }
  // The wasi handler's answers a replay must reproduce (src/handler/wasi-journal.ts), recorded
  // when the chain is: random draws (`source` is "random" or "insecure"; `bytes` as hex), and
  // what the actor wrote to stdout/stderr (`length` bytes asked, `bytes` the ones kept within
  // max_output_bytes, as hex), so a resumed actor does not print again what it printed.
  | { type: 'RandomBytes'; source: string; len: bigint; bytes: string }
  | { type: 'RandomU64'; source: string; value: bigint }
  | { type: 'InsecureSeed'; low: bigint; high: bigint }
  | { type: 'OutputWrite'; stream: string; length: bigint; bytes: string }
  // The first event of every chain we write (since issue 21): what the chain is the chain of.
  // `handlers` and `limits` are canonical JSON (keys sorted); `init_state` is the state as hex
  // when it is at most 4 KiB, else "" (its hash and source still name it).
  | { type: 'ActorIdentity'; name: string; version: string; instance: number; component_sha256: string; handlers: string; limits: string; mode: string; clock: string; init_state_sha256: string; init_state_source: string; init_state: string }
  // A durable actor went on live after a host restart: `gap_ns` of wall-clock downtime
  // between the last recorded call (`last_seq`) and the resume; the monotonic clock it sees counts it.
  | { type: 'Resumed'; last_seq: number; downtime_ns: bigint; monotonic_base: bigint; wall_ns: bigint }
  // The last event of every written chain: `events` counts the events before it.
  // A chain without it was cut short.
  | { type: 'ChainEnd'; events: number; outcome: ChainOutcome; message: string };

export type TimingEventType = TimingEvent['type'];

/** The recorder the WASI adapters write to. `null` recorder means recording is off. */
export interface EventSink {
  record(event: TimingEvent): void;
}
