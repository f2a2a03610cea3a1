// Verifier for Theater's chain.json, the one set of checks `verify` and a
// replay make: the file is one JSON array (read an element at a time,
// elements.ts), each event's shape, no duplicate key, every SHA-1 and parent
// link, and for the events this handler writes (host calls on wasi clocks and
// poll, "wasm", "shutdown") the payload (payload.ts). The ends: an empty array
// is no chain; the first event's parent_hash is null (a chain whose beginning
// was cut links to a parent it lacks); the last is the "shutdown" call every
// recorder writes when the actor stops (a chain cut after any other event, or
// closed early, lacks it). Other handlers' payloads are checked as bytes only.
// It keeps going after an error so the summary counts the whole file (unless
// the array itself cannot be read on), and reports the first bad event by its
// index in the array (from 0).

import { describeValue, isPlainObject } from '../../base/text.ts';
import { duplicateKey } from '../../base/json-keys.ts';
import type { Json } from '../../base/exact-json.ts';
import { bufferChunks, fileChunks, type ChunkSource } from '../chunks.ts';
import { ElementError, ElementReader } from './elements.ts';
import { theaterHash } from './event.ts';
import { checkPayload } from './payload.ts';

export interface TheaterVerifyResult {
  ok: boolean;
  events: number;
  countsByType: Record<string, number>;
  /** The last event's hash, as hex. */
  head: string | null;
  errors: number;
  firstError?: { index: number; message: string };
}

/** An event that passed every check: its type, hash, and (for our event types) its parsed payload. */
export interface CheckedTheaterEvent {
  index: number;
  eventType: string;
  hash: number[];
  payload: Json | null;
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

function linkError(index: number, parent: number[] | null, expected: number[] | null): string | null {
  if (sameBytes(parent, expected)) return null;
  if (index === 0) return `parent_hash ${hex(parent!).slice(0, 12)}: the first event's parent_hash must be null (a chain whose beginning was cut links to a parent it lacks)`;
  return `parent_hash ${parent === null ? 'null' : hex(parent).slice(0, 12)} does not match the previous event's hash ${expected === null ? '(unreadable)' : hex(expected).slice(0, 12)}`;
}

/**
 * A repeated key in an event whose shape passed (one object; number arrays and
 * one string inside): with no quote or backslash in event_type, its text holds
 * exactly 10 quotes (4 keys and event_type) unless a key repeats. Counting them
 * is native work; the full scan runs only when the count says so.
 */
function outerDuplicate(text: string, eventType: string): string | null {
  if (!/["\\]/.test(eventType)) {
    let quotes = 0;
    for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) quotes++;
    if (quotes === 10) return null;
  }
  return duplicateKey(text);
}

/**
 * Checks a chain's events in order: push each element's text, then finish.
 * push returns the event's values when it passed every check, else null.
 */
export class TheaterChecker {
  #result: TheaterVerifyResult = { ok: true, events: 0, countsByType: {}, head: null, errors: 0 };
  #previous: number[] | null = null;
  #lastType: string | null = null;

  get firstError(): TheaterVerifyResult['firstError'] { return this.#result.firstError; }

  #fail(index: number, message: string): null {
    this.#result.errors++;
    this.#result.firstError ??= { index, message };
    return null;
  }

  /** The array itself could not be read on (elements.ts): counted, and nothing after it is read. */
  reject(index: number, message: string): void {
    this.#fail(index, message);
  }

  push(text: string): CheckedTheaterEvent | null {
    const index = this.#result.events++;
    const expectedParent = this.#previous;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      this.#previous = null;
      return this.#fail(index, `invalid JSON: ${(error as Error).message}`);
    }
    this.#previous = isPlainObject(event) && isHash(event.hash) ? event.hash : null;
    this.#lastType = isPlainObject(event) && typeof event.event_type === 'string' ? event.event_type : null;
    this.#result.head = this.#previous === null ? null : hex(this.#previous);
    if (!isPlainObject(event)) return this.#fail(index, `expected an object, got ${describeValue(event)}`);
    if (this.#lastType !== null) this.#result.countsByType[this.#lastType] = (this.#result.countsByType[this.#lastType] ?? 0) + 1;
    const shape = shapeError(event);
    if (shape !== null) return this.#fail(index, shape);
    const duplicate = outerDuplicate(text, event.event_type as string);
    if (duplicate !== null) return this.#fail(index, `duplicate key ${JSON.stringify(duplicate)}`);
    const { hash, parent_hash: parent, event_type: eventType, data } = event as { hash: number[]; parent_hash: number[] | null; event_type: string; data: number[] };
    const link = linkError(index, parent, expectedParent);
    if (link !== null) return this.#fail(index, link);
    const computed = theaterHash(parent, eventType, data);
    if (!sameBytes(computed, hash)) return this.#fail(index, `hash mismatch: event says ${hex(hash).slice(0, 12)}, recomputed ${hex(computed).slice(0, 12)}`);
    const checked = checkPayload(eventType, data);
    if ('error' in checked) return this.#fail(index, checked.error);
    return { index, eventType, hash, payload: checked.payload };
  }

  /** The verdict: an empty chain, or one that does not end with "shutdown", fails here. */
  finish(): TheaterVerifyResult {
    const result = this.#result;
    if (result.events === 0 && result.errors === 0) this.#fail(0, 'no events: an empty array is no chain (a recorded chain opens with the init call)');
    else if (result.errors === 0 && this.#lastType !== 'shutdown') {
      this.#fail(result.events, `the last event is ${JSON.stringify(this.#lastType)}, not "shutdown": the chain was cut short after ${result.events} events`);
    }
    result.ok = result.errors === 0;
    return result;
  }
}

/** Verifies the chain read from `source` (closed at the end). */
export function verifyTheaterSource(source: ChunkSource): TheaterVerifyResult {
  const checker = new TheaterChecker();
  const elements = new ElementReader(source);
  try {
    for (let text = elements.next(); text !== null; text = elements.next()) checker.push(text);
  } catch (error) {
    if (!(error instanceof ElementError)) throw error;
    checker.reject(error.index, error.message);
  } finally {
    elements.close();
  }
  return checker.finish();
}

export function verifyTheaterChain(text: string): TheaterVerifyResult {
  return verifyTheaterSource(bufferChunks(Buffer.from(text)));
}

/** The file at `path`, streamed: memory does not grow with it. */
export function verifyTheaterFile(path: string): TheaterVerifyResult {
  return verifyTheaterSource(fileChunks(path));
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
