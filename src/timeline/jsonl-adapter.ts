// Adapter for our JSON Lines chain (docs/CHAINS.md): one line per event,
// `{"seq","parent","hash","handler","event"}`, plus `instance` when a file
// holds a fleet's chains (lines of different instances may interleave). It
// reads fields, it does not check hashes: `theater-timing verify` does that.
// A fleet file may open with a header line `{"fleet":{"instances":n}}`, which
// is skipped; the last event of a chain may be the ChainEnd record with the
// run's outcome.

import { describeValue, isPlainObject, jsonOf } from '../base/text.ts';
import { TimelineInputError, type ActorChain, type Call, type ChainEvent, type FieldValue, type Outcome } from './calls.ts';

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const OUTCOMES: readonly string[] = ['ok', 'err', 'trap', 'diverged'];

type Fields = Record<string, unknown>;

function fail(line: number, field: string, message: string): never {
  throw new TimelineInputError(`line ${line}: ${field}: ${message}`);
}

function u64(e: Fields, name: string, line: number): bigint {
  const v = e[name];
  if (typeof v !== 'string' || !DECIMAL.test(v)) fail(line, `event.${name}`, `expected a u64 as a decimal string, got ${describeValue(v)}`);
  return BigInt(v);
}

function u32(e: Fields, name: string, line: number): number {
  const v = e[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) fail(line, `event.${name}`, `expected a u32 number, got ${describeValue(v)}`);
  return v;
}

function u32s(e: Fields, name: string, line: number): number[] {
  const v = e[name];
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) fail(line, `event.${name}`, `expected an array of u32 numbers, got ${describeValue(v)}`);
  return v as number[];
}

function text(e: Fields, name: string, line: number): string {
  const v = e[name];
  if (typeof v !== 'string') fail(line, `event.${name}`, `expected a string, got ${describeValue(v)}`);
  return v;
}

/** The call an event stands for; unknown types become `other` so newer chains still draw. */
function callOf(e: Fields, line: number): Call {
  switch (e.type) {
    case 'MonotonicClockNow': return { kind: 'now', instantNs: u64(e, 'instant', line) };
    case 'WallClockNow': return { kind: 'wall', seconds: u64(e, 'seconds', line), nanoseconds: u32(e, 'nanoseconds', line) };
    case 'MonotonicClockResolution': case 'WallClockResolution': return { kind: 'resolution' };
    case 'SubscribeDuration':
      return { kind: 'subscribe', pollable: u32(e, 'pollable', line), durationNs: u64(e, 'duration', line), whenNs: null, deadlineNs: u64(e, 'deadline', line) };
    case 'SubscribeInstant':
      return { kind: 'subscribe', pollable: u32(e, 'pollable', line), durationNs: null, whenNs: u64(e, 'when', line), deadlineNs: u64(e, 'deadline', line) };
    case 'SleepClamped':
      return { kind: 'clamp', requestedNs: u64(e, 'requested', line), appliedNs: u64(e, 'applied', line), reason: text(e, 'reason', line) };
    case 'PollableReady': {
      const ready = e.ready;
      if (typeof ready !== 'boolean') fail(line, 'event.ready', `expected a boolean, got ${describeValue(ready)}`);
      return { kind: 'ready', pollable: u32(e, 'pollable', line), ready };
    }
    case 'PollableBlock': return { kind: 'block', pollable: u32(e, 'pollable', line), waitedNs: u64(e, 'waited', line) };
    case 'PollReady': {
      // `pollables` (the list polled) is recorded by newer writers; without it the ready ones are inferred.
      const pollables = Object.hasOwn(e, 'pollables') ? u32s(e, 'pollables', line) : null;
      return { kind: 'poll', pollables, indices: u32s(e, 'indices', line), waitedNs: u64(e, 'waited', line) };
    }
    case 'PollableDrop': return { kind: 'drop', pollable: u32(e, 'pollable', line) };
    case 'ChainEnd': {
      const outcome = text(e, 'outcome', line);
      if (!OUTCOMES.includes(outcome)) fail(line, 'event.outcome', `expected one of ${OUTCOMES.join(', ')}, got ${describeValue(outcome)}`);
      return { kind: 'end', outcome: outcome as Outcome, message: text(e, 'message', line) };
    }
    default: return { kind: 'other' };
  }
}

/** A field as the page shows it: scalars and number lists as they are, anything else (nested, maybe deeply) as its JSON text. */
function fieldValue(value: unknown): FieldValue {
  if (typeof value !== 'object' || value === null) return value as FieldValue; // JSON: a string, number, boolean or null
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return value as number[];
  return jsonOf(value);
}

/** Parses our JSON Lines chain text into one ActorChain per chain (per `instance` in a fleet file). */
export function fromJsonl(source: string, name: string): ActorChain[] {
  return fromJsonlRows(source.split('\n'), name);
}

/** The same from rows read one at a time (a file streamed by lines: no string of the whole file). */
export function fromJsonlRows(rows: Iterable<string | { error: string }>, name: string): ActorChain[] {
  const chains = new Map<number | null, ActorChain>();
  let line = 0;
  for (const row of rows) {
    line++;
    if (typeof row !== 'string') fail(line, 'line', row.error);
    if (row.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      fail(line, 'JSON', (error as Error).message);
    }
    if (!isPlainObject(parsed)) fail(line, 'line', `expected a JSON object, got ${describeValue(parsed)}`);
    if (line === 1 && Object.hasOwn(parsed, 'fleet') && !Object.hasOwn(parsed, 'event')) continue; // the fleet header
    const { seq, event, instance } = parsed;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail(line, 'seq', `expected a non-negative integer, got ${describeValue(seq)}`);
    if (instance !== undefined && (typeof instance !== 'number' || !Number.isSafeInteger(instance) || instance < 0)) {
      fail(line, 'instance', `expected a non-negative integer, got ${describeValue(instance)}`);
    }
    if (!isPlainObject(event) || typeof event.type !== 'string') fail(line, 'event.type', `expected an event object with a string type, got ${describeValue(event)}`);
    const key = instance ?? null;
    let chain = chains.get(key);
    if (chain === undefined) {
      chain = { label: key === null ? name : `instance ${key}`, instance: key, events: [] };
      chains.set(key, chain);
    }
    const fields: Record<string, FieldValue> = {};
    for (const [field, value] of Object.entries(event)) if (field !== 'type') fields[field] = fieldValue(value);
    // The chain's ActorIdentity (its first record) names the actor on the page.
    if (event.type === 'ActorIdentity' && typeof event.name === 'string') {
      const actor = `${event.name}${typeof event.version === 'string' && event.version !== '' ? ` ${event.version}` : ''}`;
      chain.label = key === null ? `${actor} (${name})` : `instance ${key}: ${actor}`;
    }
    const chainEvent: ChainEvent = { index: seq, line, type: event.type, fields, call: callOf(event, line) };
    chain.events.push(chainEvent);
  }
  return [...chains.values()];
}
