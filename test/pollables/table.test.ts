import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PollableTable, slotOf, StaleHandleError } from '../../src/pollables/table.ts';
import { TimeSource } from '../../src/clock/time-source.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

/** A deadline on the whole-ms grid of a clock that starts at 0. */
const tick = (ms: number): bigint => BigInt(ms) * MS;

/** A waiting call on `owner`, as TimingHost parks one: resolves on the owner's next wake-up. */
function waitOn(table: PollableTable, owner: number): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  table.park(owner, { wake: () => resolve(), fail: reject });
  return promise;
}

function setup(capacity = 32) {
  const clock = new FakeClock(0n);
  const timer = new FakeTimer(clock);
  const reads = { count: 0 };
  const counted = { nowNs: () => (reads.count++, clock.nowNs()) };
  const table = new PollableTable({ time: new TimeSource(counted), timer, capacity });
  const owner = table.createOwner(1000);
  const refs = (...handles: number[]) => handles.map((handle) => ({ handle }));
  return { clock, timer, table, owner, refs, reads };
}

test('a timer at or before now is ready at once and never enters the wheel', () => {
  const { table, owner } = setup();
  const h = table.subscribeTimer(owner, tick(0), 0n);
  assert.ok(table.isReady(h));
  assert.is(table.pendingTimers, 0);
});

test('a timer becomes ready when the wheel fires, and wakes its owner', async () => {
  const { table, owner, timer } = setup();
  const h = table.subscribeTimer(owner, tick(10), 0n);
  assert.is(table.isReady(h), false);
  assert.is(table.pendingTimers, 1);
  let woken = false;
  // Two interleaved calls of one owner: one expiry wakes both, and a wake-up is used once.
  const waiting = waitOn(table, owner).then(() => (woken = true));
  const other = waitOn(table, owner);
  timer.advanceMs(9);
  await Promise.resolve();
  assert.is(woken, false);
  timer.advanceMs(1);
  await Promise.all([waiting, other]);
  assert.ok(woken);
  assert.ok(table.isReady(h));
  let again = false;
  void waitOn(table, owner).then(() => (again = true));
  table.setReady(table.createExternal(owner), true);
  await Promise.resolve();
  assert.ok(again, 'a new wait is woken by the next readiness, not the spent one');
});

test('a reader sees a due timer as ready before the event loop fires it', () => {
  const { table, owner, clock, timer } = setup();
  const h = table.subscribeTimer(owner, tick(5), 0n);
  clock.advanceNs(5n * MS - 1n);
  assert.is(table.isReady(h), false);
  clock.advanceNs(1n);
  assert.ok(table.isReady(h));
  assert.is(table.pendingTimers, 0, 'the wheel entry is cancelled once seen ready');
  assert.is(timer.pending.length, 0, 'no native timer armed');
});

test('scan reports every ready position ascending, duplicates included, with one clock read', () => {
  const { table, owner, clock, refs, reads } = setup();
  const a = table.subscribeTimer(owner, tick(3), 0n);
  const b = table.subscribeTimer(owner, tick(50), 0n);
  const c = table.subscribeTimer(owner, tick(0), 0n);
  clock.advanceNs(3n * MS);
  reads.count = 0;
  const out: number[] = [];
  assert.is(table.scan(refs(b, a, c, a, b), out), 3);
  assert.equal(out, [1, 2, 3]);
  assert.is(reads.count, 1);
  assert.is(table.pendingTimers, 1, '`a` seen due: its wheel entry is gone');
  out.length = 0;
  reads.count = 0;
  assert.is(table.scan(refs(b, c), out), 1);
  assert.is(reads.count, 1, 'nothing due: one read, no re-arm');
});

test('drop cancels the wheel entry at once; stale handles are inert', () => {
  const { table, owner, timer } = setup();
  const h = table.subscribeTimer(owner, tick(10), 0n);
  table.drop(h);
  assert.is(table.pendingTimers, 0);
  assert.is(table.isLive(h), false);
  assert.is(table.live, 0);
  table.drop(h); // twice: harmless
  const again = table.subscribeTimer(owner, tick(10), 0n);
  assert.is.not(again, h, 'a reused entry gets a new generation');
  assert.is(slotOf(again), slotOf(h));
  table.drop(h); // stale: must not drop the new one
  assert.ok(table.isLive(again));
  timer.advanceMs(20);
  assert.ok(table.isReady(again));
  assert.is(table.isLive(12345), false);
});

test('the owner quota refuses entries past it', () => {
  const { table } = setup();
  const owner = table.createOwner(2);
  const a = table.subscribeTimer(owner, tick(10), 0n);
  table.createExternal(owner);
  assert.is(table.subscribeTimer(owner, tick(10), 0n), -1);
  assert.is(table.createExternal(owner), -1);
  table.drop(a);
  assert.ok(table.subscribeTimer(owner, tick(10), 0n) >= 0);
  assert.is(table.liveOf(owner), 2);
});

test('releasing an owner drops all its pollables and fails its waiter', async () => {
  const { table, owner } = setup();
  const other = table.createOwner(10);
  const mine = [1, 2, 3].map((d) => table.subscribeTimer(owner, tick(d * 10), 0n));
  const theirs = table.subscribeTimer(other, tick(10), 0n);
  const waiting = waitOn(table, owner);
  table.releaseOwner(owner);
  await waiting.then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /stopped/));
  for (const h of mine) assert.is(table.isLive(h), false);
  assert.ok(table.isLive(theirs));
  assert.is(table.pendingTimers, 1);
  assert.is(table.live, 1);
  const reused = table.createOwner(5);
  assert.is(reused, owner, 'owner ids are reused');
  assert.is(table.liveOf(reused), 0);
});

test('external pollables: set and clear readiness, wake the owner, refuse misuse', async () => {
  const { table, owner } = setup();
  const ext = table.createExternal(owner);
  assert.is(table.isReady(ext), false);
  const waiting = waitOn(table, owner);
  table.setReady(ext, true);
  await waiting;
  assert.ok(table.isReady(ext));
  table.setReady(ext, false);
  assert.is(table.isReady(ext), false);
  const timerHandle = table.subscribeTimer(owner, tick(5), 0n);
  assert.throws(() => table.setReady(timerHandle, true), /not a live external pollable/);
  table.drop(ext);
  assert.throws(() => table.setReady(ext, true), /not a live external pollable/);
  const ext2 = table.createExternal(owner);
  assert.is(table.earliestDeadline([{ handle: ext2 }, { handle: timerHandle }]), 5);
  assert.is(table.earliestDeadline([{ handle: ext2 }]), Infinity);
});

test('a dropped or never-issued handle reaches no slot: isReady, scan and earliestDeadline throw StaleHandleError', () => {
  const { table, owner, refs } = setup();
  const other = table.createOwner(10);
  const mine = table.subscribeTimer(owner, 0n, 0n); // ready at once
  table.drop(mine);
  const theirs = table.subscribeTimer(other, 0n, 0n); // reuses the slot, ready
  assert.is(slotOf(theirs), slotOf(mine), 'the slot was reused');
  assert.ok(table.isReady(theirs));
  for (const stale of [mine, -1, 1.5, 2 ** 40, Number.NaN, undefined as unknown as number]) {
    assert.throws(() => table.isReady(stale), (e: Error) => e instanceof StaleHandleError);
    assert.throws(() => table.scan(refs(theirs, stale), []), (e: Error) => e instanceof StaleHandleError);
    assert.throws(() => table.earliestDeadline(refs(stale)), (e: Error) => e instanceof StaleHandleError);
  }
});

test('fuzz: random subscribe/drop/forge for two owners; only live handles read, and only their own entry', () => {
  const seed = Number(process.env.HANDLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let state = seed;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const { table, timer, clock } = setup(32);
  const nowMs = (): number => Number(clock.ns / MS);
  const owner = table.createOwner(1_000_000);
  const other = table.createOwner(1_000_000);
  const live = new Map<number, { owner: number; deadline: number }>();
  const dead: number[] = [];
  try {
    for (let step = 0; step < 20_000; step++) {
      const op = rand(10);
      const keys = [...live.keys()];
      if (op < 4 || keys.length === 0) {
        const who = rand(2) === 0 ? owner : other;
        const deadline = rand(50);
        const now = nowMs();
        const h = table.subscribeTimer(who, tick(now + deadline), clock.ns);
        live.set(h, { owner: who, deadline: now + deadline });
      } else if (op < 7) {
        const h = keys[rand(keys.length)];
        table.drop(h);
        live.delete(h);
        dead.push(h);
      } else if (op < 8) {
        timer.advanceMs(rand(5));
      } else {
        const h = dead.length > 0 && rand(2) === 0 ? dead[rand(dead.length)] : rand(2 ** 30);
        if (live.has(h)) continue;
        assert.is(table.isLive(h), false, `handle ${h} is not live`);
        assert.throws(() => table.isReady(h), (e: Error) => e instanceof StaleHandleError);
      }
      for (const h of keys.slice(0, 3)) {
        const entry = live.get(h);
        if (entry === undefined) continue;
        assert.ok(table.isLive(h));
        assert.is(table.isReady(h), entry.deadline <= nowMs(), 'ready exactly when its own deadline has passed');
      }
    }
    assert.is(table.live, live.size);
  } catch (error) {
    console.error(`handle fuzz failed: HANDLE_SEED=${seed}`);
    throw error;
  }
});

test('the table grows past its capacity and keeps every entry', () => {
  const { table, owner, timer } = setup(32);
  const handles: number[] = [];
  for (let i = 0; i < 200; i++) handles.push(table.subscribeTimer(owner, tick(1 + (i % 7)), 0n));
  assert.is(table.live, 200);
  timer.advanceMs(7);
  for (const h of handles) assert.ok(table.isReady(h));
  for (const h of handles) table.drop(h);
  assert.is(table.live, 0);
});

test.run();
