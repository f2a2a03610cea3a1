import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { PollableTable } from '../../src/pollables/table.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

function setup(capacity = 32) {
  const clock = new FakeClock(0n);
  const timer = new FakeTimer(clock);
  const scheduler = new Scheduler({ clock, timer });
  const table = new PollableTable(scheduler, capacity);
  const owner = table.owners.create(1000);
  const refs = (...handles: number[]) => handles.map((handle) => ({ handle }));
  return { clock, timer, scheduler, table, owner, refs };
}

test('a timer at or before now is ready at once and never enters the wheel', () => {
  const { table, owner, scheduler } = setup();
  const h = table.subscribeTimer(owner, 0, 0);
  assert.ok(table.isReady(h));
  assert.is(scheduler.pending, 0);
});

test('a timer becomes ready when the wheel fires, and wakes its owner', async () => {
  const { table, owner, timer, scheduler } = setup();
  const h = table.subscribeTimer(owner, 10, 0);
  assert.is(table.isReady(h), false);
  assert.is(scheduler.pending, 1);
  let woken = false;
  const waiting = table.owners.wait(owner).then(() => (woken = true));
  assert.ok(table.owners.waiting(owner));
  timer.advanceMs(9);
  await Promise.resolve();
  assert.is(woken, false);
  timer.advanceMs(1);
  await waiting;
  assert.ok(woken);
  assert.ok(table.isReady(h));
  assert.is(table.owners.waiting(owner), false);
});

test('a reader sees a due timer as ready before the event loop fires it', () => {
  const { table, owner, clock, scheduler } = setup();
  const h = table.subscribeTimer(owner, 5, 0);
  clock.advanceNs(5n * MS - 1n);
  assert.is(table.isReady(h), false);
  clock.advanceNs(1n);
  assert.ok(table.isReady(h));
  assert.is(scheduler.pending, 0, 'the wheel entry is cancelled once seen ready');
  assert.is(scheduler.armedTimers, 0);
});

test('scan reports every ready position ascending, duplicates included, with one clock read', () => {
  const { table, owner, clock, refs } = setup();
  const a = table.subscribeTimer(owner, 3, 0);
  const b = table.subscribeTimer(owner, 50, 0);
  const c = table.subscribeTimer(owner, 0, 0);
  clock.advanceNs(3n * MS);
  let reads = 0;
  const nowNs = clock.nowNs.bind(clock);
  clock.nowNs = () => (reads++, nowNs());
  const out: number[] = [];
  assert.is(table.scan(refs(b, a, c, a, b), out), 3);
  assert.equal(out, [1, 2, 3]);
  assert.is(reads, 1);
});

test('drop cancels the wheel entry at once; stale handles are inert', () => {
  const { table, owner, scheduler, timer } = setup();
  const h = table.subscribeTimer(owner, 10, 0);
  table.drop(h);
  assert.is(scheduler.pending, 0);
  assert.is(table.isLive(h), false);
  assert.is(table.live, 0);
  table.drop(h); // twice: harmless
  const again = table.subscribeTimer(owner, 10, 0);
  assert.is.not(again, h, 'a reused entry gets a new generation');
  assert.is(again % 2 ** 26, h % 2 ** 26);
  table.drop(h); // stale: must not drop the new one
  assert.ok(table.isLive(again));
  timer.advanceMs(20);
  assert.ok(table.isReady(again));
  assert.is(table.isLive(12345), false);
});

test('the owner quota refuses entries past it', () => {
  const { table } = setup();
  const owner = table.owners.create(2);
  const a = table.subscribeTimer(owner, 10, 0);
  table.createExternal(owner);
  assert.is(table.subscribeTimer(owner, 10, 0), -1);
  assert.is(table.createExternal(owner), -1);
  table.drop(a);
  assert.ok(table.subscribeTimer(owner, 10, 0) >= 0);
  assert.is(table.owners.live(owner), 2);
});

test('releasing an owner drops all its pollables and fails its waiter', async () => {
  const { table, owner, scheduler } = setup();
  const other = table.owners.create(10);
  const mine = [1, 2, 3].map((d) => table.subscribeTimer(owner, d * 10, 0));
  const theirs = table.subscribeTimer(other, 10, 0);
  const waiting = table.owners.wait(owner);
  table.releaseOwner(owner);
  await waiting.then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /stopped/));
  for (const h of mine) assert.is(table.isLive(h), false);
  assert.ok(table.isLive(theirs));
  assert.is(scheduler.pending, 1);
  assert.is(table.live, 1);
  const reused = table.owners.create(5);
  assert.is(reused, owner, 'owner ids are reused');
  assert.is(table.owners.live(reused), 0);
});

test('external pollables: set and clear readiness, wake the owner, refuse misuse', async () => {
  const { table, owner } = setup();
  const ext = table.createExternal(owner);
  assert.is(table.isReady(ext), false);
  const waiting = table.owners.wait(owner);
  table.setReady(ext, true);
  await waiting;
  assert.ok(table.isReady(ext));
  table.setReady(ext, false);
  assert.is(table.isReady(ext), false);
  const timerHandle = table.subscribeTimer(owner, 5, 0);
  assert.throws(() => table.setReady(timerHandle, true), /not a live external pollable/);
  table.drop(ext);
  assert.throws(() => table.setReady(ext, true), /not a live external pollable/);
  assert.is(table.earliestDeadline([{ handle: ext }, { handle: timerHandle }]), 5);
  assert.is(table.earliestDeadline([{ handle: ext }]), Infinity);
});

test('the table grows past its capacity and keeps every entry', () => {
  const { table, owner, timer } = setup(32);
  const handles: number[] = [];
  for (let i = 0; i < 200; i++) handles.push(table.subscribeTimer(owner, 1 + (i % 7), 0));
  assert.ok(table.capacity >= 200);
  timer.advanceMs(7);
  for (const h of handles) assert.ok(table.isReady(h));
  for (const h of handles) table.drop(h);
  assert.is(table.live, 0);
});

test.run();
