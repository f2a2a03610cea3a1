import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { MAX_TIMER_DELAY_MS, observedResolutionNs, hrtimeClock, nodeTimer } from '../../src/clock/clock.ts';
import { TimeSource } from '../../src/clock/time-source.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

function setup(onExpire?: (payload: number, scheduler: Scheduler) => void) {
  const clock = new FakeClock(0n);
  const timer = new FakeTimer(clock);
  const time = new TimeSource(clock);
  const fired: number[] = [];
  const scheduler: Scheduler = new Scheduler({
    time, timer, capacity: 4,
    onExpire: (payload) => (onExpire === undefined ? fired.push(payload) : onExpire(payload, scheduler)),
  });
  return { clock, timer, time, scheduler, fired };
}

test('arms one native timer, re-armed only for an earlier deadline', () => {
  const { timer, scheduler } = setup();
  scheduler.schedule(50, 1);
  assert.equal(timer.delays, [50]);
  scheduler.schedule(80, 2); // later: no re-arm
  scheduler.schedule(50, 3); // same: no re-arm
  assert.equal(timer.delays, [50]);
  scheduler.schedule(20, 4); // earlier: clear, then arm
  assert.equal(timer.delays, [50, 20]);
  assert.is(timer.pending.length, 1);
  assert.is(timer.maxPending, 1);
  assert.is(scheduler.armed, true);
});

test('firing advances to the fresh tick, fires due payloads in order, re-arms for the next', () => {
  const { timer, scheduler, fired } = setup();
  for (const [deadline, payload] of [[5, 1], [3, 2], [9, 3], [3, 4]]) scheduler.schedule(deadline, payload);
  timer.advanceMs(3);
  assert.equal(fired.sort(), [2, 4]);
  assert.is(scheduler.armed, true);
  assert.equal(timer.delays.at(-1), 2); // 5 - 3
  timer.advanceMs(10);
  assert.equal(fired, [2, 4, 1, 3]);
  assert.is(scheduler.armed, false);
  assert.is(scheduler.pending, 0);
  assert.is(timer.maxPending, 1);
});

test('an early fire reports nothing before its deadline and re-arms', () => {
  const { clock, timer, scheduler, fired } = setup();
  scheduler.schedule(10, 7);
  clock.advanceNs(9n * MS + 999_999n); // 1 ns short of tick 10
  timer.fireEarly();
  assert.equal(fired, []);
  assert.is(scheduler.armed, true);
  assert.is(timer.delays.length, 2);
  assert.is(timer.delays[0], 10);
  // Re-armed for the exact time left (1 ns), not a floored whole tick; Node rounds it up to 1 ms.
  assert.ok(timer.delays[1] > 0 && timer.delays[1] < 1e-5, `re-armed for ${timer.delays[1]} ms`);
  timer.fireDue();
  assert.equal(fired, [], 'not yet: still 1 ns short');
  clock.advanceNs(1n);
  timer.fireDue();
  assert.equal(fired, [7]);
});

test('the delay counts from the exact now: an arm late in a tick does not add a tick', () => {
  const { clock, timer, scheduler } = setup();
  clock.advanceNs(4n * MS + 900_000n); // 4.9 ms
  scheduler.schedule(7, 1);
  assert.ok(Math.abs(timer.delays[0] - 2.1) < 1e-9, `armed for ${timer.delays[0]} ms`);
});

test('delays beyond setTimeout range are armed in pieces', () => {
  const { timer, scheduler, fired } = setup();
  const far = MAX_TIMER_DELAY_MS * 2 + 5;
  scheduler.schedule(far, 1);
  assert.equal(timer.delays, [MAX_TIMER_DELAY_MS]);
  timer.clock.advanceNs(BigInt(MAX_TIMER_DELAY_MS) * MS);
  timer.fireDue();
  assert.equal(fired, []);
  assert.equal(timer.delays, [MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS]);
  timer.clock.advanceNs(BigInt(MAX_TIMER_DELAY_MS + 5) * MS);
  timer.fireDue();
  assert.equal(fired, [1]);
});

test('cancelling the last entry disarms the native timer', () => {
  const { timer, scheduler } = setup();
  const a = scheduler.schedule(10, 1);
  const b = scheduler.schedule(20, 2);
  scheduler.cancel(a);
  assert.is(timer.pending.length, 1);
  scheduler.cancel(b);
  assert.is(timer.pending.length, 0);
  assert.is(scheduler.armed, false);
  scheduler.cancel(b); // stale: harmless
  assert.is(scheduler.deadlineOf(b), -1);
});

test('the timer keeps the process alive only while someone waits', () => {
  const { timer, scheduler } = setup();
  scheduler.schedule(10, 1);
  assert.is(timer.pending[0].keepAlive, false);
  scheduler.retain();
  assert.is(timer.pending[0].keepAlive, true);
  scheduler.retain();
  scheduler.release();
  assert.is(timer.pending[0].keepAlive, true);
  scheduler.release();
  assert.is(timer.pending[0].keepAlive, false);
  scheduler.retain();
  scheduler.schedule(5, 2); // re-armed while waiting: stays alive
  assert.is(timer.pending[0].keepAlive, true);
});

test('a throwing expiry sink still leaves the timer armed for the rest', () => {
  const { timer, scheduler } = setup(() => {
    throw new Error('boom');
  });
  scheduler.schedule(1, 1);
  scheduler.schedule(30, 2);
  timer.clock.advanceNs(MS);
  assert.throws(() => timer.fireDue(), /boom/);
  assert.is(scheduler.armed, true);
  assert.is(scheduler.pending, 1);
});

test('work scheduled from an expiry runs at the earliest deadline', () => {
  const fired: number[] = [];
  const { timer, scheduler } = setup((payload, self) => {
    fired.push(payload);
    if (payload === 1) self.schedule(40, 9); // later than the pending 20
  });
  scheduler.schedule(1, 1);
  scheduler.schedule(20, 2);
  timer.advanceMs(1);
  assert.is(timer.pending.length, 1);
  assert.is(Number(timer.pending[0].dueNs / MS), 20);
  timer.advanceMs(50);
  assert.equal(fired, [1, 2, 9]);
});

test('an already elapsed deadline is a return value', () => {
  const { timer, scheduler, time } = setup();
  timer.advanceMs(5);
  scheduler.schedule(10, 1);
  timer.advanceMs(10);
  assert.is(scheduler.schedule(3, 2), -1);
  assert.is(time.nowTick(), 15);
});

test('real sources: hrtime never decreases, resolution is positive, node timer works', async () => {
  let last = hrtimeClock.nowNs();
  for (let i = 0; i < 1000; i++) {
    const now = hrtimeClock.nowNs();
    assert.ok(now >= last);
    last = now;
  }
  assert.ok(observedResolutionNs(hrtimeClock) > 0n);
  assert.is(observedResolutionNs({ nowNs: () => 1n }, 10), 1n);
  const time = new TimeSource(hrtimeClock);
  const real = new Scheduler({ time, onExpire: () => {} });
  const h = real.schedule(time.nowTick() + 60_000, 1);
  assert.is(real.armed, true);
  real.cancel(h);
  assert.is(real.armed, false);
  const timer = nodeTimer();
  const handle = timer.set(() => {}, 1000);
  timer.keepAlive(handle, false);
  timer.keepAlive(handle, true);
  timer.clear(handle);
  assert.is(nodeTimer({ activeWait: false }).waitActively, undefined, 'activeWait false: Node\'s whole-ms timer only');
  assert.is(nodeTimer({ busy: () => true }).waitActively!(0.5), false, 'never waits while guest calls queue');
  assert.is(nodeTimer({ busy: () => false }).waitActively!(0.01), true);
});

test.run();
