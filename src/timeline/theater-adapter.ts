// Adapter for Theater's chain.json: a JSON array of
// `{"hash","parent_hash","event_type","data"}` where `data` is the UTF-8 bytes
// of a compact JSON payload. Host calls carry `{"category":"HostFunction",
// "interface","function","input","output"}` with tagged values ({"U64":n},
// {"U32":n}, {"Bool":b}, {"List":[…]}, {"Tuple":[…]}); `wasm` events carry
// WasmCall / WasmResult / WasmError (a trap when its message says so, else an
// init err). Theater records no `waited`, no clamps and no drops, and handles
// count 0, 1, 2… per actor. Hashes are not checked here.

import { describeValue, isPlainObject, jsonOf } from '../base/text.ts';
import { U32_MAX, U64_MAX } from '../base/units.ts';
import { TimelineInputError, type ActorChain, type Call, type ChainEvent, type FieldValue } from './calls.ts';
import { parseJsonExact, type Json } from '../base/exact-json.ts';
import { bufferChunks, type ChunkSource } from '../events/chunks.ts';
import { ElementError, ElementReader } from '../events/theater/elements.ts';
import { compactJson } from '../events/theater/values.ts';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

class Bad extends Error {}

function tagged(v: unknown, tag: string, where: string): unknown {
  if (!isPlainObject(v) || !Object.hasOwn(v, tag)) throw new Bad(`${where}: expected {"${tag}":…}, got ${describeValue(v)}`);
  return v[tag];
}

function u64(v: unknown, where: string): bigint {
  const n = tagged(v, 'U64', where);
  if (typeof n === 'bigint' && n >= 0n && n <= U64_MAX) return n;
  if (typeof n === 'string' && DECIMAL.test(n)) return BigInt(n);
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return BigInt(n);
  throw new Bad(`${where}: expected {"U64":n} with n a u64, got ${describeValue(v)}`);
}

function u32(v: unknown, where: string): number {
  const n = tagged(v, 'U32', where);
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= U32_MAX) return n;
  throw new Bad(`${where}: expected {"U32":n} with n a u32, got ${describeValue(v)}`);
}

function items(v: unknown, tag: 'List' | 'Tuple', where: string): unknown[] {
  const list = tagged(v, tag, where);
  if (!Array.isArray(list)) throw new Bad(`${where}: expected {"${tag}":[…]}, got ${describeValue(v)}`);
  return list;
}

/** A tagged value as short text for the tooltip: 5, true, (1, 2), [0, 3]. */
const MAX_TAGGED_DEPTH = 32;

export function showTagged(v: unknown, depth = 0): string {
  if (!isPlainObject(v)) return jsonOf(v);
  const [tag, inner] = Object.entries(v)[0] ?? ['', null];
  if ((tag === 'List' || tag === 'Tuple') && Array.isArray(inner)) {
    // A value nested past MAX_TAGGED_DEPTH is cut: a recorded value can nest deeper than the stack goes.
    if (depth >= MAX_TAGGED_DEPTH) return tag === 'List' ? '[…]' : '(…)';
    const parts = inner.map((item) => showTagged(item, depth + 1)).join(', ');
    return tag === 'List' ? `[${parts}]` : `(${parts})`;
  }
  return String(inner);
}

function hostCall(fn: string, iface: string, input: unknown, output: unknown): Call {
  if (iface.includes('monotonic-clock')) {
    switch (fn) {
      case 'now': return { kind: 'now', instantNs: u64(output, 'data.output') };
      case 'resolution': return { kind: 'resolution' };
      case 'subscribe-duration': {
        const [handle, deadline] = items(output, 'Tuple', 'data.output');
        return { kind: 'subscribe', pollable: u32(handle, 'data.output[0]'), durationNs: u64(input, 'data.input'), whenNs: null, deadlineNs: u64(deadline, 'data.output[1]') };
      }
      case 'subscribe-instant': {
        // Theater's pollable is ready at `when` itself: that is its deadline.
        const when = u64(input, 'data.input');
        return { kind: 'subscribe', pollable: u32(output, 'data.output'), durationNs: null, whenNs: when, deadlineNs: when };
      }
    }
  } else if (iface.includes('wall-clock')) {
    if (fn === 'resolution') return { kind: 'resolution' };
    if (fn === 'now') {
      const [s, ns] = items(output, 'Tuple', 'data.output');
      return { kind: 'wall', seconds: u64(s, 'data.output[0]'), nanoseconds: u32(ns, 'data.output[1]') };
    }
  } else if (iface.includes('io/poll')) {
    switch (fn) {
      case '[method]pollable.ready': {
        const ready = tagged(output, 'Bool', 'data.output');
        if (typeof ready !== 'boolean') throw new Bad(`data.output: expected {"Bool":b}, got ${describeValue(output)}`);
        return { kind: 'ready', pollable: u32(input, 'data.input'), ready };
      }
      case '[method]pollable.block': return { kind: 'block', pollable: u32(input, 'data.input'), waitedNs: null };
      case 'poll':
        return {
          kind: 'poll',
          pollables: items(input, 'List', 'data.input').map((h, i) => u32(h, `data.input[${i}]`)),
          indices: items(output, 'List', 'data.output').map((h, i) => u32(h, `data.output[${i}]`)),
          waitedNs: null,
        };
    }
  }
  return { kind: 'other' };
}

function decode(raw: Record<string, unknown>): { call: Call; fields: Record<string, FieldValue> } {
  const { data } = raw;
  if (!Array.isArray(data) || !data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new Bad(`data: expected an array of bytes, got ${describeValue(data)}`);
  let payload: unknown;
  try {
    payload = parseJsonExact(Buffer.from(data as number[]).toString('utf8'));
  } catch (error) {
    throw new Bad(`data: the bytes are not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(payload)) throw new Bad(`data: expected a JSON object, got ${describeValue(payload)}`);
  if (payload.category === 'HostFunction') {
    const { interface: iface, function: fn, input, output } = payload;
    if (typeof iface !== 'string') throw new Bad(`data.interface: expected a string, got ${describeValue(iface)}`);
    if (typeof fn !== 'string') throw new Bad(`data.function: expected a string, got ${describeValue(fn)}`);
    return { call: hostCall(fn, iface, input, output), fields: { input: showTagged(input), output: showTagged(output) } };
  }
  const fields: Record<string, FieldValue> = {};
  for (const [kind, body] of Object.entries(payload)) {
    if (kind === 'category' || !isPlainObject(body)) continue;
    for (const [key, value] of Object.entries(body)) fields[key] = typeof value === 'string' ? value : jsonOf(value);
    if (kind === 'WasmError') {
      // Theater records an init err and a trap alike; the message tells them apart.
      const message = String(body.message ?? '');
      return { call: { kind: 'end', outcome: /trap|unreachable|RuntimeError/i.test(message) ? 'trap' : 'err', message }, fields };
    }
    if (kind === 'WasmResult') return { call: { kind: 'end', outcome: 'ok', message: '' }, fields };
  }
  return { call: { kind: 'other' }, fields };
}

/** Parses Theater's chain.json text: one actor per file, labelled `name`. */
export function fromTheater(source: string, name: string): ActorChain[] {
  return fromTheaterSource(bufferChunks(Buffer.from(source)), name);
}

/** The same from chunks: the array is read an element at a time (events/theater/elements.ts), never as one string. */
export function fromTheaterSource(source: ChunkSource, name: string): ActorChain[] {
  const elements = new ElementReader(source);
  const events: ChainEvent[] = [];
  try {
    for (let text = elements.next(); text !== null; text = elements.next()) events.push(eventOf(text, events.length));
  } catch (error) {
    if (error instanceof ElementError) throw new TimelineInputError(`event ${error.index}: ${error.message}`);
    throw error;
  } finally {
    elements.close();
  }
  return [{ label: name, instance: null, events }];
}

function eventOf(text: string, index: number): ChainEvent {
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new Bad(`invalid JSON: ${(error as Error).message}`);
    }
    if (!isPlainObject(raw)) throw new Bad(`expected an event object, got ${describeValue(raw)}`);
    if (typeof raw.event_type !== 'string') throw new Bad(`event_type: expected a string, got ${describeValue(raw.event_type)}`);
    const { call, fields } = decode(raw);
    return { index, line: null, type: raw.event_type, fields, call };
  } catch (error) {
    if (error instanceof Bad) throw new TimelineInputError(`event ${index}: ${error.message}`);
    throw error;
  }
}
