// Shape of the payloads this handler writes into Theater's chain: host calls
// on wasi:clocks and wasi:io/poll (any version), "wasm" and "shutdown".
// Each function's input and output must match the table Theater's timing
// handler recorded (docs/CHAINS.md). Payloads of other event
// types belong to other handlers and are not read.

import { describeValue, isPlainObject } from '../../base/text.ts';
import { parseJsonExact, type Json } from '../../base/exact-json.ts';
import { duplicateKey } from '../../base/json-keys.ts';
import { compactJson, valueError } from './values.ts';

const HOST_CALL = /^(wasi:clocks\/monotonic-clock|wasi:clocks\/wall-clock|wasi:clocks\/system-clock|wasi:io\/poll)@([^/]+)\/(.+)$/;

/** Tag patterns: `unit`, `U64`, `U32`, `Bool`, `dt` = Tuple[U64, U32], `handle+deadline` = Tuple[U32, U64], `U32*` = List of U32. */
type Pattern = 'unit' | 'U64' | 'U32' | 'Bool' | 'dt' | 'handle+deadline' | 'U32*';

const SIGNATURES: Readonly<Record<string, Readonly<Record<string, readonly [Pattern, Pattern]>>>> = {
  'wasi:clocks/monotonic-clock': {
    now: ['unit', 'U64'],
    resolution: ['unit', 'U64'],
    'subscribe-instant': ['U64', 'U32'],
    'subscribe-duration': ['U64', 'handle+deadline'],
    // WASI 0.3 (our records: Theater never recorded 0.3; docs/P3.md)
    'get-resolution': ['unit', 'U64'],
    'wait-for': ['U64', 'unit'],
    'wait-until': ['U64', 'unit'],
  },
  'wasi:clocks/wall-clock': { now: ['unit', 'dt'], resolution: ['unit', 'dt'] },
  'wasi:clocks/system-clock': { now: ['unit', 'dt'], 'get-resolution': ['unit', 'U64'] },
  'wasi:io/poll': { '[method]pollable.ready': ['U32', 'Bool'], '[method]pollable.block': ['U32', 'unit'], poll: ['U32*', 'U32*'] },
};

const tagged = (value: unknown, tag: string): unknown => (isPlainObject(value) ? value[tag] : undefined);
const items = (value: unknown, tag: string): unknown[] | null => {
  const inner = tagged(value, tag);
  return Array.isArray(inner) ? inner : null;
};

function matches(value: unknown, pattern: Pattern): boolean {
  switch (pattern) {
    case 'unit': return items(value, 'Tuple')?.length === 0;
    case 'U64': case 'U32': case 'Bool': return tagged(value, pattern) !== undefined;
    case 'dt': { const t = items(value, 'Tuple'); return t?.length === 2 && matches(t[0], 'U64') && matches(t[1], 'U32'); }
    case 'handle+deadline': { const t = items(value, 'Tuple'); return t?.length === 2 && matches(t[0], 'U32') && matches(t[1], 'U64'); }
    case 'U32*': return items(value, 'List')?.every((v) => matches(v, 'U32')) ?? false;
  }
}

function hostCallError(payload: Record<string, unknown>, iface: string, version: string, fn: string): string | null {
  const name = `${iface}@${version}`;
  if (payload.category !== 'HostFunction') return `data.category: expected "HostFunction", got ${describeValue(payload.category)}`;
  if (payload.interface !== name) return `data.interface: expected ${JSON.stringify(name)} (from event_type), got ${describeValue(payload.interface)}`;
  if (payload.function !== fn) return `data.function: expected ${JSON.stringify(fn)} (from event_type), got ${describeValue(payload.function)}`;
  const signature = SIGNATURES[iface][fn];
  if (signature === undefined) return `event_type: unknown function ${JSON.stringify(fn)} of ${iface}`;
  for (const [field, pattern] of [['input', signature[0]], ['output', signature[1]]] as const) {
    const error = valueError(payload[field], `data.${field}`);
    if (error !== null) return error;
    if (!matches(payload[field], pattern)) return `data.${field}: not the shape ${fn} records (${pattern})`;
  }
  return null;
}

function wasmError(payload: Record<string, unknown>, eventType: string): string | null {
  if (payload.category !== 'Wasm') return `data.category: expected "Wasm", got ${describeValue(payload.category)}`;
  const kinds = ['WasmCall', 'WasmResult', 'WasmError'].filter((k) => Object.hasOwn(payload, k));
  if (kinds.length !== 1) return `data: expected exactly one of WasmCall, WasmResult, WasmError, got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`;
  const kind = kinds[0];
  const body = payload[kind];
  if (!isPlainObject(body) || typeof body.function_name !== 'string') return `data.${kind}.function_name: expected a string`;
  if (eventType === 'shutdown' && (kind !== 'WasmCall' || body.function_name !== 'shutdown')) return 'data: a shutdown event holds WasmCall "shutdown"';
  if (kind === 'WasmCall' && !(Array.isArray(body.params) && body.params.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255))) {
    return 'data.WasmCall.params: expected an array of bytes';
  }
  if (kind === 'WasmResult' && !Array.isArray(body.result)) return 'data.WasmResult.result: expected an array';
  if (kind === 'WasmError' && typeof body.message !== 'string') return 'data.WasmError.message: expected a string';
  return null;
}

/** Why the payload of an event of ours is malformed, or null (also for other handlers' events). */
export function payloadError(eventType: string, data: readonly number[]): string | null {
  const checked = checkPayload(eventType, data);
  return 'error' in checked ? checked.error : null;
}

/**
 * The payload of an event of ours, parsed (u64 values exact) and checked, or
 * why it is refused; `payload` null for other handlers' events (not read).
 * The bytes must be exactly the compact JSON Theater writes, so a duplicate
 * key, a number not written as plain digits (1e3, 1.0) or extra spacing fail.
 */
export function checkPayload(eventType: string, data: readonly number[]): { payload: Json | null } | { error: string } {
  const call = HOST_CALL.exec(eventType);
  if (call === null && eventType !== 'wasm' && eventType !== 'shutdown') return { payload: null };
  let text: string;
  let payload: Json;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(data));
    payload = parseJsonExact(text);
  } catch (error) {
    return { error: `data: not the UTF-8 bytes of a JSON payload (${(error as Error).message})` };
  }
  if (!isPlainObject(payload)) return { error: `data: expected a JSON object, got ${describeValue(payload)}` };
  const duplicate = duplicateKey(text);
  if (duplicate !== null) return { error: `data: duplicate key ${JSON.stringify(duplicate)}` };
  const error = call === null ? wasmError(payload, eventType) : hostCallError(payload, call[1], call[2], call[3]);
  if (error !== null) return { error };
  if (compactJson(payload) !== text) return { error: 'data: not the compact JSON Theater writes (spacing, escapes, or a number not written as plain digits)' };
  return { payload };
}
