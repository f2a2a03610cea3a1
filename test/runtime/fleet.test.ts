// runFleet with real components: the live-actor cap and its FIFO queue,
// progress, option checks, recording, sync mode, and per-instance failures.
// Real time is used only through short sleeps; the cap and the order are
// checked by counting spawns and stops, never by timing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { Actor } from '../../src/runtime/actor.ts';
import { runFleet } from '../../src/runtime/fleet.ts';
import { defaultMaxLive, maxLiveCeiling } from '../../src/runtime/limits.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const manifest = (name: string) => loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml'));
const MS = 1_000_000n;
const sleepFor = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, ns, true);
  return state;
};

/** Watches Actor.spawn and Actor#stop while `run` runs: spawn order and the most actors alive at once. */
async function watchActors<T>(run: () => Promise<T>, failSpawn: (n: number) => unknown = () => undefined) {
  const spawned: string[] = [];
  let alive = 0, peak = 0;
  const realSpawn = Actor.spawn;
  const realStop = Actor.prototype.stop;
  Actor.spawn = (component, registry, options) => {
    const failure = failSpawn(spawned.length);
    spawned.push(options.id);
    if (failure !== undefined) throw failure;
    const actor = realSpawn(component, registry, options);
    peak = Math.max(peak, ++alive);
    return actor;
  };
  Actor.prototype.stop = function stop(this: Actor) {
    if (!this.stopped) alive--;
    realStop.call(this);
  };
  try {
    const result = await run();
    return { result, spawned, peak, alive };
  } finally {
    Actor.spawn = realSpawn;
    Actor.prototype.stop = realStop;
  }
}

test('the cap holds: at most maxLive alive at once, the rest spawn in FIFO order, all complete', async () => {
  const progress: Array<[number, number]> = [];
  const runtime = new TimingRuntime();
  const { result: fleet, spawned, peak, alive } = await watchActors(() => runFleet(manifest('sleeper'), {
    runtime, instances: 10, maxLive: 3, state: sleepFor(2n * MS), record: false, onProgress: (s, t) => progress.push([s, t]),
  }));
  assert.is(fleet.ok, 10);
  assert.is(fleet.err + fleet.trap, 0);
  assert.is(fleet.instances, 10);
  assert.is(fleet.maxLive, 3);
  assert.is(fleet.peakLive, 3);
  assert.is(peak, 3, 'never more than 3 instances alive');
  assert.is(alive, 0, 'every instance was stopped');
  assert.equal(spawned, Array.from({ length: 10 }, (_, i) => `sleeper#${i}`), 'spawned in FIFO order');
  assert.equal(progress, Array.from({ length: 10 }, (_, i) => [i + 1, 10]));
  assert.equal(fleet.results.map((r) => r.instance), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // FIFO in time too: a queued instance never starts its sleep before the one queued ahead of it.
  const starts = fleet.results.map((r) => (r.outcome.status === 'ok' && r.outcome.state !== null
    ? new DataView(r.outcome.state.buffer, r.outcome.state.byteOffset).getBigUint64(0, true) : -1n));
  for (let i = 4; i < 10; i++) assert.ok(starts[i] >= starts[i - 1], `instance ${i} started before ${i - 1}`);
  assert.is(runtime.pollables.live, 0);
  assert.ok(fleet.prepareMs >= 0 && fleet.spawnMs >= fleet.prepareMs && fleet.runMs >= 0);
});

test('maxLive 1 runs the fleet one instance at a time', async () => {
  const { result: fleet, peak } = await watchActors(() => runFleet(manifest('sleeper'), { instances: 4, maxLive: 1, state: sleepFor(MS), record: false }));
  assert.is(fleet.ok, 4);
  assert.is(fleet.peakLive, 1);
  assert.is(peak, 1);
});

test('the default cap comes from the process limits; a fleet smaller than the cap is all live at once', async () => {
  const fleet = await runFleet(manifest('sleeper'), { instances: 5, state: sleepFor(MS), record: false });
  assert.is(fleet.maxLive, defaultMaxLive());
  assert.is(fleet.peakLive, 5);
  const one = await runFleet(manifest('wasi-clocks-v020'));
  assert.is(one.instances, 1);
  assert.is(one.ok, 1);
  assert.is(one.mode, 'jspi');
});

test('bad instances, maxLive or a state over 64 MiB are refused, naming the value', async () => {
  const refuses = async (options: Parameters<typeof runFleet>[1], pattern: RegExp) => {
    await runFleet(manifest('sleeper'), options).then(() => assert.unreachable('should have rejected'), (e: Error) => {
      assert.instance(e, RangeError);
      assert.match(e.message, pattern);
    });
  };
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    await refuses({ instances: bad }, new RegExp(`^instances must be a positive integer, got ${String(bad)}$`));
    await refuses({ maxLive: bad }, new RegExp(`^maxLive must be a positive integer, got ${String(bad)}$`));
  }
  await refuses({ instances: 100_000_000 }, /^instances: at most 1000000 per run, got 100000000$/);
  await refuses({ state: new Uint8Array(64 * 2 ** 20 + 1) }, /^state: at most 67108864 bytes \(64 MiB\), got 67108865$/);
  const ceiling = maxLiveCeiling();
  await refuses({ instances: ceiling + 1, maxLive: ceiling + 1 },
    new RegExp(`^maxLive ${ceiling + 1} is more live actors than this process can hold \\(at most ${ceiling}: .*vm\\.max_map_count.*docs/FLEETS\\.md\\)$`));
  // What counts is what can be alive at once: a huge cap over a small fleet is fine.
  const small = await runFleet(manifest('sleeper'), { instances: 2, maxLive: ceiling + 1, state: sleepFor(MS), record: false });
  assert.is(small.ok, 2);
  assert.is(small.maxLive, ceiling + 1);
});

test('record: false keeps no events; recording keeps one chain per instance', async () => {
  const off = await runFleet(manifest('sleeper'), { instances: 2, record: false, state: sleepFor(MS) });
  assert.is(off.ok, 2);
  assert.ok(off.results.every((r) => r.events.length === 0));
  const on = await runFleet(manifest('sleeper'), { instances: 2, state: sleepFor(MS) });
  for (const r of on.results) {
    assert.equal(r.events.map((e) => e.type), [
      'ActorIdentity', 'HandlerSetupStart', 'HandlerSetupSuccess', 'LinkerInstanceSuccess',
      'MonotonicClockNow', 'SubscribeDuration', 'PollableBlock', 'MonotonicClockNow', 'PollableDrop',
    ]);
  }
  assert.is.not(on.results[0].events, on.results[1].events);
});

test('sync mode: wasi-clocks-test passes every check with the thread-blocking fallback', async () => {
  const fleet = await runFleet(manifest('wasi-clocks-test'), { mode: 'sync', cacheDir: false });
  assert.is(fleet.mode, 'sync');
  assert.is(fleet.ok, 1);
  const outcome = fleet.results[0].outcome;
  assert.is(outcome.status === 'ok' && outcome.state !== null ? new TextDecoder().decode(outcome.state) : outcome, 'wasi-clocks-test: all checks passed');
  assert.ok(fleet.results[0].events.some((e) => e.type === 'PollableBlock'));
});

test('err and trap outcomes are counted per instance', async () => {
  const errs = await runFleet(manifest('sleeper'), { instances: 3, state: Uint8Array.of(1) });
  assert.equal([errs.ok, errs.err, errs.trap], [0, 3, 0]);
  assert.equal(errs.results[2].outcome, { status: 'err', error: 'sleeper: state must be 8 bytes, a u64 LE duration in ns' });
});

test('a trapping fleet never disturbs another fleet sleeping in the same runtime', async () => {
  const runtime = new TimingRuntime();
  const [sleepers, trappers] = await Promise.all([
    runFleet(manifest('sleeper'), { runtime, instances: 20, state: sleepFor(20n * MS) }),
    runFleet(manifest('poll-empty'), { runtime, instances: 20, maxLive: 7 }),
  ]);
  assert.is(sleepers.ok, 20);
  assert.is(trappers.trap, 20);
  assert.ok(trappers.results.every((r) => r.outcome.status === 'trap' && r.outcome.error === 'wasi trap: poll: attempt to poll on an empty list'));
  assert.is(runtime.pollables.live, 0);
});

test('a failed spawn after the first, in the first batch or later, is that instance\'s trap; the others run', async () => {
  const oom = new RangeError('WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance');
  const { result: fleet, spawned, alive } = await watchActors(
    () => runFleet(manifest('sleeper'), { instances: 6, maxLive: 3, state: sleepFor(MS), record: false }),
    (n) => (n === 1 ? oom : n === 4 ? 'not even an Error' : undefined),
  );
  assert.is(spawned.length, 6, 'a failure does not stop later spawns');
  assert.is(alive, 0);
  assert.equal([fleet.ok, fleet.err, fleet.trap], [4, 0, 2]);
  assert.equal(fleet.results[1], { instance: 1, outcome: { status: 'trap', error: oom.message }, events: [] });
  assert.equal(fleet.results[4].outcome, { status: 'trap', error: 'not even an Error' });
  assert.ok(fleet.peakLive <= 3);
});

test('when the first instance cannot be spawned, the run is refused: the component does not fit', async () => {
  const { spawned } = await watchActors(async () => {
    await runFleet(manifest('sleeper'), { instances: 5, state: sleepFor(MS) }).then(
      () => assert.unreachable('should have rejected'),
      (e: Error) => assert.is(e.message, 'no such export'),
    );
  }, (n) => (n === 0 ? new TypeError('no such export') : undefined));
  assert.equal(spawned, ['sleeper#0'], 'nothing more is spawned');
});

test.run();
