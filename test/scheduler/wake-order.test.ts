// The wake path issue 14's fix relies on, on an injected clock: the order a batch
// wakes in, how soon a waiting call is resolved, expiry while the loop is held,
// and re-arming the one timer only after the woken work has run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostTimer } from '../../src/clock/clock.ts';
import { HELD_LOOP_MS, Scheduler } from '../../src/scheduler/scheduler.ts';
import { TimeSource } from '../../src/clock/time-source.ts';
import { REAL_TICK_NS } from '../../src/timing/timing-runtime.ts';
import { TimingHost } from '../../src/wasi/host.ts';
import { FakeClock, FakeTimer, fakeRuntime, MS } from '../support/fake-time.ts';

const US = 1_000n;

test('a batch wakes in deadline order across ticks, subscribe order within a tick, cascaded entries included', () => {
  const { clock, timer, runtime, table } = fakeRuntime({ startNs: 0n });
  assert.is(runtime.time.tickNs, REAL_TICK_NS);
  const woken: string[] = [];
  // [name, deadline]: level-0, level-1 and level-2 entries (0.1 ms ticks: level 0 spans
  // 6.4 ms, level 1 409.6 ms), filed out of order, with ties and sub-tick differences.
  const timers: Array<[string, bigint]> = [
    ['late-a', 450n * MS], ['mid-a', 100n * MS + 50n * US], ['near', 350n * US], ['tick-7-a', 7n * MS],
    ['mid-b', 100n * MS + 20n * US], ['tick-7-b', 7n * MS], ['early', 3n * MS], ['late-b', 450n * MS],
    ['mid-c', 100n * MS + 51n * US], ['edge', 6_400n * US + 1n],
  ];
  for (const [name, deadlineNs] of timers) {
    const owner = table.createOwner(4);
    table.subscribeTimer(owner, deadlineNs, 0n);
    table.park(owner, { wake: () => woken.push(name), fail: () => assert.unreachable(name) });
  }
  clock.advanceNs(500n * MS); // the loop was held: every deadline has passed, one batch
  assert.is(timer.fireDue(), 1);
  // Ticks: near 4, early 30, edge 65, tick-7 70 (a before b), mid-b 1001 and mid-a 1001
  // (same tick: subscribe order, not exact deadline), mid-c 1002, late 4500 (a before b).
  assert.equal(woken, ['near', 'early', 'edge', 'tick-7-a', 'tick-7-b', 'mid-a', 'mid-b', 'mid-c', 'late-a', 'late-b']);
});

test('a waiting call is resolved inside the expiry: its promise settles one microtask later', async () => {
  const { clock, timer, runtime } = fakeRuntime({ startNs: 0n });
  const host = new TimingHost({ runtime, mode: 'jspi' });
  const { handle } = host.subscribe(clock.nowNs(), 5n * MS);
  const waited = host.waitAny([{ handle }]);
  assert.instance(waited, Promise);
  let settled: number[] | null = null;
  void (waited as Promise<number[]>).then((ready) => { settled = ready; });
  timer.advanceMs(4);
  await Promise.resolve();
  assert.is(settled, null, 'not due: still waiting');
  timer.advanceMs(1);
  await Promise.resolve(); // the one hop: the .then above
  assert.equal(settled, [0]);
  assert.is(runtime.waits.size, 0, 'the wait ended inside the expiry');
});

test('once the loop is held HELD_LOOP_MS past a deadline, guest-path calls expire what is due, never early', () => {
  const { clock, timer, table } = fakeRuntime({ startNs: 0n });
  const held = BigInt(HELD_LOOP_MS) * MS;
  const a = table.createOwner(4);
  const b = table.createOwner(4);
  const ha = table.subscribeTimer(a, 1n * MS, 0n);
  const ha2 = table.subscribeTimer(a, 1n * MS + held, 0n);
  let woken = 0;
  table.park(a, { wake: () => woken++, fail: () => assert.unreachable() });
  const later = (): number => table.subscribeTimer(b, clock.nowNs() + 100n * MS, clock.nowNs());
  clock.advanceNs(held); // overdue, but less than HELD_LOOP_MS: an ordinary drain, left to the timer
  later();
  assert.is(woken, 0);
  clock.advanceNs(1n * MS); // the loop has been held HELD_LOOP_MS past a's deadline
  later();
  assert.is(woken, 1, 'woken from the subscribe, not the timer');
  assert.is(table.isReady(ha), true);
  assert.is(table.isReady(ha2), true, 'everything due by now goes, not only the long overdue');
  assert.is(timer.pending.length, 1, 'still one native timer');
  // Held: until the loop turns, what falls due goes at the next guest call, not HELD_LOOP_MS later.
  const e = table.createOwner(4);
  const he = table.subscribeTimer(e, clock.nowNs() + 1n * MS, clock.nowNs());
  let eWoken = 0;
  table.park(e, { wake: () => eWoken++, fail: () => assert.unreachable() });
  clock.advanceNs(1n * MS);
  later();
  assert.is(eWoken, 1, 'due, and the loop is still held');
  assert.ok(table.isReady(he));
  // The native timer fires (the loop turned): an entry 1 ms overdue waits for the timer again.
  table.subscribeTimer(e, clock.nowNs() + 1n * MS, clock.nowNs());
  clock.advanceNs(1n * MS);
  assert.is(timer.fireDue(), 1);
  const g = table.createOwner(4);
  table.subscribeTimer(g, clock.nowNs() + 1n * MS, clock.nowNs());
  let gWoken = 0;
  table.park(g, { wake: () => gWoken++, fail: () => assert.unreachable() });
  clock.advanceNs(1n * MS + held / 2n);
  later();
  assert.is(gWoken, 0, 'not held any more: left to the timer');
  timer.fireDue();
  assert.is(gWoken, 1);
  // A resumed guest dropping its pollable (no clock read of its own) catches up too.
  const c = table.createOwner(4);
  const hc = table.subscribeTimer(c, clock.nowNs() + 2n * MS, clock.nowNs());
  let cWoken = 0;
  table.park(c, { wake: () => cWoken++, fail: () => assert.unreachable() });
  clock.advanceNs(2n * MS + held);
  table.drop(ha);
  assert.is(cWoken, 1, 'woken from the drop');
  const hd = table.subscribeTimer(c, clock.nowNs() + 1n * MS, clock.nowNs());
  clock.advanceNs(1n * MS - 1n);
  assert.is(table.isReady(hd), false, 'one ns early: not ready');
  clock.advanceNs(1n);
  assert.ok(table.isReady(hd));
  assert.is(table.isReady(hc), true);
  assert.ok(table.pendingTimers >= 2);
  assert.is(timer.pending.length, 1);
});

/** A FakeTimer whose afterCurrentWork queues callbacks until the test runs them. */
class DeferringTimer extends FakeTimer implements HostTimer {
  queued: Array<() => void> = [];
  afterCurrentWork(callback: () => void): void {
    this.queued.push(callback);
  }
  runQueued(): void {
    for (const callback of this.queued.splice(0)) callback();
  }
}

test('after a batch that woke someone, the timer is re-armed once that work is done, from a fresh reading', () => {
  const clock = new FakeClock(0n);
  const timer = new DeferringTimer(clock);
  const fired: number[] = [];
  const scheduler = new Scheduler({ time: new TimeSource(clock), timer, onExpire: (p) => fired.push(p) });
  for (const [tick, payload] of [[5, 1], [9, 2], [20, 3]]) scheduler.schedule(tick, payload);
  timer.advanceMs(5);
  assert.equal(fired, [1]);
  assert.is(scheduler.armed, false, 'not re-armed inside the batch');
  assert.is(timer.queued.length, 1);
  clock.advanceNs(2n * MS); // the woken guests ran for 2 ms
  timer.runQueued();
  assert.ok(scheduler.armed);
  assert.equal(timer.delays.at(-1), 2, 'tick 9, counted from the reading after the work');
  // A deadline earlier than the queued one arms at once; the queued arm then does nothing.
  timer.advanceMs(2);
  assert.equal(fired, [1, 2]);
  scheduler.schedule(12, 4);
  assert.ok(scheduler.armed);
  const arms = timer.delays.length;
  timer.runQueued();
  assert.is(timer.delays.length, arms, 'the queued arm found the timer armed');
  timer.advanceMs(3); // tick 12
  assert.equal(fired, [1, 2, 4]);
  timer.runQueued();
  const last = scheduler.schedule(25, 5);
  timer.advanceMs(8); // tick 20: queues an arm for 25
  assert.equal(fired, [1, 2, 4, 3]);
  // A cancel that empties the wheel meanwhile: the queued arm must not arm for nothing.
  scheduler.cancel(last);
  timer.runQueued();
  assert.is(scheduler.armed, false);
  assert.is(scheduler.pending, 0);
  // Due already when the woken work is done: expired right there (no 0 ms timer, which
  // Node would run a whole ms later), and the next arm queued again.
  for (const [tick, payload] of [[32, 6], [33, 7], [40, 8]]) scheduler.schedule(tick, payload);
  timer.advanceMs(12); // tick 32
  assert.equal(fired.slice(4), [6]);
  clock.advanceNs(1n * MS + 500_000n); // the woken guests ran 1.5 ms: tick 33 is due
  const armsBefore = timer.delays.length;
  timer.runQueued();
  assert.equal(fired.slice(4), [6, 7]);
  assert.is(timer.delays.length, armsBefore, 'no timer armed for the due entry');
  assert.is(timer.queued.length, 1, 'the next arm waits for this batch\'s work');
  timer.runQueued();
  assert.ok(scheduler.armed);
  assert.equal(timer.delays.at(-1), 6.5);
});

test('a TimeSource tick is 1 ns to 1 ms; deadlines round up to it', () => {
  const clock = new FakeClock(0n);
  const fine = new TimeSource(clock, REAL_TICK_NS);
  assert.is(fine.deadlineToTick(1n), 1);
  assert.is(fine.deadlineToTick(REAL_TICK_NS), 1);
  assert.is(fine.deadlineToTick(REAL_TICK_NS + 1n), 2);
  assert.is(fine.tickStartNs(15), 1_500_000n);
  assert.is(fine.msUntilTick(15), 1.5);
  assert.throws(() => new TimeSource(clock, 0n), /tickNs must be a bigint in 1\.\.1000000 ns, got 0 \(bigint\)/);
  assert.throws(() => new TimeSource(clock, 2n * MS), /got 2000000/);
  assert.throws(() => new TimeSource(clock, 5 as unknown as bigint), /got 5 \(number\)/);
});

test.run();
