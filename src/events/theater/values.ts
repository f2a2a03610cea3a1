// Theater's tagged values, and compact JSON with exact integers.
//
// Theater's chain stores each event's payload as the UTF-8 bytes of compact
// JSON, and host-call inputs and outputs as tagged values: {"U64":n},
// {"U32":n}, {"Bool":b}, {"List":[…]}, {"Tuple":[…]} (unit is {"Tuple":[]}).
// A u64 may exceed 2^53, so these values are written from bigint, digit for
// digit, and read back exactly by parseJsonExact (base/exact-json.ts). Pure
// functions: the recorder, the verifier and a replayer share them.

import type { Json } from '../../base/exact-json.ts';
import { U32_MAX, U64_MAX } from '../../base/units.ts';

export type TheaterValue =
  | { U64: bigint }
  | { U32: number }
  | { Bool: boolean }
  | { List: TheaterValue[] }
  | { Tuple: TheaterValue[] };

export const u64 = (value: bigint): TheaterValue => ({ U64: value });
export const u32 = (value: number): TheaterValue => ({ U32: value });
export const bool = (value: boolean): TheaterValue => ({ Bool: value });
export const list = (items: TheaterValue[]): TheaterValue => ({ List: items });
export const tuple = (items: TheaterValue[]): TheaterValue => ({ Tuple: items });
export const UNIT: TheaterValue = Object.freeze({ Tuple: Object.freeze([]) as unknown as TheaterValue[] });

/** Compact JSON (no spaces), keys in insertion order, bigint as plain digits. */
export function compactJson(value: Json): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(compactJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${compactJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The UTF-8 bytes of compactJson(value), as the numbers Theater's `data` holds. */
export function jsonBytes(value: Json): number[] {
  return Array.from(Buffer.from(compactJson(value), 'utf8'));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function integerIn(value: unknown, max: bigint): boolean {
  if (typeof value === 'bigint') return value >= 0n && value <= max;
  // A number past 2^53 arrives only where the parser had no source text (Node < 21): checked as read.
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && BigInt(value) <= max;
}

/** Why `value` is not a tagged value, naming where (`at`), or null when it is one. */
export function valueError(value: unknown, at: string): string | null {
  if (!isObject(value) || Object.keys(value).length !== 1) return `${at}: expected a tagged value such as {"U64":n}, got ${compactJson(value as Json)}`;
  const [[tag, inner]] = Object.entries(value);
  switch (tag) {
    case 'U64': return integerIn(inner, U64_MAX) ? null : `${at}.U64: expected an integer in 0..2^64-1, got ${compactJson(inner as Json)}`;
    case 'U32': return integerIn(inner, BigInt(U32_MAX)) ? null : `${at}.U32: expected an integer in 0..2^32-1, got ${compactJson(inner as Json)}`;
    case 'Bool': return typeof inner === 'boolean' ? null : `${at}.Bool: expected true or false, got ${compactJson(inner as Json)}`;
    case 'List':
    case 'Tuple': {
      if (!Array.isArray(inner)) return `${at}.${tag}: expected an array, got ${compactJson(inner as Json)}`;
      for (let i = 0; i < inner.length; i++) {
        const error = valueError(inner[i], `${at}.${tag}[${i}]`);
        if (error !== null) return error;
      }
      return null;
    }
    default: return `${at}: unknown tag ${JSON.stringify(tag)} (known: U64, U32, Bool, List, Tuple)`;
  }
}
