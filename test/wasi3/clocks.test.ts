// wasi:clocks@0.3.0 on a fake clock: waits are wheel entries whose expiry
// resolves the guest's Promise, clamped and recorded like 0.2 subscriptions;
// the core-level functions replace the glue's only where they should.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { TimingHost } from '../../src/wasi/host.ts';
import { MONOTONIC_KEY, P3_CORE, P3_INTERFACES, p3ClockImports, SYSTEM_KEY } from '../../src/wasi3/clocks.ts';
import { coreClocksOf, systemClockOf, withP3CoreImports, withSystemClockCore } from '../../src/wasi3/core.ts';
import { fakeRuntime, MS } from '../support/fake-time.ts';

function setup(limits: { minNs: bigint; maxNs: bigint } | null = null, record = true) {
  const fake = fakeRuntime({ wallClock: { now: () => ({ seconds: 1_800_000_000n, nanoseconds: 42 }) } });
  const events = record ? new EventRecorder() : null;
  const host = new TimingHost({ runtime: fake.runtime, mode: 'jspi', limits, events });
  const imports = p3ClockImports(host);
  return { ...fake, host, events, imports, mono: imports[MONOTONIC_KEY], system: imports[SYSTEM_KEY] };
}
const types = (events: EventRecorder | null): string[] => (events?.events ?? []).map((e: TimingEvent) => e.type);

test('wait-for is a timer on the wheel: the Promise settles at its deadline, never before, and the timer is dropped', async () => {
  const { mono, timer, table, events, clock } = setup();
  const start = clock.ns;
  let done = false;
  const waiting = mono.waitFor(100n * MS);
  assert.instance(waiting, Promise);
  void waiting!.then(() => { done = true; });
  assert.is(table.live, 1);
  timer.advanceMs(99);
  await Promise.resolve(); await Promise.resolve();
  assert.not.ok(done, 'woke before its deadline');
  timer.advanceMs(1);
  await waiting;
  assert.ok(done);
  assert.is(table.live, 1, 'the expired timer lingers until the actor\'s next wait');
  assert.is(mono.waitFor(0n), undefined);
  assert.is(table.live, 0, 'the next wait dropped it, and its own');
  assert.equal(events!.events[0], { type: 'WaitFor', duration: 100n * MS, deadline: start + 100n * MS });
});

test('one native timer for many waits of many actors', async () => {
  const fake = fakeRuntime();
  const hosts = Array.from({ length: 50 }, (_, i) => new TimingHost({ runtime: fake.runtime, mode: 'jspi', actorId: `a${i}` }));
  const waits = hosts.map((host, i) => p3ClockImports(host)[MONOTONIC_KEY].waitFor(BigInt(10 + i) * MS));
  assert.ok(fake.timer.maxPending <= 1, `armed ${fake.timer.maxPending} native timers`);
  fake.timer.advanceMs(60);
  await Promise.all(waits);
  for (const host of hosts) host.dispose();
  assert.is(fake.table.live, 0);
});

test('wait-until: a future mark waits until it; a past mark and zero are ready at once without limits', async () => {
  const { mono, timer, clock, events } = setup();
  const mark = clock.ns + 5n * MS;
  const waiting = mono.waitUntil(mark);
  timer.advanceMs(5);
  await waiting;
  assert.ok(clock.ns >= mark);
  assert.is(mono.waitUntil(clock.ns - 1n), undefined, 'a past mark returns at once');
  assert.is(mono.waitUntil(0n), undefined);
  assert.is(mono.waitFor(0n), undefined, 'wait-for(0) returns at once with no minimum');
  assert.equal(types(events), ['WaitUntil', 'WaitUntil', 'WaitUntil', 'WaitFor']);
  assert.equal(events!.events[0], { type: 'WaitUntil', when: mark, deadline: mark });
});

test('min_sleep_duration raises wait-for(0) and a past wait-until, with SleepClamped; max caps a long wait', async () => {
  const { mono, timer, events } = setup({ minNs: 1n * MS, maxNs: 50n * MS });
  const zero = mono.waitFor(0n);
  assert.instance(zero, Promise, 'wait-for(0) suspends for the minimum');
  timer.advanceMs(1);
  await zero;
  const past = mono.waitUntil(0n);
  timer.advanceMs(1);
  await past;
  const long = mono.waitFor(3_600_000n * MS);
  timer.advanceMs(50);
  await long;
  const clamps = events!.events.filter((e) => e.type === 'SleepClamped');
  assert.equal(clamps.map((e) => e.type === 'SleepClamped' && [e.requested, e.applied, e.reason]), [
    [0n, 1n * MS, 'min_sleep_duration'],
    [0n, 1n * MS, 'min_sleep_duration'],
    [3_600_000n * MS, 50n * MS, 'max_sleep_duration'],
  ]);
});

test('a u64 above 2^63 (passed by the core ABI as a negative i64) is read back unsigned', () => {
  const { mono, events, table } = setup();
  const waiting = mono[P3_CORE]['wait-for'](-1n);
  assert.instance(waiting, Promise);
  assert.equal(events!.events[0], { type: 'WaitFor', duration: 2n ** 64n - 1n, deadline: 2n ** 64n - 1n });
  assert.is(table.live, 1);
});

test('a lingering timer already released (its actor\'s table entries freed) is not dropped twice', async () => {
  const { mono, timer, table, host } = setup();
  const first = mono.waitFor(1n * MS);
  timer.advanceMs(1);
  await first;
  table.releaseOwner(host.owner);
  assert.is(mono.waitFor(0n), undefined);
  assert.is(table.live, 0);
});

test('a wait whose actor stops fails, and its timer is gone', async () => {
  const { mono, host, table } = setup();
  const waiting = mono.waitFor(10n * MS);
  host.dispose();
  await waiting!.then(() => assert.unreachable('should fail'), (error: unknown) => assert.instance(error, Error));
  assert.is(table.live, 0);
});

test('a wait that cannot subscribe (over quota) traps, and the call leaves nothing behind', () => {
  const fake = fakeRuntime();
  const host = new TimingHost({ runtime: fake.runtime, mode: 'jspi', quota: 0 });
  assert.throws(() => p3ClockImports(host)[MONOTONIC_KEY].waitFor(1n), /wasi trap: pollable quota exceeded/);
});

test('sync mode: a wait sleeps the thread until the deadline', () => {
  const fake = fakeRuntime();
  const host = new TimingHost({ runtime: fake.runtime, mode: 'sync' });
  const start = fake.clock.ns;
  assert.is(p3ClockImports(host)[MONOTONIC_KEY].waitFor(7n * MS), undefined);
  assert.ok(fake.clock.ns - start >= 7n * MS);
  assert.is(fake.table.live, 0);
});

test('now, get-resolution and the system clock are read and recorded', () => {
  const { mono, system, events, clock } = setup();
  assert.is(mono.now(), clock.ns);
  assert.ok(mono.getResolution() > 0n);
  assert.equal(system.now(), { seconds: 1_800_000_000n, nanoseconds: 42 });
  assert.ok(system.getResolution() > 0n);
  assert.equal(types(events), ['MonotonicClockNow', 'MonotonicClockGetResolution', 'SystemClockNow', 'SystemClockResolution']);
  const quiet = setup(null, false);
  assert.is(quiet.mono.now, quiet.host.nowNs, 'unrecorded now is the clock itself');
  assert.equal(quiet.system.now(), { seconds: 1_800_000_000n, nanoseconds: 42 });
  assert.ok(quiet.mono.getResolution() > 0n && quiet.system.getResolution() > 0n);
  assert.equal([...P3_INTERFACES], ['wasi:clocks/monotonic-clock@0.3.0', 'wasi:clocks/system-clock@0.3.0', 'wasi:clocks/types@0.3.0']);
});

test('withP3CoreImports replaces only the sync-lowered monotonic-clock@0.3.x functions', () => {
  const { imports } = setup();
  const clocks = coreClocksOf(imports as unknown as Record<string, object>);
  assert.ok(clocks !== null);
  assert.is(coreClocksOf({}), null);
  assert.is(coreClocksOf({ [MONOTONIC_KEY]: {} }), null);
  const glue = () => 0;
  const suspendingGlue = new (globalThis as unknown as { WebAssembly: { Suspending: new (f: () => unknown) => object } }).WebAssembly.Suspending(glue);
  const core = {
    'wasi:clocks/monotonic-clock@0.3.0': { now: glue, 'get-resolution': glue, 'wait-for': suspendingGlue, 'wait-until': suspendingGlue, '[async-lower]wait-for': glue },
    'wasi:clocks/system-clock@0.3.0': { now: glue },
    'wasi:clocks/monotonic-clock@0.2.3': { now: glue },
    '$root': { '[waitable-set-new]': glue },
  };
  const replaced = { count: 0 };
  const out = withP3CoreImports(core, clocks, true, replaced)!;
  assert.is.not(out, core, 'a copy, never the glue\'s own object');
  assert.is(core['wasi:clocks/monotonic-clock@0.3.0'].now, glue, 'the input is not mutated');
  const mono = out['wasi:clocks/monotonic-clock@0.3.0'];
  assert.is(mono.now, clocks!.now);
  assert.is(mono['get-resolution'], clocks!['get-resolution']);
  assert.is.not(mono['wait-for'], suspendingGlue);
  assert.is(mono['[async-lower]wait-for'], glue, 'the async lowering stays the glue\'s');
  assert.is(out['wasi:clocks/system-clock@0.3.0'], core['wasi:clocks/system-clock@0.3.0']);
  assert.is(out['wasi:clocks/monotonic-clock@0.2.3'], core['wasi:clocks/monotonic-clock@0.2.3']);
  assert.is(replaced.count, 4);
  const plain = withP3CoreImports(core, clocks, false)!;
  assert.is(plain['wasi:clocks/monotonic-clock@0.3.0']['wait-for'], clocks!['wait-for'], 'without JSPI the plain function');
  assert.is(withP3CoreImports(core, null, true), core);
  assert.is(withP3CoreImports(undefined, clocks, true), undefined);
  const asyncOnly = { 'wasi:clocks/monotonic-clock@0.3.0': { '[async-lower]wait-for': glue } };
  assert.is(withP3CoreImports(asyncOnly, clocks, true), asyncOnly, 'nothing to replace: the same object');
});

test('withSystemClockCore: now writes the instant at the return pointer (s64 at +0, u32 at +8); get-resolution direct', () => {
  const { imports } = setup();
  const clock = systemClockOf(imports as unknown as Record<string, object>);
  assert.ok(clock !== null);
  assert.is(systemClockOf({}), null);
  const glue = () => 0;
  const core = { 'wasi:clocks/system-clock@0.3.0': { now: glue, 'get-resolution': glue }, other: { now: glue } };
  const buffer = new ArrayBuffer(64);
  const replaced = { count: 0 };
  const out = withSystemClockCore(core, clock, () => buffer, replaced)!;
  assert.is(replaced.count, 2);
  assert.is(out.other, core.other);
  assert.is(core['wasi:clocks/system-clock@0.3.0'].now, glue, 'the input is not mutated');
  (out['wasi:clocks/system-clock@0.3.0'].now as (p: number) => void)(16);
  const view = new DataView(buffer);
  assert.is(view.getBigInt64(16, true), 1_800_000_000n);
  assert.is(view.getUint32(24, true), 42);
  assert.ok((out['wasi:clocks/system-clock@0.3.0']['get-resolution'] as () => bigint)() > 0n);
  assert.is(withSystemClockCore(core, null, () => buffer), core);
  assert.is(withSystemClockCore(undefined, clock, () => buffer), undefined);
  const none = { 'wasi:clocks/system-clock@0.3.0': { other: glue } };
  assert.is(withSystemClockCore(none, clock, () => buffer), none);
  assert.is(withSystemClockCore(core, clock, () => buffer) === core, false);
});

test.run();
