// runFleet and Actor with real components: the live-actor cap and its FIFO
// queue, trap isolation, stopping, and the instance options. Real time is used
// only through short sleeps; assertions never depend on how long they took.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { sharedPollableTable } from '../../src/pollables/shared.ts';
import { Actor } from '../../src/runtime/actor.ts';
import { prepareComponent, registryFor, runFleet } from '../../src/runtime/fleet.ts';
import type { TranspiledComponent } from '../../src/runtime/transpile.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const manifest = (name: string) => loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml'));
const sleepFor = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, ns, true);
  return state;
};
const MS = 1_000_000n;

test('the cap holds: at most maxLive alive at once, the rest run in FIFO order, all complete', async () => {
  const progress: Array<[number, number]> = [];
  const fleet = await runFleet(manifest('sleeper'), { instances: 10, maxLive: 3, state: sleepFor(2n * MS), onProgress: (s, t) => progress.push([s, t]) });
  assert.is(fleet.ok, 10);
  assert.is(fleet.maxLive, 3);
  assert.is(fleet.peakLive, 3);
  assert.equal(progress.map(([s]) => s), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(progress.every(([, t]) => t === 10));
  // FIFO: an instance queued later never starts its sleep before one queued earlier (instances 3.. wait).
  const starts = fleet.results.map((r) => (r.outcome.status === 'ok' && r.outcome.state !== null
    ? new DataView(r.outcome.state.buffer, r.outcome.state.byteOffset).getBigUint64(0, true) : -1n));
  for (let i = 4; i < 10; i++) assert.ok(starts[i] >= starts[i - 1], `instance ${i} started before ${i - 1}`);
  assert.equal(fleet.results.map((r) => r.instance), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(sharedPollableTable().live, 0);
});

test('the default cap comes from vm.max_map_count; instances must be a positive integer', async () => {
  const fleet = await runFleet(manifest('wasi-clocks-v020'), {});
  assert.ok(fleet.maxLive >= 1);
  assert.is(fleet.instances, 1);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    await runFleet(manifest('sleeper'), { instances: bad }).then(
      () => assert.unreachable(),
      (e: Error) => assert.match(e.message, /^instances must be a positive integer, got /),
    );
  }
});

test('record: false keeps no events; recording keeps one chain per instance', async () => {
  const off = await runFleet(manifest('sleeper'), { instances: 2, record: false, state: sleepFor(MS) });
  assert.ok(off.results.every((r) => r.events.length === 0));
  const on = await runFleet(manifest('sleeper'), { instances: 2, state: sleepFor(MS) });
  for (const r of on.results) {
    assert.equal(r.events.map((e) => e.type), [
      'HandlerSetupStart', 'HandlerSetupSuccess', 'LinkerInstanceSuccess',
      'MonotonicClockNow', 'SubscribeDuration', 'PollableBlock', 'MonotonicClockNow', 'PollableDrop',
    ]);
  }
});

test('a trapping fleet never disturbs another fleet sleeping in the same process', async () => {
  const [sleepers, trappers] = await Promise.all([
    runFleet(manifest('sleeper'), { instances: 20, state: sleepFor(20n * MS) }),
    runFleet(manifest('poll-empty'), { instances: 20 }),
  ]);
  assert.is(sleepers.ok, 20);
  assert.is(trappers.trap, 20);
  assert.ok(trappers.results.every((r) => r.outcome.status === 'trap' && r.outcome.error === 'wasi trap: poll: attempt to poll on an empty list'));
  assert.is(sharedPollableTable().live, 0);
});

test('an actor: init through its mailbox, stop() drops its pollables and later calls report it stopped', async () => {
  const m = manifest('sleeper');
  const component = await prepareComponent(m, 'jspi');
  const actor = Actor.spawn(component, registryFor(m, 'jspi'), { id: 'sleepy', record: false });
  assert.is(actor.events, null);
  const before = sharedPollableTable().live;
  const pending = actor.init(sleepFor(10_000n * MS)); // a 10 s sleep, cut short by stop()
  await new Promise((r) => setImmediate(r));
  assert.is(sharedPollableTable().live, before + 1);
  actor.stop();
  actor.stop(); // idempotent
  assert.ok(actor.stopped);
  assert.is(sharedPollableTable().live, before);
  const outcome = await pending;
  assert.is(outcome.status, 'trap');
  assert.match(outcome.status === 'trap' ? outcome.error : '', /actor stopped while waiting on a pollable/);
  assert.equal(await actor.init(null), { status: 'trap', error: 'actor sleepy is stopped' });
});

test('an err from the guest is an err outcome, not a trap; the actor lives on', async () => {
  const m = manifest('sleeper');
  const component = await prepareComponent(m, 'jspi');
  const actor = Actor.spawn(component, registryFor(m, 'jspi'), { id: 'e' });
  assert.equal(await actor.init(Uint8Array.of(1, 2, 3)), { status: 'err', error: 'sleeper: state must be 8 bytes, a u64 LE duration in ns' });
  assert.not.ok(actor.stopped);
  const ok = await actor.init(sleepFor(MS));
  assert.is(ok.status, 'ok');
  actor.stop();
});

test('a component without the actor export, or with an import no handler serves, is refused at spawn', async () => {
  const fake = (exports: object, importNames: string[] = []): TranspiledComponent => ({
    importNames, instantiateSync: <T>() => exports as T,
  } as unknown as TranspiledComponent);
  const registry = new HandlerRegistry();
  registry.register(new TimingHandler());
  assert.throws(() => Actor.spawn(fake({}), registry, { id: 'x' }), /does not export theater:simple\/actor with an init function/);
  assert.throws(() => Actor.spawn(fake({ 'theater:simple/actor': {} }), registry, { id: 'x' }), /does not export theater:simple\/actor/);
  assert.throws(() => Actor.spawn(fake({}, ['wasi:sockets/tcp']), registry, { id: 'x' }), /no registered handler provides wasi:sockets\/tcp/);
});

test('spawn failures after the first batch become per-instance trap outcomes', async () => {
  const m = manifest('sleeper');
  let spawned = 0;
  const realSpawn = Actor.spawn;
  Actor.spawn = (component, registry, options) => {
    if (++spawned > 2) throw new Error('Out of memory: Cannot allocate Wasm memory for new instance');
    return realSpawn(component, registry, options);
  };
  try {
    const fleet = await runFleet(m, { instances: 4, maxLive: 2, state: sleepFor(MS) });
    assert.is(fleet.ok, 2);
    assert.is(fleet.trap, 2);
    assert.equal(fleet.results[3].outcome, { status: 'trap', error: 'Out of memory: Cannot allocate Wasm memory for new instance' });
  } finally {
    Actor.spawn = realSpawn;
  }
});

test.run();
