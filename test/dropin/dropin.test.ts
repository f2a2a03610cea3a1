// The --map drop-in modules and their process-wide defaultTiming, on fake time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultTiming, DefaultTiming } from '../../src/dropin/default-timing.ts';
import { monotonicClock, wallClock, defaultTiming as fromClocks } from '../../src/dropin/clocks.ts';
import { poll, defaultTiming as fromIo } from '../../src/dropin/io.ts';
import { preview2ShimFrom } from '../../src/wasi/foreign.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { WallClock } from '../../src/clock/wall-clock.ts';
import { Pollable } from '../../src/wasi/poll.ts';
import { jspiAvailable } from '../../src/wasi/mode.ts';
import { FakeClock, FakeTimer, MS } from '../support/fake-time.ts';

function fakeRuntime() {
  const clock = new FakeClock(10n * MS);
  const timer = new FakeTimer(clock);
  const wallClock = new WallClock({ dateNowMs: () => 1_700_000_000_000, hrtimeNs: () => clock.ns });
  return { clock, timer, runtime: new TimingRuntime({ clock, timer, wallClock, resolutionNs: 1000n }) };
}

test.after.each(() => defaultTiming.dispose());

test('one default: the modules re-export the same object the package does', () => {
  assert.is(fromClocks, defaultTiming);
  assert.is(fromIo, defaultTiming);
  assert.instance(defaultTiming, DefaultTiming);
  // The glue's Pollable: ours (its prototype chain), which also adopts foreign pollables.
  assert.ok(Object.getPrototypeOf(poll.Pollable) === Pollable);
});

test('configure before first use; the forwarders serve the configured runtime, limits and sink', async () => {
  const { clock, timer, runtime } = fakeRuntime();
  const events = new EventRecorder();
  defaultTiming.configure({ runtime, mode: 'jspi', limits: { minNs: 2n * MS, maxNs: 3_600_000n * MS }, events, actorId: 'app' });
  assert.is(defaultTiming.inUse, false);
  assert.is(defaultTiming.mode, 'jspi');
  assert.is(monotonicClock.now(), clock.ns);
  assert.is(defaultTiming.inUse, true);
  assert.is(defaultTiming.host.actorId, 'app');
  assert.is(defaultTiming.host.mode, 'jspi');
  assert.is(monotonicClock.resolution(), 1000n);
  assert.equal(wallClock.now(), { seconds: 1_700_000_000n, nanoseconds: 0 });
  assert.equal(wallClock.resolution(), { seconds: 0n, nanoseconds: 1000 });
  // A zero sleep is raised to the 2 ms minimum.
  const p = monotonicClock.subscribeDuration(0n);
  assert.instance(p, Pollable);
  assert.is(p.ready(), false);
  const waited = poll.poll([p]);
  assert.instance(waited, Promise);
  const done = Promise.resolve(waited);
  clock.advanceNs(2n * MS);
  timer.fireDue();
  assert.equal(Array.from(await done), [0]);
  const at = monotonicClock.subscribeInstant(clock.ns - 1n);
  assert.is(at.ready(), false, 'an instant in the past is raised to the minimum too');
  p[Symbol.dispose]();
  at[Symbol.dispose]();
  const types = events.events.map((e) => e.type);
  assert.ok(types.includes('SleepClamped'));
  assert.ok(types.includes('PollReady'));
  assert.throws(() => defaultTiming.configure({}), /already in use/);
});

test('dispose drops the default host: its pollables go stale, the next call builds a new host from the settings', () => {
  const { runtime } = fakeRuntime();
  defaultTiming.configure({ runtime, mode: 'sync' });
  const p = monotonicClock.subscribeDuration(5n * MS);
  const first = defaultTiming.host;
  assert.is(runtime.pollables.live, 1);
  defaultTiming.dispose();
  assert.is(runtime.pollables.live, 0);
  assert.is(defaultTiming.inUse, false);
  assert.throws(() => p.ready(), /pollable used after drop/);
  assert.is(defaultTiming.imports['wasi:io/poll'].mode, 'sync');
  assert.is.not(defaultTiming.host, first);
  defaultTiming.dispose();
  defaultTiming.dispose();
});

test('the default settings: a real-time runtime, auto mode, no limits', () => {
  const fresh = new DefaultTiming();
  assert.is(fresh.mode, jspiAvailable ? 'jspi' : 'sync');
  assert.is(fresh.host.actorId, 'jco-guest');
  assert.is(fresh.host.limits, null);
  assert.is(fresh.host.events, null);
  assert.is(fresh.mode, fresh.host.mode);
  fresh.dispose();
});

test('the glue\'s Pollable accepts ours (live or bare) and adopts a foreign pollable: its block() polls through us', async () => {
  const { clock, timer, runtime } = fakeRuntime();
  defaultTiming.configure({ runtime, mode: 'jspi', foreignTimer: timer });
  const ours = monotonicClock.subscribeDuration(MS);
  assert.ok(ours instanceof poll.Pollable);
  assert.ok(Object.create(poll.Pollable.prototype) instanceof poll.Pollable);
  assert.not.ok({} instanceof poll.Pollable);
  assert.not.ok((null as unknown as object) instanceof poll.Pollable);
  let ready = false;
  let blocked = 0;
  const theirs = { ready: () => ready, block: () => { blocked++; } };
  const originalBlock = theirs.block;
  assert.ok(theirs instanceof poll.Pollable);
  assert.is.not(theirs.block, originalBlock);
  const adopted = theirs.block;
  assert.ok(theirs instanceof poll.Pollable, 'adopting twice is harmless');
  assert.is(theirs.block, adopted);
  // block() on it suspends (a Promise), re-checked every ms by the host's foreign timer.
  const waited = (theirs.block as () => unknown)();
  assert.instance(waited, Promise);
  const done = (waited as Promise<unknown>).then(() => 'woke');
  clock.advanceNs(MS);
  timer.fireDue();
  ready = true;
  clock.advanceNs(MS);
  timer.fireDue();
  assert.is(await done, 'woke');
  assert.is(blocked, 0, 'their own block() is never called');
  // Ready at once: block() returns nothing.
  assert.is((theirs.block as () => unknown)(), undefined);
  ours[Symbol.dispose]();
});

test('preview2-shim is found beside the package; absent, nothing is', () => {
  assert.is(preview2ShimFrom(() => { throw new Error('not installed'); }), null);
  const io = { poll: { Pollable: class {}, poll: () => new Uint32Array() } };
  const clocks = { monotonicClock: { subscribeDuration: () => ({}) } };
  const poller = preview2ShimFrom((id) => (id.endsWith('/io') ? io : clocks));
  assert.ok(poller !== null && poller.owns(new io.poll.Pollable()));
});

test.run();
