// Mixed polls: our pollables with foreign ones (another host's, e.g. preview2-shim's),
// on fake time: the foreign re-check timer and sync-mode sleeps are injected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { FOREIGN_CHECK_MS, TimingHost, type TimingHostOptions } from '../../src/wasi/host.ts';
import { timingImports } from '../../src/wasi/imports.ts';
import { FOREIGN_SLOT, isForeignPollable, Pollable, REP_BASE } from '../../src/wasi/poll.ts';
import { slotOf } from '../../src/pollables/table.ts';
import { findPreview2Shim, foreignCheck, preview2ShimPoller, registerForeignPoller, setForeignResolver, type ForeignPoller } from '../../src/wasi/foreign.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { EventLoopSlice } from '../../src/thread/slice.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

class Theirs {
  isReady = false;
  asked = 0;
  ready(): boolean {
    this.asked++;
    return this.isReady;
  }
  block(): void {
    throw new Error('their block() must never be called');
  }
}

function setup(options: Partial<Omit<TimingHostOptions, 'runtime'>> = {}) {
  const clock = new FakeClock();
  const timer = new FakeTimer(clock);
  const recheck = new FakeTimer(clock);
  let sleeps = 0;
  const onSleep: Array<() => void> = [];
  const runtime = new TimingRuntime({
    clock, timer,
    sleepSync: (ms) => {
      sleeps++;
      clock.advanceNs(BigInt(Math.round(ms * 1e6)));
      onSleep.shift()?.();
    },
  });
  const host = new TimingHost({ runtime, mode: 'jspi', actorId: 'mixed', foreignTimer: recheck, ...options });
  const imports = timingImports(host);
  return { clock, timer, recheck, runtime, host, mono: imports['wasi:clocks/monotonic-clock'], io: imports['wasi:io/poll'], sleeps: () => sleeps, onSleep };
}
const asPollable = (p: object) => p as unknown as Pollable;
const step = (s: ReturnType<typeof setup>, ms = FOREIGN_CHECK_MS) => {
  s.clock.advanceNs(BigInt(ms) * MS);
  s.timer.fireDue();
  s.recheck.fireDue();
};

test('a foreign pollable is an instance of our Pollable (for the glue), not one of ours (for the table)', () => {
  const theirs = new Theirs();
  assert.ok(theirs instanceof Pollable);
  assert.ok(isForeignPollable(theirs));
  assert.not.ok(isForeignPollable(Object.create(Pollable.prototype)));
  assert.not.ok(isForeignPollable({ ready: () => true }));
  assert.not.ok(isForeignPollable(null));
  assert.not.ok(isForeignPollable('ready'));
  assert.not.ok({ ready: 1, block: 2 } instanceof Pollable);
});

test('our pollables carry a cabiRep clear of preview2-shim\'s ids, so jco\'s capture table never mixes them up', () => {
  const s = setup();
  const a = s.mono.subscribeDuration(MS);
  const b = s.mono.subscribeDuration(MS);
  const rep = (p: Pollable) => (p as unknown as Record<symbol, number>)[Symbol.for('cabiRep')];
  assert.is(rep(a), REP_BASE + slotOf(a.handle));
  assert.is.not(rep(a), rep(b));
  assert.ok(rep(a) < 2 ** 30);
});

test('ready at once: the positions of ours and theirs, ascending, without waiting', () => {
  const s = setup();
  const theirs = new Theirs();
  theirs.isReady = true;
  const due = s.mono.subscribeDuration(0n);
  assert.equal(Array.from(s.io.poll([asPollable(theirs), due]) as Uint32Array), [0, 1]);
  assert.equal(Array.from(s.io.poll([asPollable(theirs), s.mono.subscribeDuration(5n * MS)]) as Uint32Array), [0]);
  assert.is(s.recheck.pending.length, 0);
});

test('jspi: waiting, theirs is asked every ms by one timer per call; it wins at the first check after it is ready', async () => {
  const s = setup();
  const a = new Theirs();
  const b = new Theirs();
  const timer = s.mono.subscribeDuration(50n * MS);
  const waited = s.io.poll([timer, asPollable(a), asPollable(b)]);
  assert.instance(waited, Promise);
  const result = Promise.resolve(waited);
  assert.is(s.recheck.pending.length, 1, 'one re-check timer for the call, not one per foreign pollable');
  assert.equal(s.recheck.delays, [FOREIGN_CHECK_MS]);
  for (let i = 0; i < 19; i++) step(s);
  assert.is(a.asked, 20);
  b.isReady = true;
  step(s);
  assert.equal(Array.from(await result), [2]);
  assert.is(s.recheck.pending.length, 0, 'the re-check timer goes with the call');
  assert.equal(s.runtime.waits.entries(), []);
});

test('jspi: our timer wins when it is due first; the re-check timer is cleared', async () => {
  const s = setup();
  const theirs = new Theirs();
  const result = Promise.resolve(s.io.poll([asPollable(theirs), s.mono.subscribeDuration(3n * MS)]));
  // The wait names what it waits on (virtual time's stall report reads it).
  assert.match(s.runtime.waits.entries()[0].describe(), /^timer pollable \d+ \(due at tick \d+\), 1 foreign pollable \(checked every ms\)$/);
  s.clock.advanceNs(3n * MS);
  s.timer.fireDue();
  assert.equal(Array.from(await result), [1]);
  assert.is(s.recheck.pending.length, 0);
});

test('jspi: a foreign check that throws fails the call, not the wheel', async () => {
  const s = setup();
  let calls = 0;
  const bad = { ready: () => { if (calls++ > 0) throw new Error('their worker died'); return false; }, block: () => undefined };
  const result = Promise.resolve(s.io.poll([asPollable(bad)]));
  step(s);
  await result.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'their worker died'));
  let n = 0;
  const odd = { ready: () => { if (n++ > 0) throw 'not an Error'; return false; }, block: () => undefined };
  const second = Promise.resolve(s.io.poll([asPollable(odd), asPollable(new Theirs()), asPollable(new Theirs())]));
  assert.match(s.runtime.waits.entries()[0].describe(), /^3 foreign pollables/);
  step(s);
  await second.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'not an Error'));
  assert.is(s.recheck.pending.length, 0);
});

test('jspi: stopping the actor fails a mixed wait and clears its timer', async () => {
  const s = setup();
  const result = Promise.resolve(s.io.poll([asPollable(new Theirs()), s.mono.subscribeDuration(9n * MS)]));
  s.host.dispose();
  await result.then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /stopped/));
  assert.is(s.recheck.pending.length, 0);
});

test('jspi: a ready mixed poll past the slice waits one macrotask', async () => {
  let turns = 0;
  const slice = { expired: () => true, nextTurn: async () => void turns++ } as unknown as EventLoopSlice;
  const s = setup({ slice });
  const theirs = new Theirs();
  theirs.isReady = true;
  const waited = s.io.poll([asPollable(theirs)]);
  assert.instance(waited, Promise);
  assert.equal(Array.from(await waited), [0]);
  assert.is(turns, 1);
});

test('sync: sleeps a ms at a time (less when our timer is due sooner) until theirs is ready', () => {
  const s = setup({ mode: 'sync' });
  const theirs = new Theirs();
  s.onSleep.push(() => undefined, () => undefined, () => { theirs.isReady = true; });
  const t0 = s.clock.ns;
  assert.equal(Array.from(s.io.poll([s.mono.subscribeDuration(50n * MS), asPollable(theirs)]) as Uint32Array), [1]);
  assert.is(s.sleeps(), 3);
  assert.is(s.clock.ns - t0, 3n * MS);
  // Our timer due in 0.5 ms: the first sleep is that long, and it wins.
  const due = s.mono.subscribeDuration(MS / 2n);
  assert.equal(Array.from(s.io.poll([asPollable(new Theirs()), due]) as Uint32Array), [1]);
  assert.is(s.sleeps(), 4);
});

test('sync: a list of foreign pollables only sleeps a ms at a time too', () => {
  const s = setup({ mode: 'sync' });
  const theirs = new Theirs();
  s.onSleep.push(() => undefined, () => { theirs.isReady = true; });
  assert.equal(Array.from(s.io.poll([asPollable(theirs)]) as Uint32Array), [0]);
  assert.is(s.sleeps(), 2);
});

test('recording: a foreign entry is recorded as slot FOREIGN_SLOT in PollReady', async () => {
  const events = new EventRecorder();
  const s = setup({ events });
  const theirs = new Theirs();
  theirs.isReady = true;
  s.io.poll([asPollable(theirs), s.mono.subscribeDuration(5n * MS)]);
  const result = Promise.resolve(s.io.poll([s.mono.subscribeDuration(5n * MS), asPollable(new Theirs())]));
  s.clock.advanceNs(5n * MS);
  s.timer.fireDue();
  assert.equal(Array.from(await result), [0]);
  const polls = events.events.filter((e) => e.type === 'PollReady');
  assert.is(polls.length, 2);
  assert.equal((polls[0] as { pollables: number[] }).pollables[0], FOREIGN_SLOT);
  assert.equal((polls[1] as { indices: number[] }).indices, [0]);
});

test('pollers: a registered poller answers for all of its pollables in one call; resolver results are registered', () => {
  const owned = new WeakSet<object>();
  const asked: number[] = [];
  const poller: ForeignPoller = {
    owns: (p) => owned.has(p),
    readyNow(pollables, out) {
      asked.push(pollables.length);
      out.push(pollables.length - 1);
    },
  };
  const mine = [new Theirs(), new Theirs()];
  for (const p of mine) owned.add(p);
  const plain = new Theirs();
  plain.isReady = true;
  const unregister = registerForeignPoller(poller);
  const found: number[] = [];
  foreignCheck([mine[0], plain, mine[1]])(found);
  assert.equal(found.sort(), [1, 2]);
  assert.equal(asked, [2]);
  assert.is(mine[0].asked, 0, 'a poller\'s pollables are not asked ready()');
  unregister();
  unregister();
  // Unregistered: asked ready() again, unless the resolver finds a poller (registered from then on).
  let resolved = 0;
  setForeignResolver((p) => (resolved++, owned.has(p) ? poller : null));
  const again: number[] = [];
  foreignCheck([mine[0], plain])(again);
  foreignCheck([mine[1]])(again);
  assert.equal(again, [1, 0, 0]);
  assert.is(resolved, 2, 'the plain one was resolved once; mine[1] found the registered poller');
  setForeignResolver(null);
  const none: number[] = [];
  foreignCheck([plain])(none);
  assert.equal(none, [0]);
  setForeignResolver(findPreview2Shim);
  // preview2-shim is installed here (a devDependency): not the owner of a plain object.
  assert.is(findPreview2Shim(plain), null);
});

test('preview2ShimPoller: one poll of theirs over the listed pollables plus an always-ready one, so it never blocks', () => {
  class ShimPollable {}
  const lists: number[] = [];
  let made = 0;
  const alwaysReady = new ShimPollable();
  const shim = {
    poll: { Pollable: ShimPollable, poll: (list: object[]) => { lists.push(list.length); assert.is(list.at(-1), alwaysReady); return Uint32Array.from([1, list.length - 1]); } },
    monotonicClock: { subscribeDuration: (ns: bigint) => { assert.is(ns, 0n); made++; return alwaysReady; } },
  };
  const poller = preview2ShimPoller(shim);
  assert.ok(poller.owns(new ShimPollable()));
  assert.not.ok(poller.owns({}));
  const out: number[] = [];
  poller.readyNow([new ShimPollable(), new ShimPollable()], out);
  poller.readyNow([new ShimPollable(), new ShimPollable()], out);
  assert.equal(out, [1, 1], 'the always-ready one is not reported');
  assert.equal(lists, [3, 3]);
  assert.is(made, 1);
});

test.run();
