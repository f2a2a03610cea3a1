import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slotOf } from '../../src/pollables/table.ts';
import { TimingRuntime, atomicsSleep } from '../../src/timing/timing-runtime.ts';
import { U64_MAX } from '../../src/base/units.ts';
import { buildChain, chainEnd, formatChainJsonl } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { TimingHost, type TimingHostOptions } from '../../src/wasi/host.ts';
import { timingImports } from '../../src/wasi/imports.ts';
import { Pollable } from '../../src/wasi/poll.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import { WallClock } from '../../src/clock/wall-clock.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';
import { RunMeter } from '../../src/thread/run-meter.ts';
import type { EventLoopSlice } from '../../src/thread/slice.ts';

function setup(options: Partial<Omit<TimingHostOptions, 'runtime'>> & { sleepSync?: (ms: number) => void } = {}) {
  const clock = new FakeClock(7n * MS + 250n);
  const timer = new FakeTimer(clock);
  const wallClock = new WallClock({ dateNowMs: () => 1_700_000_000_123, hrtimeNs: () => clock.ns });
  const { sleepSync, ...hostOptions } = options;
  const runtime = new TimingRuntime({ clock, timer, wallClock, sleepSync });
  const table = runtime.pollables;
  const events = new EventRecorder();
  const host = new TimingHost({ runtime, mode: 'jspi', events, actorId: 'a1', ...hostOptions });
  const imports = timingImports(host);
  const mono = imports['wasi:clocks/monotonic-clock'];
  const wall = imports['wasi:clocks/wall-clock'];
  const io = imports['wasi:io/poll'];
  return { clock, timer, table, events, host, mono, wall, io };
}

const types = (events: EventRecorder) => events.events.map((e) => e.type);

test('monotonic now reads the clock and records one event per call', () => {
  const { mono, clock, events } = setup();
  assert.is(mono.now(), clock.ns);
  clock.advanceNs(5n);
  assert.is(mono.now(), clock.ns);
  assert.equal(events.events, [
    { type: 'MonotonicClockNow', instant: 7n * MS + 250n },
    { type: 'MonotonicClockNow', instant: 7n * MS + 255n },
  ]);
  assert.ok(mono.resolution() > 0n);
  assert.is(events.events[2].type, 'MonotonicClockResolution');
});

test('with recording off, now is the clock itself and nothing is recorded', () => {
  const { mono, clock } = setup({ events: null });
  assert.is(mono.now(), clock.ns);
});

test('subscribe-duration(0) and past instants are raised to the minimum, each with its SleepClamped', () => {
  const { mono, events, timer, clock } = setup({ limits: { minNs: 5n * MS, maxNs: 60_000n * MS } });
  const start = clock.ns;
  const zero = mono.subscribeDuration(0n);
  const instantZero = mono.subscribeInstant(0n);
  const instantNow = mono.subscribeInstant(mono.now());
  for (const p of [zero, instantZero, instantNow]) assert.not.ok(p.ready());
  const clamps = events.events.filter((e) => e.type === 'SleepClamped');
  assert.equal(clamps, Array.from({ length: 3 }, () => ({ type: 'SleepClamped', requested: 0n, applied: 5n * MS, reason: 'min_sleep_duration' })));
  const sub = events.events.find((e) => e.type === 'SubscribeInstant');
  assert.equal(sub, { type: 'SubscribeInstant', when: 0n, pollable: slotOf(instantZero.handle), deadline: start + 5n * MS });
  timer.advanceMs(4);
  assert.not.ok(zero.ready());
  timer.advanceMs(1);
  for (const p of [zero, instantZero, instantNow]) assert.ok(p.ready());
});

test('with a minimum of 0, subscribe-duration(0) and a past instant are ready at once', () => {
  const { mono, events, table } = setup({ limits: { minNs: 0n, maxNs: 60_000n * MS } });
  assert.ok(mono.subscribeDuration(0n).ready());
  assert.ok(mono.subscribeInstant(0n).ready());
  assert.ok(mono.subscribeInstant(mono.now()).ready());
  assert.is(table.pendingTimers, 0);
  assert.not.ok(types(events).includes('SleepClamped'));
});

test('subscribe-duration fixes its deadline at the call and never fires early', async () => {
  const { mono, clock, timer, events } = setup();
  const start = clock.ns;
  const p = mono.subscribeDuration(10n * MS);
  clock.advanceNs(3n * MS); // time passes before block: the deadline does not move
  const blocked = p.block();
  assert.instance(blocked, Promise);
  let done = false;
  void (blocked as Promise<void>).then(() => (done = true));
  timer.advanceMs(6);
  await Promise.resolve();
  assert.is(done, false);
  timer.advanceMs(1);
  await blocked;
  assert.ok(done);
  assert.ok(clock.ns >= start + 10n * MS);
  const sub = events.events.find((e) => e.type === 'SubscribeDuration');
  assert.equal(sub, { type: 'SubscribeDuration', duration: 10n * MS, pollable: slotOf(p.handle), deadline: start + 10n * MS });
  const block = events.events.find((e) => e.type === 'PollableBlock');
  assert.equal(block, { type: 'PollableBlock', pollable: slotOf(p.handle), waited: 7n * MS });
});

test('with recording off, block and poll work and record nothing', async () => {
  const { mono, io, timer } = setup({ events: null });
  const p = mono.subscribeDuration(2n * MS);
  const blocked = p.block();
  timer.advanceMs(2);
  await blocked;
  assert.equal(Array.from(io.poll([p]) as Uint32Array), [0]);
  const q = mono.subscribeDuration(2n * MS);
  const polled = io.poll([q]);
  timer.advanceMs(2);
  assert.equal(Array.from(await polled), [0]);
  assert.ok(p.ready());
  p[Symbol.dispose]();
});

test('the real thread sleeper returns after its time', () => {
  atomicsSleep(0);
});

test('block on a ready pollable returns at once without a promise', () => {
  const { mono } = setup();
  assert.is(mono.subscribeDuration(0n).block(), undefined);
});

test('deadlines saturate at u64::MAX instead of overflowing', () => {
  const { mono, events, table } = setup();
  const a = mono.subscribeDuration(U64_MAX);
  const b = mono.subscribeInstant(U64_MAX);
  assert.is(a.ready(), false);
  assert.is(b.ready(), false);
  const deadlines = events.events.flatMap((e) => ('deadline' in e ? [e.deadline] : []));
  assert.equal(deadlines, [U64_MAX, U64_MAX]);
  assert.is(table.pendingTimers, 2);
});

test('sleeps are clamped to [min, max] and the clamp is recorded', () => {
  const { mono, events } = setup({ limits: { minNs: 2n * MS, maxNs: 100n * MS } });
  const now = mono.now();
  mono.subscribeDuration(1n);
  mono.subscribeDuration(U64_MAX);
  mono.subscribeInstant(now + 500n * MS);
  mono.subscribeDuration(50n * MS);
  const clamps = events.events.filter((e) => e.type === 'SleepClamped');
  assert.equal(clamps, [
    { type: 'SleepClamped', requested: 1n, applied: 2n * MS, reason: 'min_sleep_duration' },
    { type: 'SleepClamped', requested: U64_MAX, applied: 100n * MS, reason: 'max_sleep_duration' },
    { type: 'SleepClamped', requested: 500n * MS, applied: 100n * MS, reason: 'max_sleep_duration' },
  ]);
  assert.equal(types(events).slice(0, 3), ['MonotonicClockNow', 'SubscribeDuration', 'SleepClamped']);
});

test('poll waits until one is ready and returns only the ready positions', async () => {
  const { mono, io, timer, events } = setup();
  const short = mono.subscribeDuration(10n * MS);
  const long = mono.subscribeDuration(10_000n * MS);
  const result = io.poll([long, short, long]);
  assert.instance(result, Promise);
  timer.advanceMs(10);
  assert.equal(Array.from(await result), [1]);
  const later = io.poll([short, long, short]);
  assert.not.instance(later, Promise);
  assert.equal(Array.from(later as Uint32Array), [0, 2]);
  const polls = events.events.filter((e) => e.type === 'PollReady');
  assert.equal(polls, [
    { type: 'PollReady', pollables: [slotOf(long.handle), slotOf(short.handle), slotOf(long.handle)], ready_count: 1, indices: [1], waited: 10n * MS },
    { type: 'PollReady', pollables: [slotOf(short.handle), slotOf(long.handle), slotOf(short.handle)], ready_count: 2, indices: [0, 2], waited: 0n },
  ]);
});

test('poll traps on an empty list and on more entries than a u32 indexes', () => {
  const { io } = setup();
  assert.throws(() => io.poll([]), /^wasi trap: poll: attempt to poll on an empty list$/);
  const huge = { length: 2 ** 32 } as unknown as Pollable[];
  assert.throws(() => io.poll(huge), /^wasi trap: poll: 4294967296 entries/);
});

test('poll never trusts a stranger\'s fields: an object with ready() and block() is a foreign pollable, asked ready(); others trap', () => {
  const { io, mono, table } = setup();
  let asked = 0;
  // Forged table fields are never read: the object only answers ready().
  const forged = { handle: 0, host: null, ready: () => (asked++, true), block: () => undefined };
  const live = table.live;
  assert.equal(Array.from(io.poll([mono.subscribeDuration(5n * MS), forged]) as Uint32Array), [1]);
  assert.is(asked, 1);
  assert.is(table.live, live + 1);
  assert.throws(() => io.poll([mono.subscribeDuration(0n), { ready: () => true } as unknown as Pollable]), /^wasi trap: poll: the list holds an object that is not a pollable \(neither ours nor one with ready\(\) and block\(\)\)$/);
});

test('events name a pollable by its table slot, a u32, however often the slot is reused', () => {
  const { mono, events, table } = setup();
  const handles = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const p = mono.subscribeDuration(5n * MS);
    handles.add(p.handle);
    p.ready();
    p[Symbol.dispose]();
  }
  assert.ok(Math.max(...handles) >= 2 ** 32, 'the handle itself has outgrown u32 (one slot, 200 reuses)');
  const ids = events.events.flatMap((e) => ('pollable' in e ? [e.pollable] : []));
  assert.is(ids.length, 600);
  assert.equal([...new Set(ids)], [slotOf([...handles][0])]);
  assert.ok(ids.every((id) => id >= 0 && id < 2 ** 32));
  assert.ok(verifyChain(formatChainJsonl(buildChain([...events.events, chainEnd(events.events, 'ok')]))).ok, 'the chain verifies');
  assert.is(table.live, 0);
});

test('dropping a pollable cancels its timer at once and is recorded', () => {
  const { mono, events, table } = setup();
  const p = mono.subscribeDuration(10n * MS);
  p[Symbol.dispose]();
  assert.is(table.pendingTimers, 0);
  assert.is(table.live, 0);
  assert.equal(events.events.at(-1), { type: 'PollableDrop', pollable: slotOf(p.handle) });
});

test('going over the pollable quota traps the actor with a clear message', () => {
  const { mono, host } = setup({ quota: 3 });
  for (let i = 0; i < 3; i++) mono.subscribeDuration(MS);
  assert.throws(() => mono.subscribeDuration(MS), /^wasi trap: pollable quota exceeded: actor "a1" already holds 3 live pollables \(quota 3\)$/);
  assert.throws(() => host.createExternal(), /quota exceeded/);
});

test('external pollables wake a poll together with timers', async () => {
  const { mono, io, host, table } = setup();
  const timerP = mono.subscribeDuration(1000n * MS);
  const ext = new Pollable(host, host.createExternal());
  const result = io.poll([timerP, ext]);
  table.setReady(ext.handle, true);
  assert.equal(Array.from(await result), [1]);
});

test('two calls waiting in one actor at once (a host that interleaves) both wake', async () => {
  const { mono, io, timer } = setup();
  const a = mono.subscribeDuration(3n * MS);
  const b = mono.subscribeDuration(7n * MS);
  // Each hand-off must be consumed (awaited, or .then) before the actor's next call:
  // JSPI glue awaits at once; a call left unconsumed would trap the next one.
  const first = (a.block() as Promise<void>).then(() => undefined);
  const second = io.poll([b]) as Promise<Uint32Array>;
  timer.advanceMs(3);
  await first;
  timer.advanceMs(4);
  assert.equal(Array.from(await second), [0]);
});

test('stopping the host drops its pollables and fails a waiting call', async () => {
  const { mono, host, table, timer } = setup();
  const p = mono.subscribeDuration(1000n * MS);
  const blocked = p.block() as Promise<void>;
  host.dispose();
  await blocked.then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /stopped/));
  assert.is(table.pendingTimers, 0);
  assert.is(timer.pending.length, 0, 'no native timer armed');
});

test('sync mode sleeps until the earliest deadline, then re-scans', () => {
  let clockRef: FakeClock | null = null;
  const slept: number[] = [];
  const { mono, io, clock, events } = setup({
    mode: 'sync',
    sleepSync: (ms) => {
      slept.push(ms);
      clockRef!.advanceNs(BigInt(Math.ceil(ms)) * MS - 1n); // wake 1 ns short: must re-check
    },
  });
  clockRef = clock;
  const start = clock.ns;
  const p = mono.subscribeDuration(20n * MS);
  assert.is(p.block(), undefined);
  assert.ok(clock.ns >= start + 20n * MS);
  assert.ok(slept.length >= 2);
  const q = mono.subscribeDuration(5n * MS);
  const r = mono.subscribeDuration(50n * MS);
  assert.equal(Array.from(io.poll([r, q]) as Uint32Array), [1]);
  assert.ok(types(events).includes('PollableBlock'));
});

test('jspi: a ready poll past the slice waits one macrotask (so timers run); within the slice it returns at once', async () => {
  let expired = false;
  let turns = 0;
  const slice = { expired: () => expired, nextTurn: async () => void turns++ } as unknown as EventLoopSlice;
  const meter = new RunMeter('a1');
  const { mono, io } = setup({ slice, meter });
  const p = mono.subscribeDuration(0n);
  assert.equal(Array.from(io.poll([p]) as Uint32Array), [0]);
  assert.is(p.block(), undefined);
  expired = true;
  meter.begin();
  const polled = io.poll([p]);
  assert.ok(polled instanceof Promise);
  assert.equal(Array.from(await polled), [0]);
  await p.block();
  assert.is(turns, 2);
  meter.end();
});

test('waits are not counted against max_cpu_ms: the meter pauses in jspi and sync waits', async () => {
  const clock = { ms: 0 };
  const meter = new RunMeter('a1', () => clock.ms);
  meter.limitMs = 1; // a wait counted as running would exceed it
  const jspi = setup({ meter });
  meter.begin();
  const p = jspi.mono.subscribeDuration(5n * MS);
  const blocked = p.block() as Promise<void>;
  clock.ms += 1000;
  jspi.timer.advanceMs(5);
  await blocked;
  assert.not.throws(() => meter.check());
  meter.end();
  let clockRef: FakeClock | null = null;
  const sync = setup({ meter, mode: 'sync', sleepSync: (ms) => { clock.ms += 500; clockRef!.advanceNs(BigInt(Math.ceil(ms)) * MS); } });
  clockRef = sync.clock;
  meter.begin();
  assert.is(sync.mono.subscribeDuration(5n * MS).block(), undefined);
  assert.not.throws(() => meter.check());
  meter.end();
});

test('sync mode traps instead of hanging on pollables no timer can make ready', () => {
  const { io, host } = setup({ mode: 'sync', sleepSync: () => {} });
  const ext = new Pollable(host, host.createExternal());
  assert.throws(() => io.poll([ext]), /^wasi trap: poll would block forever/);
});

test('wall clock: one reading, nanoseconds < 1e9, recorded', () => {
  const { wall, events } = setup();
  const now = wall.now();
  assert.is(now.seconds, 1_700_000_000n);
  assert.ok(now.nanoseconds >= 123_000_000 && now.nanoseconds < 1e9);
  const res = wall.resolution();
  assert.is(res.seconds, 0n);
  assert.ok(res.nanoseconds > 0);
  assert.equal(types(events), ['WallClockNow', 'WallClockResolution']);
});

test.run();
