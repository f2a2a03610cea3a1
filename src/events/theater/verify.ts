// Verifier for Theater's chain.json: the JSON, every event's shape, every
// SHA-1 and every parent link, and for the events this handler writes (host
// calls on wasi clocks and poll, "wasm", "shutdown") the payload's shape.
// Other handlers' payloads are checked as bytes only. It keeps going after an
// error so the summary counts the whole file, and reports the first bad event
// by its index in the array (from 0).

import { describeValue, isPlainObject } from '../../base/text.ts';
import { theaterHash } from './event.ts';
import { payloadError } from './payload.ts';

export interface TheaterVerifyResult {
  ok: boolean;
  events: number;
  countsByType: Record<string, number>;
  /** The last event's hash, as hex. */
  head: string | null;
  errors: number;
  firstError?: { index: number; message: string };
}

const EVENT_KEYS = ['hash', 'parent_hash', 'event_type', 'data'];
const isByte = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;
const isBytes = (v: unknown): v is number[] => Array.isArray(v) && v.every(isByte);
const isHash = (v: unknown): v is number[] => isBytes(v) && v.length === 20;
const hex = (bytes: readonly number[]): string => Buffer.from(bytes).toString('hex');
const sameBytes = (a: readonly number[] | null, b: readonly number[] | null): boolean =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]));

/** True when the text is a Theater chain (a JSON array), not our JSON Lines. */
export function looksLikeTheaterChain(text: string): boolean {
  return text.trimStart().startsWith('[');
}

function shapeError(v: Record<string, unknown>): string | null {
  const extra = Object.keys(v).find((key) => !EVENT_KEYS.includes(key));
  if (extra !== undefined) return `${extra}: unknown field (known: ${EVENT_KEYS.join(', ')})`;
  const missing = EVENT_KEYS.find((key) => !Object.hasOwn(v, key));
  if (missing !== undefined) return `${missing}: missing`;
  if (!isHash(v.hash)) return `hash: expected 20 numbers in 0..255, got ${describeValue(v.hash)}`;
  if (v.parent_hash !== null && !isHash(v.parent_hash)) return `parent_hash: expected null or 20 numbers in 0..255, got ${describeValue(v.parent_hash)}`;
  if (typeof v.event_type !== 'string' || v.event_type === '') return `event_type: expected a non-empty string, got ${describeValue(v.event_type)}`;
  if (!isBytes(v.data)) return `data: expected an array of numbers in 0..255, got ${describeValue(v.data)}`;
  return null;
}

export function verifyTheaterChain(text: string): TheaterVerifyResult {
  const result: TheaterVerifyResult = { ok: true, events: 0, countsByType: {}, head: null, errors: 0 };
  const fail = (index: number, message: string): void => {
    result.errors++;
    result.firstError ??= { index, message };
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(0, `invalid JSON: ${(error as Error).message}`);
    result.ok = false;
    return result;
  }
  if (!Array.isArray(parsed)) {
    fail(0, `expected a JSON array of events, got ${describeValue(parsed)}`);
    result.ok = false;
    return result;
  }
  result.events = parsed.length;
  let previous: number[] | null = null;
  parsed.forEach((event: unknown, index) => {
    const expectedParent = previous;
    previous = isPlainObject(event) && isHash(event.hash) ? event.hash : null;
    if (!isPlainObject(event)) return fail(index, `expected an object, got ${describeValue(event)}`);
    if (typeof event.event_type === 'string') result.countsByType[event.event_type] = (result.countsByType[event.event_type] ?? 0) + 1;
    const shape = shapeError(event);
    if (shape !== null) return fail(index, shape);
    const { hash, parent_hash: parent, event_type: eventType, data } = event as { hash: number[]; parent_hash: number[] | null; event_type: string; data: number[] };
    if (!sameBytes(parent, expectedParent)) {
      return fail(index, `parent_hash ${parent === null ? 'null' : hex(parent).slice(0, 12)} does not match the previous event's hash ${expectedParent === null ? '(none: the first event has parent_hash null)' : hex(expectedParent).slice(0, 12)}`);
    }
    const computed = theaterHash(parent, eventType, data);
    if (!sameBytes(computed, hash)) return fail(index, `hash mismatch: event says ${hex(hash).slice(0, 12)}, recomputed ${hex(computed).slice(0, 12)}`);
    const payload = payloadError(eventType, data);
    if (payload !== null) fail(index, payload);
  });
  const last = parsed.at(-1) as unknown;
  result.head = isPlainObject(last) && isHash(last.hash) ? hex(last.hash) : null;
  result.ok = result.errors === 0;
  return result;
}

/** A few lines for the CLI: verdict, size and head, counts by event_type. */
export function formatTheaterSummary(result: TheaterVerifyResult): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const head = result.head === null ? 'none' : result.head.slice(0, 12);
  const out = result.firstError === undefined
    ? [`theater chain ok: ${plural(result.events, 'event')}, head ${head}`]
    : [`theater chain INVALID: event ${result.firstError.index}: ${result.firstError.message}`, `${plural(result.errors, 'error')} in ${plural(result.events, 'event')}`];
  const types = Object.entries(result.countsByType);
  const width = Math.max(0, ...types.map(([type]) => type.length));
  for (const [type, count] of types) out.push(`  ${type.padEnd(width)}  ${count}`);
  return out.join('\n');
}
