import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deadlineTick } from '../../src/clock/ticks.ts';
import { ELAPSED, TimerWheel } from '../../src/wheel/wheel.ts';

const SPAN = 2 ** 36;
const U64_MAX_TICK = deadlineTick(2n ** 64n - 1n, 0n);

/** Advances and returns the payloads fired, in order. */
function advanceTo(wheel: TimerWheel, nowTick: number): number[] {
  const fired: number[] = [];
  const count = wheel.advance(nowTick, (payload) => fired.push(payload));
  assert.is(count, fired.length);
  return fired;
}

test('options are validated with the bad value echoed', () => {
  assert.throws(() => new TimerWheel({ capacity: 0 }), /capacity .* got 0 \(number\)/);
  assert.throws(() => new TimerWheel({ capacity: 1.5 }), /got 1\.5/);
  assert.throws(() => new TimerWheel({ capacity: 2 ** 24 + 1 }), /capacity/);
  assert.throws(() => new TimerWheel({ nowTick: -1 }), /nowTick .* got -1 \(number\)/);
  assert.throws(() => new TimerWheel({ nowTick: Number('x') }), /got NaN/);
  const wheel = new TimerWheel({ nowTick: 500 });
  assert.equal([wheel.nowTick, wheel.size, wheel.nextExpiry()], [500, 0, Infinity]);
});

test('schedule returns ELAPSED for deadlines at or before now, and validates its inputs', () => {
  const wheel = new TimerWheel({ nowTick: 100 });
  assert.equal([wheel.schedule(100, 1), wheel.schedule(99, 1), wheel.schedule(-5, 1), wheel.schedule(-Infinity, 1)], [ELAPSED, ELAPSED, ELAPSED, ELAPSED]);
  assert.is(wheel.size, 0);
  for (const bad of [NaN, 100.5, Infinity, 2 ** 53]) assert.throws(() => wheel.schedule(bad, 1), /safe integer deadlineTick/);
  for (const bad of [-1, 2 ** 32, 0.5]) assert.throws(() => wheel.schedule(101, bad), /u32 payload/);
  assert.ok(wheel.schedule(101, 2 ** 32 - 1) >= 0);
  assert.equal(advanceTo(wheel, 101), [2 ** 32 - 1]);
});

test('advance validates nowTick, refuses re-entry and never moves backwards', () => {
  const wheel = new TimerWheel({ nowTick: 10 });
  assert.throws(() => wheel.advance(NaN, () => {}), /nowTick must be a safe integer, got NaN/);
  wheel.schedule(12, 7);
  assert.equal(advanceTo(wheel, 3), []);
  assert.is(wheel.nowTick, 10);
  let inner: unknown;
  wheel.advance(12, () => {
    try { wheel.advance(20, () => {}); } catch (error) { inner = error; }
  });
  assert.match(String(inner), /called again from inside onExpire/);
  assert.is(wheel.nowTick, 12);
});

test('every deadline at a level boundary ±1 fires exactly on its tick', () => {
  const starts = [0, 1, 63, 64, 4095, 2 ** 32 - 2, SPAN - 70, 3 * SPAN + 12_345];
  let checked = 0;
  for (const startTick of starts) {
    for (let power = 0; power <= 6; power++) {
      const span = 64 ** power;
      const nextAbsolute = (Math.floor(startTick / span) + 1) * span;
      for (const base of [startTick + span, nextAbsolute]) {
        for (const delta of [-1, 0, 1]) {
          const due = base + delta;
          if (due <= startTick) continue;
          const wheel = new TimerWheel({ nowTick: startTick });
          const handle = wheel.schedule(due, 42);
          assert.equal([wheel.deadlineOf(handle), wheel.nextExpiry()], [due, due]);
          assert.equal(advanceTo(wheel, due - 1), [], `start ${startTick} due ${due}: fired early`);
          assert.is(wheel.nextExpiry(), due);
          assert.equal(advanceTo(wheel, due), [42], `start ${startTick} due ${due}: missed`);
          assert.equal([wheel.size, wheel.nextExpiry(), wheel.deadlineOf(handle)], [0, Infinity, -1]);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 250, `${checked}`);
});

test('equal deadlines fire in scheduling order, earliest deadline first', () => {
  const wheel = new TimerWheel();
  wheel.schedule(5000, 1);
  advanceTo(wheel, 100);
  wheel.schedule(5000, 2); // lands in a different level than payload 1 did
  wheel.schedule(4999, 3);
  advanceTo(wheel, 4990);
  wheel.schedule(5000, 4);
  assert.equal(advanceTo(wheel, 6000), [3, 1, 2, 4]);
});

test('handles go stale after firing or cancel, and never cancel a reused entry', () => {
  const wheel = new TimerWheel({ capacity: 1 });
  const first = wheel.schedule(10, 1);
  assert.ok(wheel.cancel(first));
  assert.not.ok(wheel.cancel(first));
  const second = wheel.schedule(20, 2); // reuses the entry
  assert.is.not(second, first);
  assert.not.ok(wheel.cancel(first));
  assert.equal([wheel.deadlineOf(first), wheel.deadlineOf(second), wheel.size], [-1, 20, 1]);
  assert.equal(advanceTo(wheel, 20), [2]);
  assert.equal([wheel.cancel(second), wheel.deadlineOf(second)], [false, -1]);
});

test('unknown and malformed handles are rejected', () => {
  const wheel = new TimerWheel({ capacity: 8 });
  const handle = wheel.schedule(10, 1);
  for (const bad of [ELAPSED, 1, 5, handle + 1, handle + 0.5, handle * 2 ** 10, NaN, Infinity, -Infinity, 2 ** 53]) {
    assert.equal([wheel.cancel(bad), wheel.deadlineOf(bad)], [false, -1], `handle ${bad}`);
  }
  assert.equal([wheel.size, wheel.nextExpiry()], [1, 10]);
});

test('the entry table grows across each doubling without losing timers', () => {
  const wheel = new TimerWheel({ capacity: 1 });
  const handles: number[] = [];
  for (let i = 0; i < 1030; i++) {
    handles.push(wheel.schedule(1 + ((i * 7919) % 5000), i));
    if ((i & (i + 1)) === 0) assert.is(wheel.deadlineOf(handles[0]), 1, `after ${i + 1}`);
  }
  for (let i = 0; i < 1030; i += 3) assert.ok(wheel.cancel(handles[i]));
  const fired = advanceTo(wheel, 5000);
  assert.equal(fired.sort((a, b) => a - b), handles.map((_, i) => i).filter((i) => i % 3 !== 0));
  assert.throws(() => new TimerWheel({ capacity: 2 ** 24 }).schedule(Number('x'), 0), /safe integer/);
});

test('far-future deadlines wait in the overflow and come back into the wheel', () => {
  const wheel = new TimerWheel();
  const dues = [SPAN, SPAN + 1, 2 * SPAN, 2 * SPAN - 1, 5 * SPAN + 77, 2 ** 44 + 3];
  const handles = dues.map((due, i) => wheel.schedule(due, i));
  wheel.schedule(3, 100);
  assert.equal([wheel.nextExpiry(), advanceTo(wheel, 3), wheel.nextExpiry()], [3, [100], SPAN]);
  assert.equal(advanceTo(wheel, SPAN - 1), []);
  assert.equal(advanceTo(wheel, SPAN), [0]);
  assert.equal(advanceTo(wheel, 2 * SPAN), [1, 3, 2]);
  assert.ok(wheel.cancel(handles[4]));
  assert.equal([wheel.nextExpiry(), wheel.size], [2 ** 44 + 3, 1]);
  assert.equal(advanceTo(wheel, 2 ** 44 + 2), []);
  assert.equal(advanceTo(wheel, 2 ** 44 + 3), [5]);
});

test('a deadline just across a rotation boundary goes through the overflow', () => {
  const wheel = new TimerWheel({ nowTick: SPAN - 10 });
  wheel.schedule(SPAN + 5, 1);
  wheel.schedule(SPAN - 5, 2);
  wheel.schedule(2 * SPAN, 3);
  assert.equal(advanceTo(wheel, SPAN + 4), [2]);
  assert.equal([wheel.nextExpiry(), advanceTo(wheel, SPAN + 5)], [SPAN + 5, [1]]);
  assert.equal(advanceTo(wheel, 2 * SPAN), [3]);
});

test('overflow cancels keep the heap ordered', () => {
  const wheel = new TimerWheel();
  const dues = Array.from({ length: 200 }, (_, i) => SPAN + ((i * 104_729) % 100_000) * 1000);
  const handles = dues.map((due, i) => wheel.schedule(due, i));
  const kept: number[] = [];
  dues.forEach((_, i) => {
    if (i % 4 === 1 || i % 7 === 3) assert.ok(wheel.cancel(handles[i]));
    else kept.push(i);
  });
  kept.sort((a, b) => dues[a] - dues[b] || a - b);
  assert.is(wheel.nextExpiry(), dues[kept[0]]);
  assert.equal(advanceTo(wheel, SPAN + 100_000 * 1000), kept);
});

test('u64::MAX ns deadlines work end to end', () => {
  assert.is(U64_MAX_TICK, 18_446_744_073_710);
  const wheel = new TimerWheel();
  const handle = wheel.schedule(U64_MAX_TICK, 9);
  wheel.schedule(U64_MAX_TICK - 1, 8);
  assert.equal([wheel.deadlineOf(handle), wheel.nextExpiry()], [U64_MAX_TICK, U64_MAX_TICK - 1]);
  assert.equal(advanceTo(wheel, U64_MAX_TICK - 2), []);
  assert.equal(advanceTo(wheel, U64_MAX_TICK - 1), [8]);
  assert.equal(advanceTo(wheel, U64_MAX_TICK), [9]);
  const late = new TimerWheel({ nowTick: U64_MAX_TICK - 3 });
  late.schedule(U64_MAX_TICK, 1);
  assert.equal(advanceTo(late, Number.MAX_SAFE_INTEGER), [1]);
});

test('long idle jumps skip empty time and keep later scheduling exact', () => {
  const wheel = new TimerWheel();
  wheel.schedule(5, 1);
  wheel.schedule(1_000_000_007, 2);
  assert.equal(advanceTo(wheel, 10 ** 12), [1, 2]);
  assert.is(wheel.nowTick, 10 ** 12);
  wheel.schedule(10 ** 12 + 64, 3);
  wheel.schedule(10 ** 12 + 1, 4);
  assert.equal([wheel.nextExpiry(), advanceTo(wheel, 10 ** 12 + 63)], [10 ** 12 + 1, [4]]);
  assert.equal(advanceTo(wheel, 10 ** 13), [3]);
});

test('nextExpiry follows schedule and cancel of the earliest timer at every level', () => {
  const wheel = new TimerWheel();
  const late = wheel.schedule(300_000, 1);
  assert.is(wheel.nextExpiry(), 300_000);
  const mid = wheel.schedule(5000, 2);
  const midLater = wheel.schedule(5003, 3);
  assert.is(wheel.nextExpiry(), 5000);
  wheel.cancel(mid);
  assert.is(wheel.nextExpiry(), 5003); // found by scanning a level-2 slot
  wheel.cancel(late);
  wheel.cancel(midLater);
  assert.is(wheel.nextExpiry(), Infinity);
});

test('a throwing callback leaves the rest pending for the next advance', () => {
  const wheel = new TimerWheel();
  for (const payload of [1, 2, 3]) wheel.schedule(50, payload);
  wheel.schedule(60, 4);
  const seen: number[] = [];
  const boom = (payload: number): void => {
    seen.push(payload);
    if (payload === 1) throw new Error('boom');
  };
  assert.throws(() => wheel.advance(100, boom), /boom/);
  assert.equal([seen, wheel.size, wheel.nowTick, wheel.nextExpiry()], [[1], 3, 50, 50]);
  assert.equal(advanceTo(wheel, 50), [2, 3]);
  assert.equal(advanceTo(wheel, 100), [4]);
  assert.equal([wheel.size, wheel.nowTick], [0, 100]);
});

test('callbacks may reschedule and cancel', () => {
  const wheel = new TimerWheel();
  const fired: Array<[number, number]> = [];
  let sibling = -1;
  const onExpire = (payload: number): void => {
    fired.push([payload, wheel.nowTick]);
    if (payload === 1 && wheel.nowTick < 100) wheel.schedule(wheel.nowTick + 10, 1); // periodic, queued after 2 at tick 30
    if (payload === 2) assert.ok(wheel.cancel(sibling)); // due at the same tick, not yet fired
    if (payload === 4) assert.is(wheel.schedule(wheel.nowTick, 5), ELAPSED);
  };
  wheel.schedule(10, 1);
  wheel.schedule(30, 2);
  sibling = wheel.schedule(30, 3);
  wheel.schedule(45, 4);
  assert.is(wheel.advance(1000, onExpire), 12);
  assert.equal(fired, [
    [1, 10], [1, 20], [2, 30], [1, 30], [1, 40], [4, 45], [1, 50], [1, 60], [1, 70], [1, 80], [1, 90], [1, 100],
  ]);
  assert.equal([wheel.size, wheel.nextExpiry(), wheel.nowTick], [0, Infinity, 1000]);
});

test.run();
