// JSON.parse that keeps integers beyond 2^53 exact. Theater writes u64 values
// (monotonic instants, deadlines) as bare JSON numbers, which JSON.parse would
// round: here an integer that is not a safe integer is read back from its source
// text (the reviver's context, Node >= 21) as a bigint, digit for digit. Every
// other value, strings included, is what JSON.parse makes of it.

/** A JSON value whose integers may be bigint (written exactly). */
const LONG_DIGITS = /[0-9]{16}/;

export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

/**
 * JSON.parse keeping integers exact: an integer beyond 2^53 becomes a bigint.
 * Needs the reviver's source text (Node >= 21); without it such integers are rounded.
 */
export function parseJsonExact(text: string): Json {
  // An integer of at most 15 digits is safe, so text without a run of 16 digits needs no
  // reviver: and plain JSON.parse, unlike the reviver's walk, reads any nesting depth.
  if (!LONG_DIGITS.test(text)) return JSON.parse(text) as Json;
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?[0-9]+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  }) as Json;
}
