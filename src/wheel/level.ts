// Slot and level arithmetic for a 6-level x 64-slot wheel, in ticks (the
// TimeSource's: 0.1 ms in real time, 1 ms in virtual time). Level L has 64
// slots of 64^L ticks each, so it spans 64^(L+1) ticks; the whole wheel spans
// 64^6 = 2^36 ticks (about 80 days of 0.1 ms ticks, 795 days of 1 ms ones).
// Ticks reach ~1.8e14 (u64::MAX ns in 0.1 ms ticks), past 32 bits, so nothing
// here applies a bitwise operator to a whole tick: ticks are split into 32-bit words with Math.floor on purpose,
// and only those words and small slot numbers meet bitwise operators.

export {
  BITS_PER_LEVEL,
  LEVEL_COUNT,
  SLOTS_PER_LEVEL,
  SLOT_COUNT,
  WHEEL_SPAN_TICKS,
  levelStartTick,
  listIdFor,
  slotOfWords,
  slotTicks,
};

const BITS_PER_LEVEL = 6;
const SLOTS_PER_LEVEL = 64;
const LEVEL_COUNT = 6;
const SLOT_COUNT = LEVEL_COUNT * SLOTS_PER_LEVEL;
const WHEEL_SPAN_TICKS = SLOTS_PER_LEVEL ** LEVEL_COUNT;
const WORD = 2 ** 32;
/** Multiplying by 2^-32 is exact and cheaper than dividing by 2^32. */
const PER_WORD = 2 ** -32;

/** SLOT_TICKS[L] = 64^L, for L in 0..6; index 6 is the whole wheel's span. */
const SLOT_TICKS = new Float64Array(LEVEL_COUNT + 1);
for (let level = 0; level <= LEVEL_COUNT; level++) SLOT_TICKS[level] = SLOTS_PER_LEVEL ** level;

/** Ticks covered by one slot of `level` (64^level). */
function slotTicks(level: number): number {
  return SLOT_TICKS[level];
}

/**
 * Where `deadlineTick` is filed when the wheel stands at `nowTick`: the list id
 * level * 64 + slot, or -1 beyond the wheel (overflow): the level is the 6-bit
 * group of the highest bit in which the two ticks differ (as in tokio's
 * `level_for`), so ticks equal above that group share every higher slot, the
 * entry sits at a slot strictly after now's at that level, and nothing ever
 * wraps around a level. Each tick is split into words once: this runs on every
 * schedule. (test/wheel/level-oracle.ts keeps the two steps apart, as oracles.)
 */
function listIdFor(nowTick: number, deadlineTick: number): number {
  const nowHigh = Math.floor(nowTick * PER_WORD);
  const deadlineHigh = Math.floor(deadlineTick * PER_WORD);
  const deadlineLow = deadlineTick - deadlineHigh * WORD;
  let level: number;
  if (nowHigh === deadlineHigh) {
    level = Math.floor((31 - Math.clz32(((nowTick - nowHigh * WORD) ^ deadlineLow) | 63)) / BITS_PER_LEVEL);
  } else {
    if (63 - Math.clz32(nowHigh ^ deadlineHigh) >= BITS_PER_LEVEL * LEVEL_COUNT) return -1;
    level = LEVEL_COUNT - 1;
  }
  return level * SLOTS_PER_LEVEL + slotOfWords(deadlineHigh, deadlineLow, level);
}

/** Bits 6L..6L+5 of the tick whose 32-bit words are `high` and `low` (both < 2^32). */
function slotOfWords(high: number, low: number, level: number): number {
  const shift = level * BITS_PER_LEVEL;
  if (shift <= 26) return (low >>> shift) & 63;
  if (shift < 32) return ((low >>> shift) | (high << (32 - shift))) & 63;
  return (high >>> (shift - 32)) & 63;
}

/** The first tick of the current rotation of `level` (the level's slot 0) around `nowTick`. */
function levelStartTick(nowTick: number, level: number): number {
  const spanTicks = SLOT_TICKS[level + 1];
  return Math.floor(nowTick / spanTicks) * spanTicks;
}
