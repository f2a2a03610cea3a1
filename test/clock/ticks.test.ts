import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NS_PER_TICK, currentTick, deadlineTick } from '../../src/clock/ticks.ts';

const U64_MAX_NS = 2n ** 64n - 1n;

test('deadlineTick rounds up to whole milliseconds', () => {
  const originNs = 5_000_000_123n;
  const cases: Array<[bigint, number]> = [
    [0n, 0], [1n, 1], [999_999n, 1], [1_000_000n, 1], [1_000_001n, 2],
    [2_000_000n, 2], [63_999_999n, 64], [64_000_000n, 64], [64_000_001n, 65],
  ];
  assert.equal(cases.map(([deltaNs]) => deadlineTick(originNs + deltaNs, originNs)), cases.map(([, tick]) => tick));
});

test('deadlineTick maps deadlines at or before the origin to tick 0', () => {
  assert.equal([deadlineTick(10n, 10n), deadlineTick(9n, 10n), deadlineTick(0n, U64_MAX_NS)], [0, 0, 0]);
});

test('deadlineTick handles u64::MAX ns exactly', () => {
  assert.is(deadlineTick(U64_MAX_NS, 0n), 18_446_744_073_710);
  assert.is(deadlineTick(U64_MAX_NS, 551_614n), 18_446_744_073_710);
  assert.is(deadlineTick(U64_MAX_NS, 551_615n), 18_446_744_073_709);
  assert.is(deadlineTick(U64_MAX_NS, 1_551_614n), 18_446_744_073_709);
  assert.is(deadlineTick(U64_MAX_NS, 1_551_615n), 18_446_744_073_708);
  assert.ok(Number.isSafeInteger(deadlineTick(U64_MAX_NS, 0n)));
});

test('currentTick rounds down and clamps before the origin', () => {
  const originNs = 77n;
  const deltasNs = [-1n, 0n, 1n, 999_999n, 1_000_000n, 1_999_999n, 2_000_000n];
  assert.equal(deltasNs.map((deltaNs) => currentTick(originNs + deltaNs, originNs)), [0, 0, 0, 0, 1, 1, 2]);
  assert.is(currentTick(U64_MAX_NS, 0n), 18_446_744_073_709);
});

test('a deadline is never before the tick in which it falls', () => {
  for (let deltaNs = 0n; deltaNs < 5n * NS_PER_TICK; deltaNs += 99_991n) {
    const dueTick = deadlineTick(deltaNs, 0n);
    assert.ok(currentTick(deltaNs, 0n) <= dueTick);
    assert.ok(BigInt(dueTick) * NS_PER_TICK >= deltaNs, `deadline ${deltaNs} ns -> tick ${dueTick}`);
  }
});

test.run();
