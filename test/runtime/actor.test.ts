// Actor with real components (test-actors/*, built by npm run build:actors):
// init outcomes (ok, the guest's err, a trap), trap isolation, the mailbox,
// and stop() dropping the actor's pollables. Real time is used only through
// short sleeps; no assertion depends on how long they took, except the sleeper
// never waking early.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { Thread } from '../../src/thread/thread.ts';
import { nodeTimer } from '../../src/clock/clock.ts';
import { CountingTimer } from '../support/fake-time.ts';
import { Actor } from '../../src/runtime/actor.ts';
import { prepareComponent } from '../../src/runtime/fleet.ts';
import type { TranspiledComponent } from '../../src/component/transpile.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MS = 1_000_000n;
const component = (name: string, mode: 'jspi' | 'sync' = 'jspi'): Promise<TranspiledComponent> =>
  prepareComponent(loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml')), mode, false);
const sleepFor = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, ns, true);
  return state;
};
/** The sleeper's output: [before, after, duration] ns. */
const readings = (state: Uint8Array | null): bigint[] => {
  assert.ok(state !== null && state.length === 24, 'sleeper returns 24 bytes');
  const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
  return [0, 8, 16].map((at) => view.getBigUint64(at, true));
};
const okState = (outcome: Awaited<ReturnType<Actor['init']>>): Uint8Array | null => {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.state;
};

/**
 * A timing handler over its own pollable table, so counts are this test's alone, and
 * its own thread, whose slice never runs out: every call enters its guest at once,
 * however long the machine took to compile (the counts below must not depend on it).
 */
function privateTiming(mode: 'jspi' | 'sync' = 'jspi') {
  const thread = new Thread({ sliceMs: Infinity });
  const timer = new CountingTimer(nodeTimer({ busy: () => thread.busy }));
  const runtime = new TimingRuntime({ capacity: 64, thread, timer });
  const table = runtime.pollables;
  const handler = new TimingHandler({ min_sleep_duration: 0 }, null, { mode, runtime });
  const registry = new HandlerRegistry();
  registry.register(handler);
  return { table, handler, registry, runtime, timer };
}

test('wasi-clocks-test: every check passes, and its timing events are recorded', async () => {
  const { registry, table } = privateTiming();
  const actor = Actor.spawn(await component('wasi-clocks-test'), registry, { id: 'clocks' });
  const state = okState(await actor.init());
  assert.is(new TextDecoder().decode(state!), 'wasi-clocks-test: all checks passed');
  const types = new Set(actor.events!.events.map((e) => e.type));
  for (const type of ['MonotonicClockNow', 'WallClockNow', 'SubscribeDuration', 'SubscribeInstant', 'PollableBlock']) {
    assert.ok(types.has(type as never), `recorded ${type}`);
  }
  assert.is(table.live, 0, 'the actor dropped every pollable it made');
  actor.stop();
});

test('poll([]) traps with a "wasi trap:" message; the trap stops the actor and later calls say why', async () => {
  const { registry, handler } = privateTiming();
  const actor = Actor.spawn(await component('poll-empty'), registry, { id: 'empty' });
  assert.ok(handler.hostFor('empty') !== undefined);
  const outcome = await actor.init();
  assert.is(outcome.status, 'trap');
  const error = outcome.status === 'trap' ? outcome.error : '';
  assert.ok(error.startsWith('wasi trap:'), error);
  assert.ok(actor.stopped);
  assert.is(handler.hostFor('empty'), undefined, 'the trap released the actor\'s host');
  assert.equal(await actor.init(), { status: 'trap', error }, 'a trapped actor reports its trap again');
});

test('a trap in one actor never disturbs others sleeping at the same time', async () => {
  const { registry, table } = privateTiming();
  const [sleeper, trapper] = await Promise.all([component('sleeper'), component('poll-empty')]);
  const sleepers = Array.from({ length: 8 }, (_, i) => Actor.spawn(sleeper, registry, { id: `s${i}`, record: false }));
  const trappers = Array.from({ length: 8 }, (_, i) => Actor.spawn(trapper, registry, { id: `t${i}`, record: false }));
  const sleeping = sleepers.map((a) => a.init(sleepFor(50n * MS)));
  await new Promise((r) => setImmediate(r));
  assert.is(table.live, 8, 'every sleeper is suspended on its pollable');
  const trapped = await Promise.all(trappers.map((a) => a.init()));
  assert.ok(trapped.every((o) => o.status === 'trap' && o.error.startsWith('wasi trap:')));
  assert.is(table.live, 8, 'the traps dropped none of the sleepers\' pollables');
  for (const outcome of await Promise.all(sleeping)) {
    const [before, after, duration] = readings(okState(outcome));
    assert.is(duration, 50n * MS);
    assert.ok(after - before >= duration, 'never early');
  }
  assert.ok(sleepers.every((a) => !a.stopped));
  assert.is(table.live, 0);
  for (const a of sleepers) a.stop();
});

test('stop() drops the actor\'s pollables and releases its owner; a waiting init ends as a trap', async () => {
  const { registry, table, handler, runtime, timer } = privateTiming();
  const actor = Actor.spawn(await component('sleeper'), registry, { id: 'sleepy', record: false });
  assert.is(actor.events, null);
  const host = handler.hostFor('sleepy')!;
  const pending = actor.init(sleepFor(10_000n * MS)); // a 10 s sleep, cut short by stop()
  await new Promise((r) => setImmediate(r));
  assert.is(table.live, 1);
  assert.is(table.liveOf(host.owner), 1);
  assert.equal(runtime.waits.entries().map((w) => w.actorId), ['sleepy'], 'the init is suspended');
  assert.match(runtime.waits.entries()[0].describe(), /^timer pollable 0 \(due at tick \d+\)$/);
  actor.stop();
  actor.stop(); // idempotent
  assert.ok(actor.stopped);
  assert.is(table.live, 0);
  assert.is(table.liveOf(host.owner), 0);
  assert.is(handler.hostFor('sleepy'), undefined);
  assert.is(timer.armed, 0, 'no timer left armed for the dropped pollable');
  const outcome = await pending;
  assert.equal(outcome, { status: 'trap', error: 'wasi trap: actor stopped while waiting on a pollable' });
  assert.is(runtime.waits.size, 0, 'the failed wait ended');
  assert.equal(await actor.init(null), { status: 'trap', error: 'actor sleepy is stopped' });
});

test('an err from the guest is an err outcome, not a trap; the actor lives on', async () => {
  const { registry } = privateTiming();
  const actor = Actor.spawn(await component('sleeper'), registry, { id: 'e' });
  assert.equal(await actor.init(Uint8Array.of(1, 2, 3)), { status: 'err', error: 'sleeper: state must be 8 bytes, a u64 LE duration in ns' });
  assert.not.ok(actor.stopped);
  const [, , duration] = readings(okState(await actor.init(sleepFor(MS))));
  assert.is(duration, MS);
  actor.stop();
});

test('the mailbox: calls into one actor run one after another, never interleaved', async () => {
  const { registry } = privateTiming();
  const actor = Actor.spawn(await component('sleeper'), registry, { id: 'm', record: false });
  const calls = [actor.init(sleepFor(5n * MS)), actor.init(Uint8Array.of(0)), actor.init(sleepFor(MS))];
  const [first, bad, last] = await Promise.all(calls);
  assert.is(bad.status, 'err');
  const [, firstAfter] = readings(okState(first));
  const [lastBefore] = readings(okState(last));
  assert.ok(lastBefore >= firstAfter, 'the third call started after the first had returned');
  actor.stop();
});

test('sync mode: the same actor runs with the thread-blocking fallback', async () => {
  const { registry } = privateTiming('sync');
  const actor = Actor.spawn(await component('sleeper', 'sync'), registry, { id: 'sync', record: false });
  const [before, after, duration] = readings(okState(await actor.init(sleepFor(2n * MS))));
  assert.ok(after - before >= duration);
  actor.stop();
});

/** A stand-in for a transpiled component: instantiateSync returns `exports`. */
const fake = (exports: object, importNames: string[] = []): TranspiledComponent => ({
  importNames, instantiateSync: <T>() => exports as T,
} as unknown as TranspiledComponent);

test('a component without the actor export, or with an import no handler serves, is refused at spawn', () => {
  const { registry, handler } = privateTiming();
  assert.throws(() => Actor.spawn(fake({}), registry, { id: 'x' }), /^the component does not export theater:simple\/actor with an init function$/);
  assert.is(handler.hostFor('x'), undefined, 'a refused spawn releases what the handlers set up');
  assert.throws(() => Actor.spawn(fake({ 'theater:simple/actor': {} }), registry, { id: 'x' }), /does not export theater:simple\/actor/);
  assert.throws(() => Actor.spawn(fake({ 'theater:simple/actor': { init: 1 } }), registry, { id: 'x' }), /does not export theater:simple\/actor/);
  assert.throws(() => Actor.spawn(fake({}, ['wasi:sockets/tcp']), registry, { id: 'x' }), /no registered handler provides wasi:sockets\/tcp/);
});

test('what init throws becomes a trap message: traps as they are, host errors by class only, anything else as text', async () => {
  const { registry } = privateTiming();
  const throwing = (thrown: unknown) => Actor.spawn(fake({ 'theater:simple/actor': { init: () => { throw thrown; } } }), registry, { id: 'f' });
  assert.equal(await throwing(new TypeError("Cannot read properties of undefined (reading 'table')")).init(), { status: 'trap', error: 'wasi trap: internal host error (TypeError)' });
  assert.equal(await throwing(new TypeError('Invalid handle')).init(), { status: 'trap', error: 'wasi trap: pollable used after drop (an invalid resource handle)' });
  assert.equal(await throwing(new RangeError('Maximum call stack size exceeded')).init(), { status: 'trap', error: 'wasi trap: call stack exhausted' });
  class RuntimeError extends Error { override name = 'RuntimeError'; }
  assert.equal(await throwing(new RuntimeError('unreachable')).init(), { status: 'trap', error: 'RuntimeError: unreachable' });
  assert.equal(await throwing(new Error('wasi trap: as is')).init(), { status: 'trap', error: 'wasi trap: as is' });
  assert.equal(await throwing('a string').init(), { status: 'trap', error: 'a string' });
  // A ComponentError without a payload is not the guest's err.
  class ComponentError extends Error {}
  assert.equal(await throwing(new ComponentError('odd')).init(), { status: 'trap', error: 'wasi trap: internal host error (Error)' });
  const sync = Actor.spawn(fake({ 'theater:simple/actor': { init: () => [undefined] } }), registry, { id: 'n' });
  assert.equal(await sync.init(), { status: 'ok', state: null }, 'a synchronous init that returns none');
});

test.run();
