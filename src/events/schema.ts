// The field list of every event type, in wire order, with each field's kind.
// The type below makes the compiler check this table against types.ts: every
// field present, none extra, and each kind matching its TypeScript type.
// toWire emits fields in this order, so the hashed JSON does not depend on the
// order in which an adapter happened to build the event object.

import type { ChainOutcome, ClampReason, TimingEvent, TimingEventType } from './types.ts';

export type FieldKind = 'u64' | 'u32' | 'bool' | 'u32[]' | 'reason' | 'outcome' | 'text' | 'hex';

type KindOf<V> = V extends bigint
  ? 'u64'
  : V extends number
    ? 'u32'
    : V extends boolean
      ? 'bool'
      : V extends readonly number[]
        ? 'u32[]'
        : V extends ClampReason
          ? 'reason'
          : V extends ChainOutcome
            ? 'outcome'
            : V extends string
              ? 'text' | 'hex'
              : never;

type EventOf<T extends TimingEventType> = Extract<TimingEvent, { type: T }>;

export type EventSchema = {
  readonly [T in TimingEventType]: { readonly [K in Exclude<keyof EventOf<T>, 'type'>]: KindOf<EventOf<T>[K]> };
};

export const EVENT_SCHEMA: EventSchema = {
  HandlerSetupStart: {},
  HandlerSetupSuccess: {},
  LinkerInstanceSuccess: {},
  WallClockNow: { seconds: 'u64', nanoseconds: 'u32' },
  WallClockResolution: { seconds: 'u64', nanoseconds: 'u32' },
  MonotonicClockNow: { instant: 'u64' },
  MonotonicClockResolution: { resolution: 'u64' },
  SubscribeInstant: { when: 'u64', pollable: 'u32', deadline: 'u64' },
  SubscribeDuration: { duration: 'u64', pollable: 'u32', deadline: 'u64' },
  SleepClamped: { requested: 'u64', applied: 'u64', reason: 'reason' },
  PollableReady: { pollable: 'u32', ready: 'bool' },
  PollableBlock: { pollable: 'u32', waited: 'u64' },
  PollableDrop: { pollable: 'u32' },
  PollReady: { pollables: 'u32[]', ready_count: 'u32', indices: 'u32[]', waited: 'u64' },
  MonotonicClockGetResolution: { resolution: 'u64' },
  WaitFor: { duration: 'u64', deadline: 'u64' },
  WaitUntil: { when: 'u64', deadline: 'u64' },
  SystemClockNow: { seconds: 'u64', nanoseconds: 'u32' },
  SystemClockResolution: { resolution: 'u64' },
  RandomBytes: { source: 'text', len: 'u64', bytes: 'hex' },
  RandomU64: { source: 'text', value: 'u64' },
  InsecureSeed: { low: 'u64', high: 'u64' },
  OutputWrite: { stream: 'text', length: 'u64', bytes: 'hex' },
  ActorIdentity: { name: 'text', version: 'text', instance: 'u32', component_sha256: 'text', handlers: 'text', limits: 'text', mode: 'text', clock: 'text', init_state_sha256: 'text', init_state_source: 'text', init_state: 'text' },
  Resumed: { last_seq: 'u32', downtime_ns: 'u64', monotonic_base: 'u64', wall_ns: 'u64' },
  ChainEnd: { events: 'u32', outcome: 'outcome', message: 'text' },
};

export const CLAMP_REASONS: readonly ClampReason[] = ['min_sleep_duration', 'max_sleep_duration'];
export const CHAIN_OUTCOMES: readonly ChainOutcome[] = ['ok', 'err', 'trap', 'diverged'];

type FieldList = ReadonlyArray<readonly [string, FieldKind]>;

const FIELD_LISTS: ReadonlyMap<string, FieldList> = new Map(
  Object.entries(EVENT_SCHEMA).map(([type, fields]): [string, FieldList] => [type, Object.entries(fields) as Array<[string, FieldKind]>]),
);

/** Field names and kinds of a known event type, in wire order; undefined for unknown types. */
export function fieldsOf(type: string): FieldList | undefined {
  return FIELD_LISTS.get(type);
}
