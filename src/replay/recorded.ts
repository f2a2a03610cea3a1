/*
 * The neutral model a replay runs on, whatever format the chain was in:
 *
 *   call   one guest call: interface (with version), WIT function, inputs, output,
 *          and the TimingEvent a faithful replay records for it (so re-emitting
 *          it reproduces the recording's own chain, hash for hash)
 *   host   an event of ours around the calls (setup, clamp), checked where a
 *          format has them (ours) and absent where it does not (Theater's)
 *   frame  a format's own record around the run (Theater's "wasm" and
 *          "shutdown"), consumed in order but never served
 *
 * Handles are the recorded ones: a pollable in `input` is the number the
 * recording gave it. Each format adapter (jsonl.ts, theater.ts) builds these.
 */
import type { TimingEvent } from '../events/types.ts';
import type { Datetime } from '../clock/wall-clock.ts';

export const MONOTONIC = 'wasi:clocks/monotonic-clock';
export const WALL = 'wasi:clocks/wall-clock';
export const POLL = 'wasi:io/poll';
export const SYSTEM = 'wasi:clocks/system-clock';
export const RANDOM = 'wasi:random/random';
export const INSECURE = 'wasi:random/insecure';
export const INSECURE_SEED = 'wasi:random/insecure-seed';
/** An actor's write to its stdout or stderr, whichever method made it (write, blocking-write-and-flush, write-zeroes…). */
export const STREAMS = 'wasi:io/streams';
export const OUTPUT_WRITE = '[method]output-stream.write';
/** The version our own format implies: every guest of ours imports 0.2.3 or an older 0.2.x. */
export const DEFAULT_VERSION = '0.2.3';
/** The version of the WASI 0.3 events (which exist only in 0.3), unless the recording names a 0.3.x. */
export const P3_VERSION = '0.3.0';

export type Value = bigint | number | boolean | string | readonly number[] | Datetime | null;

export interface RecordedCall {
  kind: 'call';
  /** Where the event sits in its chain (0-based), for messages. */
  position: number;
  /** e.g. `wasi:clocks/monotonic-clock@0.2.3`. */
  interface: string;
  /** WIT name: `now`, `subscribe-duration`, `[method]pollable.ready`, `poll`, `[resource-drop]pollable`... */
  function: string;
  /** Inputs; a poll's list is null when the format did not record it. */
  input: Value[];
  output: Value;
  event: TimingEvent;
}

export interface RecordedHost {
  kind: 'host';
  position: number;
  event: TimingEvent;
}

export interface RecordedFrame {
  kind: 'frame';
  position: number;
  /** e.g. `wasm WasmCall theater:simple/actor.init`. */
  label: string;
}

export type RecordedEntry = RecordedCall | RecordedHost | RecordedFrame;

/** How the run ended, when the format records it. */
export type RecordedOutcome = { status: 'ok' | 'err' | 'trap' | 'diverged'; message: string };

export class RecordingError extends Error {
  override name = 'RecordingError';
}

/**
 * A recorded chain, read in order. Entries are read and checked on demand
 * (the file is streamed: memory does not grow with it); `end` and `outcome`
 * are final once next() has returned undefined.
 */
export interface Recording {
  format: 'jsonl' | 'theater';
  /** Whether the format records our setup, clamp and drop events (ours does, Theater's does not). */
  hostEvents: boolean;
  /** The chain's ActorIdentity record (ours since issue 21); null for Theater's format and older chains. */
  identity?: Extract<TimingEvent, { type: 'ActorIdentity' }> | null;
  /**
   * The next entry, or undefined past the last. Throws a RecordingError when
   * the chain is refused: a record the checks refuse, or a bad end (cut short,
   * no ChainEnd, something after it) once it is reached.
   */
  next(): RecordedEntry | undefined;
  /** The position just past the last recorded event (a ChainEnd's own position): where "past the end" diverges. */
  readonly end: number;
  /** How the run ended, when the format records it (ours: ChainEnd). */
  readonly outcome: RecordedOutcome | null;
  /** Releases the file. */
  close(): void;
}

/** A recording read whole (a durable log, a chain given as text): every entry at hand. */
export interface RecordingInMemory extends Recording {
  readonly entries: readonly RecordedEntry[];
}

/** Reads `recording` to its end (throwing its RecordingError) and keeps every entry. */
export function inMemory(recording: Recording): RecordingInMemory {
  const entries: RecordedEntry[] = [];
  try {
    for (let entry = recording.next(); entry !== undefined; entry = recording.next()) entries.push(entry);
  } finally {
    recording.close();
  }
  return rewound({ ...recording, entries, end: recording.end, outcome: recording.outcome });
}

/** The same recording read again from its first entry (a session reads a recording once). */
export function rewound(recording: Omit<RecordingInMemory, 'next' | 'close'>): RecordingInMemory {
  const { entries } = recording;
  let at = 0;
  return {
    format: recording.format,
    hostEvents: recording.hostEvents,
    identity: recording.identity,
    entries,
    next: () => entries[at++],
    end: recording.end,
    outcome: recording.outcome,
    close() {},
  };
}

/** The call a TimingEvent records, or null for our host events. `version` is the interfaces' version. */
export function callOf(event: TimingEvent, position: number, version = DEFAULT_VERSION): RecordedCall | null {
  const call = (iface: string, fn: string, input: Value[], output: Value, at = version): RecordedCall =>
    ({ kind: 'call', position, interface: `${iface}@${at}`, function: fn, input, output, event });
  const p3 = version.startsWith('0.3.') ? version : P3_VERSION;
  switch (event.type) {
    case 'MonotonicClockNow': return call(MONOTONIC, 'now', [], event.instant);
    case 'MonotonicClockResolution': return call(MONOTONIC, 'resolution', [], event.resolution);
    case 'WallClockNow': return call(WALL, 'now', [], { seconds: event.seconds, nanoseconds: event.nanoseconds });
    case 'WallClockResolution': return call(WALL, 'resolution', [], { seconds: event.seconds, nanoseconds: event.nanoseconds });
    case 'SubscribeInstant': return call(MONOTONIC, 'subscribe-instant', [event.when], event.pollable);
    case 'SubscribeDuration': return call(MONOTONIC, 'subscribe-duration', [event.duration], event.pollable);
    case 'PollableReady': return call(POLL, '[method]pollable.ready', [event.pollable], event.ready);
    case 'PollableBlock': return call(POLL, '[method]pollable.block', [event.pollable], null);
    case 'PollableDrop': return call(POLL, '[resource-drop]pollable', [event.pollable], null);
    case 'MonotonicClockGetResolution': return call(MONOTONIC, 'get-resolution', [], event.resolution, p3);
    case 'WaitFor': return call(MONOTONIC, 'wait-for', [event.duration], null, p3);
    case 'WaitUntil': return call(MONOTONIC, 'wait-until', [event.when], null, p3);
    case 'SystemClockNow': return call(SYSTEM, 'now', [], { seconds: event.seconds, nanoseconds: event.nanoseconds }, p3);
    case 'SystemClockResolution': return call(SYSTEM, 'get-resolution', [], event.resolution, p3);
    case 'RandomBytes': return call(`wasi:random/${event.source}`, event.source === 'random' ? 'get-random-bytes' : 'get-insecure-random-bytes', [event.len], event.bytes);
    case 'RandomU64': return call(`wasi:random/${event.source}`, event.source === 'random' ? 'get-random-u64' : 'get-insecure-random-u64', [], event.value);
    case 'InsecureSeed': return call(INSECURE_SEED, 'insecure-seed', [], null);
    case 'OutputWrite': return call(STREAMS, OUTPUT_WRITE, [event.stream, event.length, event.bytes], null);
    case 'PollReady': {
      // A chain may or may not list the polled handles (older ones do not).
      const listed = (event as { pollables?: unknown }).pollables;
      return call(POLL, 'poll', [Array.isArray(listed) ? (listed as number[]) : null], event.indices);
    }
    default: return null;
  }
}

/** `subscribe-duration(100000000)`, `poll([0, 1])`, `now()`: a call as the guest made it. */
export function formatCall(fn: string, input: readonly Value[]): string {
  return `${fn}(${input.map(formatValue).join(', ')})`;
}

/** The recorded side of a divergence line: `iface/fn`, with inputs when it had any. */
export function formatRecorded(entry: RecordedEntry | undefined): string {
  if (entry === undefined) return 'the end of the recording';
  if (entry.kind === 'frame') return entry.label;
  if (entry.kind === 'host') return `our ${entry.event.type} event`;
  const known = entry.input.filter((v) => v !== null);
  return `${entry.interface}/${entry.function}${known.length > 0 ? `(${known.map(formatValue).join(', ')})` : ''}`;
}

function formatValue(value: Value): string {
  if (value === null) return '?';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value);
  if (typeof value === 'object') return `${(value as Datetime).seconds}s+${(value as Datetime).nanoseconds}ns`;
  return String(value);
}
