// TimeSource as a pure unit: origin, ns -> tick both ways, ms until a tick.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimeSource } from '../../src/clock/time-source.ts';
import { FakeClock, MS } from '../support/fake-time.ts';

test('the origin is the clock at construction; ticks count whole ms from it', () => {
  const clock = new FakeClock(5n * MS + 123n);
  const time = new TimeSource(clock);
  assert.is(time.originNs, 5n * MS + 123n);
  assert.is(time.nowTick(), 0);
  clock.advanceNs(MS - 1n);
  assert.is(time.nowTick(), 0);
  clock.advanceNs(1n);
  assert.is(time.nowTick(), 1);
  assert.is(time.nowNs(), clock.ns);
  assert.is(time.tickOf(time.originNs - 1n), 0, 'before the origin is tick 0');
});

test('deadlines round up, now rounds down, and tickStartNs inverts both on the grid', () => {
  const time = new TimeSource(new FakeClock(1_000n));
  assert.is(time.deadlineToTick(1_000n), 0);
  assert.is(time.deadlineToTick(1_001n), 1);
  assert.is(time.deadlineToTick(1_000n + MS), 1);
  assert.is(time.deadlineToTick(1_001n + MS), 2);
  assert.is(time.tickOf(1_000n + 2n * MS - 1n), 1);
  for (const tick of [0, 1, 7, 86_400_000]) {
    assert.is(time.tickOf(time.tickStartNs(tick)), tick);
    assert.is(time.deadlineToTick(time.tickStartNs(tick)), tick);
  }
});

test('msUntilTick is measured from the exact now, and negative once the tick has passed', () => {
  const clock = new FakeClock(0n);
  const time = new TimeSource(clock);
  assert.is(time.msUntilTick(10), 10);
  clock.advanceNs(2n * MS + 500_000n);
  assert.is(time.msUntilTick(10), 7.5);
  clock.advanceNs(10n * MS);
  assert.is(time.msUntilTick(10), -2.5);
});

test.run();
