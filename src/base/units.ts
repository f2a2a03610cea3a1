// The one spelling of the constants every layer shares: time, and the largest values.

/** Nanoseconds per millisecond (one virtual-time wheel tick; real time ticks every 0.1 ms). */
export const NS_PER_MS = 1_000_000n;
/** Nanoseconds per second. */
export const NS_PER_S = 1_000_000_000n;
/** The largest u64: WASI instants and durations saturate here. */
export const U64_MAX = (1n << 64n) - 1n;
/** The largest u32: pollable handles, counts and indices in the event chains. */
export const U32_MAX = 0xffff_ffff;
/**
 * The most bytes of state init may be given or return, and the longest err
 * message it may return (in UTF-8 bytes): 64 MiB. The CLI shows a binary state
 * as hex (two characters a byte) in a JSON line, and a JavaScript string holds
 * at most 2^29 - 24 characters: 64 MiB leaves room for both, and for a fleet's
 * summary beside it. Past it init traps (actor.ts) or the input is refused.
 */
export const MAX_STATE_BYTES = 64 * 2 ** 20;
