// Oracles for listIdFor (src/wheel/level.ts): its two steps kept apart, on the
// same 32-bit words, each checked here against bigint arithmetic.
import { BITS_PER_LEVEL, LEVEL_COUNT, slotOfWords } from '../../src/wheel/level.ts';

const WORD = 2 ** 32;

/** levelFor's answer for a deadline outside the wheel's current span. */
export const OVERFLOW_LEVEL = LEVEL_COUNT;

/**
 * The level where `deadlineTick` belongs when the wheel stands at `nowTick`:
 * the 6-bit group of the highest bit in which the two ticks differ (as in
 * tokio's `level_for`). OVERFLOW_LEVEL when they differ at bit 36 or up.
 */
export function levelFor(nowTick: number, deadlineTick: number): number {
  const nowHigh = Math.floor(nowTick / WORD);
  const deadlineHigh = Math.floor(deadlineTick / WORD);
  if (nowHigh !== deadlineHigh) {
    const significantBit = 63 - Math.clz32(nowHigh ^ deadlineHigh);
    return Math.min(Math.floor(significantBit / BITS_PER_LEVEL), OVERFLOW_LEVEL);
  }
  // The low words are < 2^32: `^` reinterprets them as int32 but keeps the bits.
  // `| 63` makes any difference inside the lowest group count as level 0.
  const lowDiff = ((nowTick - nowHigh * WORD) ^ (deadlineTick - deadlineHigh * WORD)) | 63;
  return Math.floor((31 - Math.clz32(lowDiff)) / BITS_PER_LEVEL);
}

/** The slot (0..63) that `tick` falls in at `level`. */
export function slotFor(tick: number, level: number): number {
  const high = Math.floor(tick / WORD);
  return slotOfWords(high, tick - high * WORD, level);
}
