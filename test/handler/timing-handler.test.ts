import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventRecorder } from '../../src/events/recorder.ts';
import { ConfigError } from '../../src/handler/config.ts';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TIMING_INTERFACES, TimingHandler } from '../../src/handler/timing-handler.ts';
import { fakeRuntime } from '../support/fake-time.ts';
import { RunMeter } from '../../src/thread/run-meter.ts';
import { DEFAULT_MAX_HOLD_MS } from '../../src/thread/hold.ts';
import { VIRTUAL_DEFAULT_CPU_MS, virtualRuntime } from '../../src/timing/virtual.ts';

test('name, interfaces, defaults and the limits derived from config and permissions', () => {
  const handler = new TimingHandler();
  assert.is(handler.name, 'timing');
  assert.equal([...handler.provides], [...TIMING_INTERFACES, 'wasi:clocks/monotonic-clock@0.3.0', 'wasi:clocks/system-clock@0.3.0', 'wasi:clocks/types@0.3.0']);
  assert.equal(handler.config, { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 });
  assert.equal(handler.limits, { minNs: 1_000_000n, maxNs: 3_600_000_000_000n });
  assert.is(handler.pollableQuota, 10_000);
  const granted = new TimingHandler({ max_sleep_duration: 500, min_sleep_duration: 10 }, { max_sleep_duration: 1000, min_sleep_duration: 5, max_pollables: 10_000 });
  assert.equal(granted.limits, { minNs: 10_000_000n, maxNs: 500_000_000n });
});

test('config beyond the permissions, bad config and a bad quota are rejected naming the field', () => {
  assert.throws(() => new TimingHandler({ max_sleep_duration: 2000 }, { max_sleep_duration: 1000, min_sleep_duration: 1, max_pollables: 10_000 }), /max_sleep_duration/);
  assert.throws(() => new TimingHandler({ min_sleep_duration: -1 }), (e: unknown) => e instanceof ConfigError && /min_sleep_duration.*-1/.test((e as Error).message));
  for (const quota of [1.5, -3]) {
    assert.throws(
      () => new TimingHandler({}, null, { pollableQuota: quota }),
      (e: unknown) => e instanceof ConfigError && (e as Error).message.includes('pollable_quota') && (e as Error).message.includes(String(quota)),
    );
  }
});

test('max_pollables in the config sets the quota, bounded by the permissions; the option overrides it', () => {
  const { runtime } = fakeRuntime({ capacity: 16 });
  const handler = new TimingHandler({ max_pollables: 1 }, null, { mode: 'sync', runtime });
  assert.is(handler.pollableQuota, 1);
  const mono = handler.instantiate({ actorId: 'q', events: null }).timing['wasi:clocks/monotonic-clock'];
  mono.subscribeDuration(5_000_000n);
  assert.throws(() => mono.subscribeDuration(5_000_000n), /^wasi trap: pollable quota exceeded: actor "q" already holds 1 live pollables/);
  const zero = new TimingHandler({ max_pollables: 0 }, null, { mode: 'sync', runtime }).instantiate({ actorId: 'z', events: null });
  assert.throws(() => zero.timing['wasi:clocks/monotonic-clock'].subscribeDuration(1n), /quota exceeded: actor "z" already holds 0/);
  const granted = { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 100 };
  assert.is(new TimingHandler({ max_pollables: 100 }, granted).pollableQuota, 100);
  assert.throws(
    () => new TimingHandler({ max_pollables: 101 }, granted),
    (e: unknown) => e instanceof ConfigError && (e as Error).message === 'handler.timing.max_pollables: 101 exceeds the permitted maximum 100',
  );
  assert.is(new TimingHandler({ max_pollables: 5 }, null, { pollableQuota: 7 }).pollableQuota, 7);
});

test('instantiate records the setup events and gives each actor its own host and quota', () => {
  const { table, runtime } = fakeRuntime({ capacity: 16 });
  const handler = new TimingHandler({}, null, { mode: 'sync', pollableQuota: 2, runtime });
  const events = new EventRecorder();
  const a = handler.instantiate({ actorId: 'a', events });
  const b = handler.instantiate({ actorId: 'b', events: null });
  assert.equal(events.events.map((e) => e.type), ['HandlerSetupStart', 'HandlerSetupSuccess', 'LinkerInstanceSuccess']);
  assert.equal(Object.keys(a.imports).sort(), ['wasi:clocks/monotonic-clock', 'wasi:clocks/system-clock', 'wasi:clocks/wall-clock', 'wasi:io/poll']);
  // One monotonic-clock object serves 0.2 and 0.3 (jco keys both alike).
  assert.equal(Object.keys(a.imports['wasi:clocks/monotonic-clock']).sort(), ['getResolution', 'now', 'resolution', 'subscribeDuration', 'subscribeInstant', 'waitFor', 'waitUntil']);
  assert.is.not(a.host.owner, b.host.owner);
  assert.is(a.host.mode, 'sync');
  const mono = a.timing['wasi:clocks/monotonic-clock'];
  mono.subscribeDuration(5_000_000n);
  mono.subscribeDuration(5_000_000n);
  assert.throws(() => mono.subscribeDuration(5_000_000n), /^wasi trap: pollable quota exceeded: actor "a" already holds 2 live pollables/);
  b.timing['wasi:clocks/monotonic-clock'].subscribeDuration(1n); // b's quota is its own
  assert.is(table.live, 3);
  a.dispose();
  a.dispose(); // idempotent
  assert.is(table.live, 1);
  b.dispose();
  assert.is(table.live, 0);
});

test('through the registry: one import object for any wasi 0.2.x guest; by default a handler builds its own real-time runtime', () => {
  const registry = new HandlerRegistry();
  const handler = new TimingHandler();
  registry.register(handler);
  const built = registry.buildImports(['wasi:clocks/monotonic-clock@0.2.0', 'wasi:io/poll@0.2.1', 'wasi:clocks/wall-clock'], { actorId: 'x', events: null });
  assert.equal(built.handlers, ['timing']);
  const mono = built.imports['wasi:clocks/monotonic-clock'] as { now(): bigint; subscribeDuration(d: bigint): object };
  assert.is(typeof mono.now(), 'bigint');
  const table = handler.runtime.pollables;
  mono.subscribeDuration(1_000_000_000n);
  assert.is(table.live, 1);
  built.dispose();
  assert.is(table.live, 0);
  assert.is(handler.runtime, handler.runtime);
  assert.is.not(new TimingHandler().runtime, handler.runtime, 'no process-wide runtime');
});

test('configureMeter: max_cpu_ms and max_hold_ms for every actor of the registry, even one that imports nothing; virtual time has a default budget', () => {
  const registry = new HandlerRegistry();
  registry.register(new TimingHandler({ max_cpu_ms: 300, max_hold_ms: 50 }, null, { runtime: fakeRuntime().runtime }));
  const meter = new RunMeter('quiet');
  registry.buildImports([], { actorId: 'quiet', events: null, meter }).dispose();
  assert.equal([meter.limitMs, meter.limitReason, meter.holdLimitMs], [300, null, 50]);
  const plain = new RunMeter('plain');
  new TimingHandler({}, null, { runtime: fakeRuntime().runtime }).configureMeter(plain);
  assert.equal([plain.limitMs, plain.holdLimitMs], [0, DEFAULT_MAX_HOLD_MS]);
  const virtual = new RunMeter('v');
  new TimingHandler({}, null, { runtime: virtualRuntime() }).configureMeter(virtual);
  assert.is(virtual.limitMs, VIRTUAL_DEFAULT_CPU_MS);
  assert.match(virtual.limitReason ?? '', /^the default under virtual time, where the clock stands still while a guest runs/);
  const chosen = new RunMeter('c');
  new TimingHandler({ max_cpu_ms: 0 }, null, { runtime: virtualRuntime() }).configureMeter(chosen);
  assert.equal([chosen.limitMs, chosen.limitReason], [0, null], 'an explicit 0 means no budget, even under virtual time');
});

test.run();
