// Theater's chain.json as a Recording: a JSON array of
// {hash: [20 bytes], parent_hash: [20 bytes] | null, event_type, data: [UTF-8 bytes of JSON]},
// hash = SHA-1 of {"hash":[],"parent_hash":…,"event_type":…,"data":[…]}. Host calls
// carry {"category":"HostFunction","interface","function","input","output"} with tagged
// values ({"U64":n}, {"U32":n}, {"Bool":b}, {"List":[…]}, {"Tuple":[…]}). Calls on our three
// interfaces (and, for WASI 0.3, system-clock: docs/P3.md) become calls; every other event ("wasm", "shutdown", other handlers')
// is a frame. Theater never recorded drops, clamps or setup, nor a subscribe-instant's
// deadline or a wait's length: those fields are 0 (or the instant) in the replayed
// events, and left out again when the replay writes Theater's format.
import { bufferChunks, fileChunks } from '../events/chunks.ts';
import { ElementError, ElementReader } from '../events/theater/elements.ts';
import { TheaterChecker, type CheckedTheaterEvent } from '../events/theater/verify.ts';
import type { TimingEvent } from '../events/types.ts';
import { isPlainObject } from '../base/text.ts';
import { callOf, inMemory, MONOTONIC, POLL, RecordingError, SYSTEM, WALL, type RecordedEntry, type Recording, type RecordingInMemory } from './recorded.ts';

type Tagged = Record<string, unknown>;

/** Theater's chain in `text`, read and checked whole; throws a RecordingError naming the event. */
export function recordingFromTheater(text: string): RecordingInMemory {
  return inMemory(theaterRecording(new ElementReader(bufferChunks(Buffer.from(text)))));
}

/** Theater's chain in the file at `path`, streamed; the first event is read at once. */
export function theaterFileRecording(path: string): Recording {
  return theaterRecording(new ElementReader(fileChunks(path)));
}

/**
 * Events come through the checker `verify` uses (events/theater/verify.ts): a
 * replay serves nothing `verify` would refuse, and refuses the chain at its
 * first bad event, or at its end when the end is wrong.
 */
function theaterRecording(elements: ElementReader): Recording {
  const checker = new TheaterChecker();
  let finished = false;
  const refused = (): never => {
    elements.close();
    const first = checker.firstError!;
    throw new RecordingError(`event ${first.index}: ${first.message}`);
  };
  const read = (): CheckedTheaterEvent | undefined => {
    if (finished) return undefined;
    let text: string | null;
    try {
      text = elements.next();
    } catch (error) {
      if (!(error instanceof ElementError)) throw error;
      checker.reject(error.index, error.message);
      return refused();
    }
    if (text === null) {
      finished = true;
      if (!checker.finish().ok) refused();
      return undefined;
    }
    return checker.push(text) ?? refused();
  };
  let pending = read();
  return {
    format: 'theater',
    hostEvents: false,
    identity: null,
    get end() { return elements.count; },
    outcome: null,
    close: () => elements.close(),
    next(): RecordedEntry | undefined {
      const checked = pending ?? read();
      pending = undefined;
      return checked === undefined ? undefined : entryOf(checked);
    },
  };
}

function entryOf({ index, eventType, payload }: CheckedTheaterEvent): RecordedEntry {
  const event = isPlainObject(payload) && payload.category === 'HostFunction' ? hostCall(payload, `event ${index}`) : null;
  const call = event === null ? null : callOf(event, index, String((payload as Tagged).interface).split('@')[1]);
  return call ?? { kind: 'frame', position: index, label: frameLabel(eventType, payload) };
}

function frameLabel(eventType: string, payload: unknown): string {
  if (!isPlainObject(payload)) return eventType;
  const kind = Object.keys(payload).find((k) => k !== 'category');
  const inner = kind === undefined ? undefined : payload[kind];
  const name = isPlainObject(inner) && typeof inner.function_name === 'string' ? ` ${inner.function_name}` : '';
  return `${eventType} ${kind ?? ''}${name}`.trim();
}

/** The TimingEvent of a host call on our interfaces; null for other interfaces. */
function hostCall(p: Tagged, at: string): TimingEvent | null {
  const iface = typeof p.interface === 'string' ? p.interface.split('@')[0] : '';
  const fn = p.function;
  const v = new Values(at);
  if (iface === MONOTONIC && fn === 'now') return { type: 'MonotonicClockNow', instant: v.u64(p.output) };
  if (iface === MONOTONIC && fn === 'resolution') return { type: 'MonotonicClockResolution', resolution: v.u64(p.output) };
  if (iface === WALL && (fn === 'now' || fn === 'resolution')) {
    const [seconds, nanoseconds] = v.tuple(p.output, 2);
    return { type: fn === 'now' ? 'WallClockNow' : 'WallClockResolution', seconds: v.u64(seconds), nanoseconds: v.u32(nanoseconds) };
  }
  if (iface === MONOTONIC && fn === 'subscribe-instant') {
    const when = v.u64(p.input);
    return { type: 'SubscribeInstant', when, pollable: v.u32(p.output), deadline: when };
  }
  if (iface === MONOTONIC && fn === 'subscribe-duration') {
    const [handle, deadline] = v.tuple(p.output, 2);
    return { type: 'SubscribeDuration', duration: v.u64(p.input), pollable: v.u32(handle), deadline: v.u64(deadline) };
  }
  if (iface === MONOTONIC && fn === 'get-resolution') return { type: 'MonotonicClockGetResolution', resolution: v.u64(p.output) };
  if (iface === MONOTONIC && fn === 'wait-for') return { type: 'WaitFor', duration: v.u64(p.input), deadline: 0n };
  if (iface === MONOTONIC && fn === 'wait-until') {
    const when = v.u64(p.input);
    return { type: 'WaitUntil', when, deadline: when };
  }
  if (iface === SYSTEM && fn === 'now') {
    const [seconds, nanoseconds] = v.tuple(p.output, 2);
    return { type: 'SystemClockNow', seconds: v.u64(seconds), nanoseconds: v.u32(nanoseconds) };
  }
  if (iface === SYSTEM && fn === 'get-resolution') return { type: 'SystemClockResolution', resolution: v.u64(p.output) };
  if (iface === POLL && fn === '[method]pollable.ready') return { type: 'PollableReady', pollable: v.u32(p.input), ready: v.bool(p.output) };
  if (iface === POLL && fn === '[method]pollable.block') return { type: 'PollableBlock', pollable: v.u32(p.input), waited: 0n };
  if (iface === POLL && fn === 'poll') {
    const indices = v.list(p.output).map((x) => v.u32(x));
    const pollables = v.list(p.input).map((x) => v.u32(x));
    return { type: 'PollReady', ready_count: indices.length, indices, waited: 0n, pollables } as TimingEvent;
  }
  return null;
}

class Values {
  #at: string;
  constructor(at: string) { this.#at = at; }
  #tag(value: unknown, tag: string): unknown {
    if (!isPlainObject(value) || !Object.hasOwn(value, tag)) throw new RecordingError(`${this.#at}: expected {"${tag}":…}, got ${JSON.stringify(value, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`);
    return value[tag];
  }
  u64(value: unknown): bigint {
    const n = this.#tag(value, 'U64');
    if (typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) return BigInt(n);
    throw new RecordingError(`${this.#at}: U64: expected an unsigned integer`);
  }
  u32(value: unknown): number {
    const n = this.#tag(value, 'U32');
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff) return n;
    throw new RecordingError(`${this.#at}: U32: expected an unsigned 32-bit integer`);
  }
  bool(value: unknown): boolean {
    const b = this.#tag(value, 'Bool');
    if (typeof b === 'boolean') return b;
    throw new RecordingError(`${this.#at}: Bool: expected true or false`);
  }
  list(value: unknown): unknown[] {
    const items = this.#tag(value, 'List');
    if (Array.isArray(items)) return items;
    throw new RecordingError(`${this.#at}: List: expected an array`);
  }
  tuple(value: unknown, length: number): unknown[] {
    const items = this.#tag(value, 'Tuple');
    if (Array.isArray(items) && items.length === length) return items;
    throw new RecordingError(`${this.#at}: Tuple: expected ${length} items`);
  }
}
