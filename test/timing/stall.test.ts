// A virtual run that can never wake: real components blocked on a pollable only
// their host could set, with nothing to set it. The run stops; every waiting
// actor traps with a message naming the actors and what they wait on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import type { ActorContext, Handler } from '../../src/handler/registry.ts';
import type { TimingHandler } from '../../src/handler/timing-handler.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { registryFor, runFleet } from '../../src/runtime/fleet.ts';
import { virtualRuntime } from '../../src/timing/virtual.ts';
import { externalPollable } from '../../src/wasi/external.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Serves theater-test:external-waiter/source: pollables that nothing ever sets. */
function silentSource(timing: TimingHandler): Handler {
  return {
    name: 'source',
    provides: ['theater-test:external-waiter/source'],
    instantiate(actor: ActorContext) {
      const host = timing.hostFor(actor.actorId)!;
      return { imports: { 'theater-test:external-waiter/source': { subscribe: () => externalPollable(host).pollable } }, dispose() {} };
    },
  };
}

test('every live actor waits on an external pollable nothing sets: each traps, naming them, and the run ends', async () => {
  const manifest = loadManifest(join(ROOT, 'test-actors', 'external-waiter', 'manifest.toml'));
  const runtime = virtualRuntime();
  const registry = registryFor(manifest, 'jspi', runtime);
  registry.register(silentSource(registry.handlers()[0] as TimingHandler));
  const started = performance.now();
  const fleet = await runFleet(manifest, { runtime, registry, instances: 3, mode: 'jspi', cacheDir: false });
  assert.ok(performance.now() - started < 30_000);
  assert.is(fleet.trap, 3);
  for (const { outcome } of fleet.results) {
    assert.is(outcome.status, 'trap');
    assert.is(outcome.status === 'trap' && outcome.error,
      'wasi trap: virtual time cannot advance: every live actor waits and no timer is pending ('
      + 'external-waiter#0 waits on external pollable 0; external-waiter#1 waits on external pollable 1; external-waiter#2 waits on external pollable 2)');
  }
  assert.is(runtime.pollables.live, 0);
});

test.run();
