// Waiting on the thread for a sub-millisecond remainder (issue 14), on an injected
// clock: the budget that rations it, and when the scheduler uses it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostTimer } from '../../src/clock/clock.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { CAP_MS, IDLE_SHARE, PER_WAKE_MS, WaitBudget } from '../../src/scheduler/wait-budget.ts';
import { TimeSource } from '../../src/clock/time-source.ts';
import { REAL_TICK_NS } from '../../src/timing/timing-runtime.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

/** A fake timer that can wait on the thread (it moves the fake clock) and queues after-work callbacks. */
class WaitingTimer extends FakeTimer implements HostTimer {
  waits: number[] = [];
  busy = false;
  queued: Array<() => void> = [];
  waitActively(ms: number): boolean {
    if (this.busy) return false;
    this.waits.push(ms);
    this.clock.advanceNs(BigInt(Math.ceil(ms * 1e6)));
    return true;
  }
  afterCurrentWork(callback: () => void): void {
    this.queued.push(callback);
  }
  runQueued(): void {
    for (const callback of this.queued.splice(0)) callback();
  }
}

function setup() {
  const clock = new FakeClock(0n);
  const timer = new WaitingTimer(clock);
  const time = new TimeSource(clock, REAL_TICK_NS);
  const fired: Array<[number, bigint]> = [];
  const scheduler = new Scheduler({ time, timer, onExpire: (payload) => fired.push([payload, clock.ns]) });
  return { clock, timer, time, fired, scheduler };
}

test('the budget starts full, earns per wake-up and with time, never past its cap', () => {
  let nowMs = 0;
  const budget = new WaitBudget(() => nowMs);
  assert.is(budget.creditMs, CAP_MS);
  assert.ok(budget.affords(CAP_MS));
  assert.not.ok(budget.affords(CAP_MS + 0.001));
  budget.spend(CAP_MS);
  assert.is(budget.creditMs, 0);
  nowMs += 10;
  assert.ok(Math.abs(budget.creditMs - 10 * IDLE_SHARE) < 1e-12, '1 % of the time that passed');
  budget.earnWakes(4);
  assert.ok(Math.abs(budget.creditMs - (10 * IDLE_SHARE + 4 * PER_WAKE_MS)) < 1e-12);
  budget.earnWakes(1_000);
  assert.is(budget.creditMs, CAP_MS, 'capped');
  nowMs += 1_000_000;
  assert.is(budget.creditMs, CAP_MS, 'an idle stretch never builds more than the cap');
  budget.spend(5);
  assert.is(budget.creditMs, 0, 'never below zero');
});

test('with credit, the timer is asked for the whole ms before the deadline and the rest is waited out: on time, never early', () => {
  const { clock, timer, time, fired, scheduler } = setup();
  const tick = time.deadlineToTick(10n * MS + 350_000n); // 10.35 ms: tick 104 starts at 10.4 ms
  scheduler.schedule(tick, 1);
  assert.equal(timer.delays, [10], 'floor of 10.4 ms');
  timer.advanceMs(10);
  assert.equal(fired, [[1, 10_400_000n]], 'expired exactly when its tick began');
  assert.equal(timer.waits.map((ms) => ms.toFixed(3)), ['0.400']);
  assert.is(scheduler.armed, false);
});

test('without credit for the rest, the timer is asked for the deadline itself', () => {
  const { timer, time, fired, scheduler } = setup();
  scheduler.schedule(time.deadlineToTick(10n * MS + 900_000n), 1);
  timer.advanceMs(10); // waited 0.9 ms: credit 0.1 ms left
  assert.equal(fired.map(([p]) => p), [1]);
  timer.runQueued(); // nothing left: no arm
  scheduler.schedule(time.deadlineToTick(time.nowNs() + 5n * MS + 500_000n), 2);
  assert.ok(Math.abs((timer.delays.at(-1) ?? 0) - 5.5) < 1e-9, 'the exact delay (Node rounds it up): no early fire to wait out');
  timer.advanceMs(6);
  assert.equal(fired.map(([p]) => p), [1, 2]);
  assert.equal(timer.waits.length, 1, 'no second wait');
});

test('an early fire with too little credit expires nothing and re-arms: never early', () => {
  const { clock, timer, time, fired, scheduler } = setup();
  const tick = time.deadlineToTick(3n * MS + 500_000n);
  scheduler.schedule(tick, 1);
  assert.equal(timer.delays, [3]);
  timer.busy = true; // other work queued for the thread: no waiting now
  timer.advanceMs(3);
  assert.equal(fired, [], 'fired at 3 ms, due at 3.5 ms: nothing expired');
  assert.ok(scheduler.armed, 'armed again for the rest');
  timer.busy = false;
  clock.advanceNs(500_000n);
  assert.is(timer.fireDue(), 1);
  assert.equal(fired, [[1, 3_500_000n]]);
});

test('after a batch, a deadline due within the credit is waited for on the thread rather than a timer', () => {
  const { clock, timer, fired, scheduler } = setup();
  scheduler.schedule(50, 1); // 5.0 ms
  scheduler.schedule(51, 2); // 5.1 ms
  scheduler.schedule(200, 3); // 20 ms
  timer.advanceMs(5);
  assert.equal(fired.map(([p]) => p), [1]);
  const arms = timer.delays.length;
  clock.advanceNs(30_000n); // the woken guest ran 30 µs
  timer.runQueued();
  assert.equal(fired.map(([p]) => p), [1, 2], 'expired right after the wait');
  assert.is(fired[1][1], 5_100_000n, 'exactly at its tick');
  assert.is(timer.delays.length, arms, 'no timer armed for it');
  assert.equal(timer.waits.map((ms) => ms.toFixed(3)), ['0.070']);
  // The next one is 15 ms away: far beyond the credit, so the timer is armed.
  timer.runQueued();
  assert.ok(scheduler.armed);
  assert.is(timer.waits.length, 1);
});

test('while other guest calls wait to enter, the scheduler never waits in their place', () => {
  const { clock, timer, fired, scheduler } = setup();
  scheduler.schedule(50, 1);
  scheduler.schedule(51, 2);
  timer.advanceMs(5);
  timer.busy = true;
  clock.advanceNs(30_000n);
  timer.runQueued();
  assert.equal(fired.map(([p]) => p), [1]);
  assert.ok(scheduler.armed, 'left to the timer');
  assert.equal(timer.waits, []);
});

test.run();
