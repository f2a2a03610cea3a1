// Our timing events, as Theater's timing handler recorded them.
//
// One host call = one event, `event_type` "<interface as imported>/<function>"
// and data {"category":"HostFunction","interface","function","input","output"}
// (the table of inputs and outputs is in docs/CHAINS.md). Around them: a "wasm"
// WasmCall before init, a WasmResult (ok) or WasmError (err, trap) after, and
// a "shutdown" event when the actor stops.
// Left out, having no Theater counterpart: setup events, SleepClamped,
// PollableDrop, and any event type added later (e.g. a chain end record).
// WASI 0.3 calls (Theater never recorded 0.3; our choice, docs/P3.md): the same
// HostFunction record under the interface as imported (…@0.3.0): wait-for and
// wait-until take {"U64":n} and return unit, get-resolution returns {"U64":ns},
// system-clock now returns an instant as a datetime is: {"Tuple":[U64 s, U32 ns]}.
// Pollables: we name them by table slot, reused after a drop; Theater numbers
// handles 0, 1, 2… per actor in creation order. A subscribe takes the next
// number, a drop frees the slot's mapping, and a slot first seen elsewhere
// (a pollable from another source) takes the next number then.

import type { TimingEvent } from '../types.ts';
import { linkTheaterEvents, type TheaterEvent } from './event.ts';
import { bool, jsonBytes, list, tuple, u32, u64, UNIT, type TheaterValue } from './values.ts';
import type { Json } from '../../base/exact-json.ts';

export const INIT_FUNCTION = 'theater:simple/actor.init';
const NULL_BYTES = jsonBytes(null);

export const TIMING_INTERFACE_KEYS = {
  monotonic: 'wasi:clocks/monotonic-clock',
  wall: 'wasi:clocks/wall-clock',
  poll: 'wasi:io/poll',
  system: 'wasi:clocks/system-clock',
} as const;

/** How the call that the chain wraps ended. */
export type TheaterOutcome = { status: 'ok'; state: Uint8Array | null } | { status: 'err' | 'trap'; error: string };

export interface TheaterRun {
  /** The component's imports as it names them, with versions (e.g. 'wasi:io/poll@0.2.0'). */
  imports: readonly string[];
  /** The state init was given. */
  state: Uint8Array | null;
  outcome: TheaterOutcome;
}

export interface TheaterRecord {
  eventType: string;
  payload: Json;
}

/** The interface name as the guest imported it; @0.2.3 when the guest did not import it. */
export function importedName(imports: readonly string[], key: string, version = '0.2.3'): string {
  return imports.find((name) => name === key || name.startsWith(`${key}@`)) ?? `${key}@${version}`;
}

function handleNumbers(): { create(slot: number): number; of(slot: number): number; drop(slot: number): void } {
  const bySlot = new Map<number, number>();
  let next = 0;
  const create = (slot: number): number => {
    bySlot.set(slot, next);
    return next++;
  };
  return { create, of: (slot) => bySlot.get(slot) ?? create(slot), drop: (slot) => void bySlot.delete(slot) };
}

const datetime = (seconds: bigint, nanoseconds: number): TheaterValue => tuple([u64(seconds), u32(nanoseconds)]);
const bytesOrNull = (bytes: Uint8Array | null): Json => (bytes === null ? null : Array.from(bytes));

/** The event_type and payload of every event Theater would have recorded, in order. */
export function theaterRecords(events: readonly TimingEvent[], run: TheaterRun): TheaterRecord[] {
  const names = {
    monotonic: importedName(run.imports, TIMING_INTERFACE_KEYS.monotonic),
    wall: importedName(run.imports, TIMING_INTERFACE_KEYS.wall),
    poll: importedName(run.imports, TIMING_INTERFACE_KEYS.poll),
    system: importedName(run.imports, TIMING_INTERFACE_KEYS.system, '0.3.0'),
  };
  const handles = handleNumbers();
  const records: TheaterRecord[] = [];
  const call = (iface: string, fn: string, input: TheaterValue, output: TheaterValue): void => {
    records.push({ eventType: `${iface}/${fn}`, payload: { category: 'HostFunction', interface: iface, function: fn, input, output } });
  };
  const wasm = (eventType: string, body: Record<string, Json>): void => {
    records.push({ eventType, payload: { category: 'Wasm', ...body } });
  };
  wasm('wasm', { WasmCall: { function_name: INIT_FUNCTION, params: jsonBytes(bytesOrNull(run.state)) } });
  for (const e of events) {
    switch (e.type) {
      case 'MonotonicClockNow': call(names.monotonic, 'now', UNIT, u64(e.instant)); break;
      case 'MonotonicClockResolution': call(names.monotonic, 'resolution', UNIT, u64(e.resolution)); break;
      case 'WallClockNow': call(names.wall, 'now', UNIT, datetime(e.seconds, e.nanoseconds)); break;
      case 'WallClockResolution': call(names.wall, 'resolution', UNIT, datetime(e.seconds, e.nanoseconds)); break;
      case 'SubscribeInstant': call(names.monotonic, 'subscribe-instant', u64(e.when), u32(handles.create(e.pollable))); break;
      case 'SubscribeDuration':
        call(names.monotonic, 'subscribe-duration', u64(e.duration), tuple([u32(handles.create(e.pollable)), u64(e.deadline)]));
        break;
      case 'PollableReady': call(names.poll, '[method]pollable.ready', u32(handles.of(e.pollable)), bool(e.ready)); break;
      case 'PollableBlock': call(names.poll, '[method]pollable.block', u32(handles.of(e.pollable)), UNIT); break;
      case 'PollReady':
        call(names.poll, 'poll', list(e.pollables.map((slot) => u32(handles.of(slot)))), list(e.indices.map(u32)));
        break;
      case 'PollableDrop': handles.drop(e.pollable); break;
      case 'MonotonicClockGetResolution': call(names.monotonic, 'get-resolution', UNIT, u64(e.resolution)); break;
      case 'WaitFor': call(names.monotonic, 'wait-for', u64(e.duration), UNIT); break;
      case 'WaitUntil': call(names.monotonic, 'wait-until', u64(e.when), UNIT); break;
      case 'SystemClockNow': call(names.system, 'now', UNIT, datetime(e.seconds, e.nanoseconds)); break;
      case 'SystemClockResolution': call(names.system, 'get-resolution', UNIT, u64(e.resolution)); break;
      default: break; // setup events and SleepClamped: no Theater counterpart
    }
  }
  const { outcome } = run;
  if (outcome.status === 'ok') wasm('wasm', { WasmResult: { function_name: INIT_FUNCTION, result: [bytesOrNull(outcome.state), NULL_BYTES] } });
  else wasm('wasm', { WasmError: { function_name: INIT_FUNCTION, message: outcome.error } });
  wasm('shutdown', { WasmCall: { function_name: 'shutdown', params: [] } });
  return records;
}

/** One actor's run as Theater's chain: hashed and linked events. */
export function buildTheaterChain(events: readonly TimingEvent[], run: TheaterRun): TheaterEvent[] {
  return linkTheaterEvents(theaterRecords(events, run));
}
