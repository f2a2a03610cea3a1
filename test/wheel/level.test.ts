import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LEVEL_COUNT, SLOTS_PER_LEVEL, WHEEL_SPAN_TICKS,
  levelStartTick, listIdFor, slotTicks,
} from '../../src/wheel/level.ts';
import { levelFor, OVERFLOW_LEVEL, slotFor } from './level-oracle.ts';

// Reference answers from bigint arithmetic, which has no 32-bit pitfalls.
const B64 = 64n;
function refLevel(nowTick: number, deadlineTick: number): number {
  for (let level = 0; level < LEVEL_COUNT; level++) {
    const spanTicks = B64 ** BigInt(level + 1);
    if (BigInt(nowTick) / spanTicks === BigInt(deadlineTick) / spanTicks) return level;
  }
  return OVERFLOW_LEVEL;
}
function refSlot(tick: number, level: number): number {
  return Number((BigInt(tick) / B64 ** BigInt(level)) % B64);
}
function refLevelStart(tick: number, level: number): number {
  const spanTicks = B64 ** BigInt(level + 1);
  return Number((BigInt(tick) / spanTicks) * spanTicks);
}

const MAX_TICK = 18_446_744_073_710; // u64::MAX ns, rounded up
/** Every level boundary (and 32-bit word boundaries) with its neighbours ±1. */
const boundaryTicks: number[] = (() => {
  const ticks = new Set<number>([0, 1, 2, MAX_TICK - 1, MAX_TICK, MAX_TICK + 1, Number.MAX_SAFE_INTEGER]);
  const bases = [2 ** 31, 2 ** 32, 2 ** 33, 2 ** 48];
  for (let power = 1; power <= 8; power++) for (const multiple of [1, 2, 63, 64, 65]) bases.push(multiple * 64 ** power);
  for (const base of bases) for (const delta of [-1, 0, 1]) if (base + delta <= Number.MAX_SAFE_INTEGER) ticks.add(base + delta);
  return [...ticks].sort((a, b) => a - b);
})();

test('constants describe 6 levels x 64 slots', () => {
  assert.equal([LEVEL_COUNT, SLOTS_PER_LEVEL, WHEEL_SPAN_TICKS, OVERFLOW_LEVEL], [6, 64, 2 ** 36, 6]);
  assert.equal([0, 1, 2, 3, 4, 5, 6].map(slotTicks), [1, 64, 4096, 262_144, 16_777_216, 1_073_741_824, 2 ** 36]);
});

test('levelFor matches the reference at every boundary pair ±1', () => {
  let pairs = 0;
  for (const nowTick of boundaryTicks) {
    for (const deadlineTick of boundaryTicks) {
      if (deadlineTick < nowTick) continue;
      const want = refLevel(nowTick, deadlineTick);
      const got = levelFor(nowTick, deadlineTick);
      if (got !== want) assert.unreachable(`levelFor(${nowTick}, ${deadlineTick}) = ${got}, want ${want}`);
      pairs++;
    }
  }
  assert.ok(pairs > 5000, `${pairs} pairs`);
});

test('levelFor steps up exactly at each level span from now', () => {
  for (const nowTick of [0, 5, 4095, 2 ** 32 - 3, MAX_TICK - 2 ** 37]) {
    for (let level = 0; level < LEVEL_COUNT; level++) {
      const nextStartTick = refLevelStart(nowTick, level) + slotTicks(level + 1);
      assert.is(levelFor(nowTick, nextStartTick - 1), refLevel(nowTick, nextStartTick - 1));
      assert.ok(levelFor(nowTick, nextStartTick - 1) <= level, `now ${nowTick} level ${level}`);
      assert.is(levelFor(nowTick, nextStartTick), Math.min(refLevel(nowTick, nextStartTick), OVERFLOW_LEVEL));
      assert.ok(levelFor(nowTick, nextStartTick) > level, `now ${nowTick} level ${level}`);
    }
  }
});

test('listIdFor is levelFor and slotFor fused, or -1 beyond the wheel, at every boundary pair ±1', () => {
  for (const nowTick of boundaryTicks) {
    for (const deadlineTick of boundaryTicks) {
      if (deadlineTick < nowTick) continue;
      const level = refLevel(nowTick, deadlineTick);
      const want = level === OVERFLOW_LEVEL ? -1 : level * SLOTS_PER_LEVEL + refSlot(deadlineTick, level);
      const got = listIdFor(nowTick, deadlineTick);
      if (got !== want) assert.unreachable(`listIdFor(${nowTick}, ${deadlineTick}) = ${got}, want ${want}`);
    }
  }
});

test('levelFor of equal ticks is level 0', () => {
  for (const tick of boundaryTicks) assert.is(levelFor(tick, tick), 0);
});

test('slotFor matches the reference at every boundary ±1 and level', () => {
  for (const tick of boundaryTicks) {
    for (let level = 0; level <= LEVEL_COUNT; level++) {
      assert.is(slotFor(tick, level), refSlot(tick, level), `slotFor(${tick}, ${level})`);
    }
  }
});

test('slotFor walks 0..63 and wraps at every level', () => {
  for (let level = 0; level < LEVEL_COUNT; level++) {
    const slotLength = slotTicks(level);
    const slots: number[] = [];
    for (let slot = 0; slot <= SLOTS_PER_LEVEL; slot++) slots.push(slotFor(slot * slotLength + 3 * slotTicks(level + 1), level));
    assert.equal(slots, [...Array.from({ length: 64 }, (_, slot) => slot), 0]);
    assert.is(slotFor(slotLength - 1, level), 0);
    assert.is(slotFor(2 * slotLength - 1, level), 1);
  }
});

test('levelStartTick matches the reference at every boundary ±1 and level', () => {
  for (const tick of boundaryTicks) {
    for (let level = 0; level < LEVEL_COUNT; level++) {
      assert.is(levelStartTick(tick, level), refLevelStart(tick, level), `levelStartTick(${tick}, ${level})`);
    }
  }
});

test.run();
