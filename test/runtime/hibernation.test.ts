// Sleepers and runInstances on an injected clock: a hibernated actor is one wheel
// entry woken at (never before) its time with one host timer for all; starts go
// in batches per turn and wait for room at the gate; wake-ups are not queued
// behind starts; the counts the CLI reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runInstances, Sleepers, START_BATCH } from '../../src/runtime/hibernation.ts';

/** A hand-driven clock with one-shot timers, and a hand-driven "later" queue. */
function fakeTime() {
  let now = 1000;
  const timers: Array<{ at: number; callback: () => void; live: boolean }> = [];
  const turns: Array<() => void> = [];
  return {
    now: () => now,
    schedule: (callback: () => void, ms: number) => {
      const timer = { at: now + ms, callback, live: true };
      timers.push(timer);
      return () => { timer.live = false; };
    },
    later: (callback: () => void) => { turns.push(callback); },
    armed: () => timers.filter((t) => t.live).length,
    /** Moves the clock to `to`, firing due timers in order. */
    advance(to: number) {
      for (;;) {
        const due = timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        now = Math.max(now, due.at);
        due.live = false;
        due.callback();
      }
      now = to;
    },
    turn() { for (const run of turns.splice(0)) run(); },
  };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('Sleepers: one host timer for all, each woken at or after its time, earliest first', () => {
  const time = fakeTime();
  const woken: Array<[number, number]> = [];
  const sleepers = new Sleepers((i) => woken.push([i, time.now()]), time);
  sleepers.add(1, 1500);
  sleepers.add(2, 1200);
  sleepers.add(3, 1200.7);
  sleepers.add(4, 5000);
  assert.is(sleepers.size, 4);
  assert.is(time.armed(), 1, 'one timer, re-armed for the earliest');
  time.advance(1199);
  assert.equal(woken, []);
  time.advance(1600);
  assert.equal(woken.map(([i]) => i), [2, 3, 1]);
  assert.ok(woken.every(([i, at]) => at >= ({ 1: 1500, 2: 1200, 3: 1200 } as Record<number, number>)[i]), 'never before its time');
  sleepers.add(5, 10); // already due: on the next timer turn
  time.advance(1601);
  assert.equal(woken.at(-1)?.[0], 5);
  time.advance(6000);
  assert.equal(woken.map(([i]) => i), [2, 3, 1, 5, 4]);
  assert.is(sleepers.size, 0);
  assert.is(time.armed(), 0, 'nothing armed when nothing sleeps');
  // Ahead of time: the earliest within the horizon, a tick at a time; one filed behind the wheel wakes at once.
  for (const [i, at] of [[6, 6100], [7, 6100], [8, 6300], [9, 9000]]) sleepers.add(i, at);
  assert.is(sleepers.takeEarly(500, 1), 2, 'one tick: both sleepers due at 6100');
  assert.is(sleepers.takeEarly(500, 10), 1, 'up to the horizon only');
  assert.is(sleepers.takeEarly(500, 10), 0);
  sleepers.add(10, 6200); // the wheel is at 6300 now
  assert.equal(woken.slice(-4).map(([i]) => i), [6, 7, 8, 10]);
  assert.is(sleepers.size, 1);
});

test('runInstances: starts in batches per turn, no more than the gate; hibernated actors rebuilt at their time; counts', async () => {
  const time = fakeTime();
  const log: string[] = [];
  let live = 0;
  let peak = 0;
  const release = new Map<number, () => void>();
  // Even instances hibernate once until t = 2000 + instance; odd ones settle when released.
  const run = runInstances({
    instances: 40, maxLive: 20, sleepers: time, later: time.later,
    incarnation: async (instance, first) => {
      log.push(`${first ? 'start' : 'wake'} ${instance}`);
      live++;
      peak = Math.max(peak, live);
      if (first && instance % 2 === 0) { live--; return 2000 + instance; }
      await new Promise<void>((r) => release.set(instance, r));
      live--;
      return null;
    },
  });
  assert.is(log.length, START_BATCH, 'one batch on the first turn');
  time.turn();
  await settle();
  assert.ok(peak <= 20, 'never more than the gate');
  for (let round = 0; round < 10; round++) {
    for (const [i, r] of [...release]) { release.delete(i); r(); }
    await settle();
    time.turn();
    await settle();
  }
  assert.is(log.filter((l) => l.startsWith('start')).length, 40, 'every instance started');
  assert.is(log.filter((l) => l.startsWith('wake')).length, 0, 'none woken early');
  time.advance(2010);
  time.turn();
  await settle();
  const woken = log.filter((l) => l.startsWith('wake')).map((l) => Number(l.split(' ')[1]));
  assert.equal(woken, [0, 2, 4, 6, 8, 10], 'woken in deadline order, up to their time');
  time.advance(3000);
  for (let round = 0; round < 5; round++) {
    time.turn();
    for (const [i, r] of [...release]) { release.delete(i); r(); }
    await settle();
  }
  const result = await run;
  assert.equal(result, { peakLive: result.peakLive, hibernated: 20, hibernations: 20, keptLive: 20 });
  assert.ok(result.peakLive <= 20 && result.peakLive >= 10);
});

test('runInstances with earlyMs: while the gate has room, sleepers due soon are rebuilt ahead of time', async () => {
  const time = fakeTime();
  const woke: Array<[number, number]> = [];
  const run = runInstances({
    instances: 4, maxLive: 10, earlyMs: 500, sleepers: time, later: time.later,
    incarnation: async (instance, first) => {
      if (first) return 1000 + 100 * (instance + 1); // due at 1100, 1200, 1300, 1400
      woke.push([instance, time.now()]);
      return null;
    },
  });
  await settle();
  time.advance(1001);
  time.turn(); // nothing is due yet, but all four are within 500 ms: rebuilt now
  await settle();
  for (let i = 0; i < 4; i++) { time.turn(); await settle(); }
  assert.equal(woke.map(([i]) => i), [0, 1, 2, 3]);
  assert.ok(woke.every(([, at]) => at === 1001), 'rebuilt before their time, in one quiet turn');
  assert.equal(await run, { peakLive: (await run).peakLive, hibernated: 4, hibernations: 4, keptLive: 0 });
});

test('runInstances: a wake-up is not queued behind starts; none and a failing incarnation', async () => {
  const time = fakeTime();
  const order: string[] = [];
  const run = runInstances({
    instances: 3, maxLive: 1, sleepers: time, later: time.later,
    incarnation: async (instance, first) => {
      order.push(`${first ? 's' : 'w'}${instance}`);
      return first && instance === 0 ? 1001 : null;
    },
  });
  await settle(); // s0 hibernates; the gate had room for one start only
  time.advance(1002); // its wake-up comes before the other starts
  time.turn();
  await settle();
  time.turn();
  await settle();
  time.turn();
  await settle();
  assert.equal((await run).hibernated, 1);
  assert.equal(order.slice(0, 2), ['s0', 'w0']);
  assert.equal(await runInstances({ instances: 0, maxLive: 1, incarnation: async () => null }), { peakLive: 0, hibernated: 0, hibernations: 0, keptLive: 0 });
  try {
    await runInstances({ instances: 1, maxLive: 1, incarnation: async () => { throw new Error('boom'); } });
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, 'boom');
  }
});

test.run();
