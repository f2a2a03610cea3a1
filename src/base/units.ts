// The one spelling of the time constants every layer shares.

/** Nanoseconds per millisecond (one virtual-time wheel tick; real time ticks every 0.1 ms). */
export const NS_PER_MS = 1_000_000n;
/** Nanoseconds per second. */
export const NS_PER_S = 1_000_000_000n;
/** The largest u64: WASI instants and durations saturate here. */
export const U64_MAX = (1n << 64n) - 1n;
/** The largest u32: pollable handles, counts and indices in the event chains. */
export const U32_MAX = 0xffff_ffff;
