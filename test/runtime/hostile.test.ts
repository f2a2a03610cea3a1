// Hostile guests in one process, in-process: a stale handle traps only its own
// actor (and reads no other actor's pollable), the process-wide pollable bound
// traps only the actor that asks past it, and the event budget traps the
// recorder-filling actor. Real components from test-actors/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { Actor, type InitOutcome } from '../../src/runtime/actor.ts';
import { prepareComponent } from '../../src/runtime/fleet.ts';
import type { TranspiledComponent } from '../../src/component/transpile.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const component = (name: string, mode: 'jspi' | 'sync' = 'jspi'): Promise<TranspiledComponent> =>
  prepareComponent(loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml')), mode, false);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);
const u64 = (n: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, n, true);
  return state;
};

function privateTiming(mode: 'jspi' | 'sync' = 'jspi', maxLive?: number, config: Record<string, number> = {}) {
  const runtime = new TimingRuntime({ capacity: 64, maxLivePollables: maxLive });
  const registry = new HandlerRegistry();
  registry.register(new TimingHandler({ min_sleep_duration: 0, ...config }, null, { mode, runtime }));
  return { table: runtime.pollables, registry };
}

test('stale and forged handles trap their own actor in both modes; a sleeper beside it is untouched', async () => {
  for (const mode of ['jspi', 'sync'] as const) {
    const { table, registry } = privateTiming(mode);
    const [stale, sleeper] = await Promise.all([component('stale-pollable', mode), component('sleeper', mode)]);
    for (const op of ['p', 'r', 'b', 'd', 'f', 'F']) {
      const victim = Actor.spawn(sleeper, registry, { id: 'victim' });
      const sleeping = victim.init(u64(30_000_000n));
      const attacker = Actor.spawn(stale, registry, { id: 'attacker' });
      const outcome = await attacker.init(text(op));
      assert.is(outcome.status, 'trap', `${mode} ${op}`);
      assert.match(outcome.status === 'trap' ? outcome.error : '', /^wasi trap: pollable used after drop/, `${mode} ${op}`);
      assert.equal((await sleeping).status, 'ok', `${mode} ${op}: the sleeper woke normally`);
      victim.stop();
      assert.is(table.live, 0);
    }
  }
});

test('the process-wide pollable bound traps only the actor that asks past it, with a message', async () => {
  const { table, registry } = privateTiming('jspi', 250);
  const hoarder = await component('pollable-hoarder');
  const actors = [0, 1, 2].map((i) => Actor.spawn(hoarder, registry, { id: `h${i}` }));
  // Each keeps 100 one-hour timers and sleeps 20 ms on one more: 101 each, 303 > 250.
  const outcomes: InitOutcome[] = await Promise.all(actors.map((a) => a.init(u32(100))));
  assert.equal(outcomes.map((o) => o.status), ['ok', 'ok', 'trap']);
  assert.is(outcomes[2].status === 'trap' ? outcomes[2].error : '', 'wasi trap: pollable limit of the process reached: 250 live pollables in all actors; actor "h2" cannot subscribe another');
  for (const actor of actors) actor.stop();
  assert.is(table.live, 0);
  assert.is(table.maxLive, 250);
  assert.throws(() => new TimingRuntime({ maxLivePollables: 2 ** 24 + 1 }), /maxLive must be an integer in 1\.\.16777216, got 16777217/);
  assert.throws(() => new TimingRuntime({ maxLivePollables: 0 }), /maxLive must be an integer in 1\.\.16777216, got 0/);
});

test('max_events: the actor traps past its budget; the setup events are not counted', async () => {
  const { registry } = privateTiming('jspi', undefined, { max_events: 50 });
  const actor = Actor.spawn(await component('clock-spinner'), registry, { id: 'spin' });
  const outcome = await actor.init(u64(10_000_000_000n));
  assert.equal(outcome, { status: 'trap', error: 'wasi trap: event budget exhausted: actor "spin" recorded 50 events (max_events = 50)' });
  assert.is(actor.events?.size, 53);
  const free = privateTiming('jspi', undefined, { max_events: 0 });
  const unbounded = Actor.spawn(await component('clock-spinner'), free.registry, { id: 'free' });
  assert.is((await unbounded.init(u64(5_000_000n))).status, 'ok');
  assert.ok((unbounded.events?.size ?? 0) > 53);
});

test.run();
