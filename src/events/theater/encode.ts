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

/**
 * The largest state chain.json holds. A state is written as the bytes of its
 * JSON (`[255,…]`: up to 4 per state byte), as numbers inside a payload that
 * is itself written as its bytes' numbers: up to 36 characters of file per
 * byte of state, so 256 KiB of state is one ~9 MiB event, within what a reader
 * takes (MAX_ELEMENT_BYTES, 16 MiB). A larger init state is refused before the
 * run; a larger state returned by init is recorded as a WasmError saying so.
 */
export const MAX_THEATER_STATE_BYTES = 256 * 1024;

/** Why `state` cannot be an init state in chain.json, or null. */
export function theaterStateError(state: Uint8Array | null): string | null {
  if (state === null || state.length <= MAX_THEATER_STATE_BYTES) return null;
  return `the state (${state.length} bytes) is too large for Theater's chain.json (at most ${MAX_THEATER_STATE_BYTES} bytes: each byte takes up to 36 in the file)`;
}
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

/**
 * Our events as Theater's records, one at a time: `opening()` before the first
 * event, `record(event)` for each (null for events Theater has no counterpart
 * for), `closing(outcome)` after the last. Holds only the handle numbering, so
 * a chain of any length is encoded in constant memory.
 */
export class TheaterEncoder {
  readonly #names: Record<keyof typeof TIMING_INTERFACE_KEYS, string>;
  readonly #handles = handleNumbers();
  readonly #state: Uint8Array | null;

  constructor(imports: readonly string[], state: Uint8Array | null) {
    this.#names = {
      monotonic: importedName(imports, TIMING_INTERFACE_KEYS.monotonic),
      wall: importedName(imports, TIMING_INTERFACE_KEYS.wall),
      poll: importedName(imports, TIMING_INTERFACE_KEYS.poll),
      system: importedName(imports, TIMING_INTERFACE_KEYS.system, '0.3.0'),
    };
    this.#state = state;
  }

  /** The "wasm" WasmCall of init, the chain's first record. */
  opening(): TheaterRecord {
    return wasm('wasm', { WasmCall: { function_name: INIT_FUNCTION, params: jsonBytes(bytesOrNull(this.#state)) } });
  }

  /** The init's result (or error) and the "shutdown" call: the chain's last two records. */
  closing(outcome: TheaterOutcome): TheaterRecord[] {
    return [result(outcome), wasm('shutdown', { WasmCall: { function_name: 'shutdown', params: [] } })];
  }

  /** The record Theater would have made for `e`, or null (setup events, SleepClamped, drops, our own records). */
  record(e: TimingEvent): TheaterRecord | null {
    const { monotonic, wall, poll, system } = this.#names;
    const handles = this.#handles;
    switch (e.type) {
      case 'MonotonicClockNow': return call(monotonic, 'now', UNIT, u64(e.instant));
      case 'MonotonicClockResolution': return call(monotonic, 'resolution', UNIT, u64(e.resolution));
      case 'WallClockNow': return call(wall, 'now', UNIT, datetime(e.seconds, e.nanoseconds));
      case 'WallClockResolution': return call(wall, 'resolution', UNIT, datetime(e.seconds, e.nanoseconds));
      case 'SubscribeInstant': return call(monotonic, 'subscribe-instant', u64(e.when), u32(handles.create(e.pollable)));
      case 'SubscribeDuration': return call(monotonic, 'subscribe-duration', u64(e.duration), tuple([u32(handles.create(e.pollable)), u64(e.deadline)]));
      case 'PollableReady': return call(poll, '[method]pollable.ready', u32(handles.of(e.pollable)), bool(e.ready));
      case 'PollableBlock': return call(poll, '[method]pollable.block', u32(handles.of(e.pollable)), UNIT);
      case 'PollReady': return call(poll, 'poll', list(e.pollables.map((slot) => u32(handles.of(slot)))), list(e.indices.map(u32)));
      case 'PollableDrop': handles.drop(e.pollable); return null;
      case 'MonotonicClockGetResolution': return call(monotonic, 'get-resolution', UNIT, u64(e.resolution));
      case 'WaitFor': return call(monotonic, 'wait-for', u64(e.duration), UNIT);
      case 'WaitUntil': return call(monotonic, 'wait-until', u64(e.when), UNIT);
      case 'SystemClockNow': return call(system, 'now', UNIT, datetime(e.seconds, e.nanoseconds));
      case 'SystemClockResolution': return call(system, 'get-resolution', UNIT, u64(e.resolution));
      default: return null; // setup events and SleepClamped: no Theater counterpart
    }
  }
}

function result(outcome: TheaterOutcome): TheaterRecord {
  const error = (message: string): TheaterRecord => wasm('wasm', { WasmError: { function_name: INIT_FUNCTION, message } });
  if (outcome.status !== 'ok') return error(outcome.error);
  if (outcome.state !== null && outcome.state.length > MAX_THEATER_STATE_BYTES) {
    return error(`init returned a state of ${outcome.state.length} bytes, too large for chain.json (at most ${MAX_THEATER_STATE_BYTES})`);
  }
  return wasm('wasm', { WasmResult: { function_name: INIT_FUNCTION, result: [bytesOrNull(outcome.state), NULL_BYTES] } });
}

const call = (iface: string, fn: string, input: TheaterValue, output: TheaterValue): TheaterRecord =>
  ({ eventType: `${iface}/${fn}`, payload: { category: 'HostFunction', interface: iface, function: fn, input, output } });
const wasm = (eventType: string, body: Record<string, Json>): TheaterRecord => ({ eventType, payload: { category: 'Wasm', ...body } });

/** The event_type and payload of every event Theater would have recorded, in order. */
export function theaterRecords(events: readonly TimingEvent[], run: TheaterRun): TheaterRecord[] {
  const encoder = new TheaterEncoder(run.imports, run.state);
  const records: TheaterRecord[] = [encoder.opening()];
  for (const e of events) {
    const record = encoder.record(e);
    if (record !== null) records.push(record);
  }
  records.push(...encoder.closing(run.outcome));
  return records;
}

/** One actor's run as Theater's chain: hashed and linked events. */
export function buildTheaterChain(events: readonly TimingEvent[], run: TheaterRun): TheaterEvent[] {
  return linkTheaterEvents(theaterRecords(events, run));
}
