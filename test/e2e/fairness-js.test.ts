// Fair sharing with a guest from a real toolchain: js-spinner, JavaScript run by
// StarlingMonkey (componentize-js, scripts/build-js-actors.ts), whose loop turns
// inside SpiderMonkey's interpreter, one huge WebAssembly function. With the
// fairness pass on (the default), WAT sleepers beside it wake as they do alone,
// and max_cpu_ms traps it when it never ends. Real time, bounds as wide as in
// fairness.test.ts: best of five, each against the sleepers alone just before
// (the OS alone stops a busy process for tens of ms on a loaded machine).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { loadManifest, type ActorManifest } from '../../src/manifest/manifest.ts';
import { Actor } from '../../src/runtime/actor.ts';
import { prepareComponent } from '../../src/runtime/fleet.ts';
import { registryFor } from '../../src/runtime/handlers.ts';
import type { TranspiledComponent } from '../../src/component/transpile.ts';
import { latenessMs, okState, sleepState } from '../support/sleeper-state.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MS = 1_000_000n;
const ADDED_BOUND_MS = 10;
const HOLD_MS = 300;
const manifest = (name: string) => loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml'));
const SPINNER = manifest('js-spinner');
const SLEEPER = manifest('sleeper');

/** The manifest with its timing handler's limits changed. */
function withLimits(m: ActorManifest, limits: Record<string, number>): ActorManifest {
  return { ...m, handlers: m.handlers.map((h) => (h.type === 'timing' ? { ...h, config: { ...h.config, ...limits } } : h)) } as ActorManifest;
}

const text = (s: string) => new TextEncoder().encode(s);

let spinner: TranspiledComponent;
let sleeper: TranspiledComponent;
test.before(async () => {
  // The first transpile instruments StarlingMonkey's 12 MB core module (tens of seconds); it is cached on disk.
  [spinner, sleeper] = await Promise.all([prepareComponent(SPINNER, 'jspi'), prepareComponent(SLEEPER, 'jspi')]);
});

/** Twenty WAT sleepers (5, 20, ..., 290 ms), then the JS spinner with `state` (none: the sleepers alone). */
async function beside(state: string | null): Promise<{ late: number; ms: number }> {
  const registry = registryFor(SPINNER, 'jspi');
  const sleepers = Array.from({ length: 20 }, (_, i) => Actor.spawn(sleeper, registry, { id: `sleeper${i}`, record: false }));
  const slept = sleepers.map((s, i) => s.init(sleepState(BigInt(5 + 15 * i) * MS)));
  await new Promise((resolve) => setImmediate(resolve)); // every sleeper waits
  const t0 = performance.now();
  if (state !== null) {
    const actor = Actor.spawn(spinner, registry, { id: 'js-spinner', record: false });
    assert.match(new TextDecoder().decode(okState(await actor.init(text(state)))), /^js-spinner: \d+ rounds, checksum \d+$/);
    actor.stop();
  }
  const ms = performance.now() - t0;
  const late = Math.max(...(await Promise.all(slept)).map((o) => latenessMs(okState(o))));
  for (const s of sleepers) s.stop();
  return { late, ms };
}

test('the JS spinner is instrumented: its core modules went through the fairness pass', () => {
  assert.ok(spinner.instrumented);
});

test(`a JavaScript busy loop does not hold the thread: WAT sleepers beside it wake <= ${ADDED_BOUND_MS} ms later than alone`, async () => {
  // Calibrate: rounds of the JS loop that run about HOLD_MS (the fastest of three probes:
  // the first runs while V8 still compiles StarlingMonkey's functions).
  const probe = 200_000;
  let ms = Infinity;
  for (let i = 0; i < 3; i++) ms = Math.min(ms, (await beside(String(probe))).ms);
  const rounds = Math.round((probe * HOLD_MS) / Math.max(1, ms));
  const runs: Array<{ late: number; floor: number; ms: number }> = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const floor = (await beside(null)).late;
    const run = await beside(String(rounds));
    runs.push({ ...run, floor });
    if (run.late - floor <= ADDED_BOUND_MS) break;
  }
  const best = runs.reduce((a, b) => (b.late - b.floor < a.late - a.floor ? b : a));
  const seen = runs.map((r) => `${r.late.toFixed(1)} ms (alone ${r.floor.toFixed(1)} ms) beside ${r.ms.toFixed(0)} ms`).join(', ');
  // Sleepers wake every 15 ms from 5 ms on: a guest running 100 ms or more runs over several wake-ups.
  assert.ok(best.ms >= HOLD_MS / 3, `the JS loop ran long enough to matter (${best.ms.toFixed(0)} ms; ${rounds} rounds)`);
  assert.ok(best.late - best.floor <= ADDED_BOUND_MS, `the sleepers woke late: ${seen}`);
});

test('max_cpu_ms traps a JavaScript while (true) {} in its own actor; a sleeper beside it is unharmed', async () => {
  const manifest = withLimits(SPINNER, { max_cpu_ms: 200 });
  const registry = registryFor(manifest, 'jspi');
  const patient = Actor.spawn(sleeper, registry, { id: 'patient', record: false });
  const slept = patient.init(sleepState(100n * MS));
  const actor = Actor.spawn(spinner, registry, { id: 'js-forever', record: false });
  const t0 = performance.now();
  const outcome = await actor.init(text('forever'));
  const wall = performance.now() - t0;
  assert.is(outcome.status, 'trap', JSON.stringify(outcome));
  assert.match((outcome as { error: string }).error, /^wasi trap: cpu budget exceeded: actor "js-forever" ran \d+ ms in one call, not counting waits \(max_cpu_ms 200\)$/);
  assert.ok(wall < 2_000, `trapped after ${wall.toFixed(0)} ms of wall time`);
  assert.ok(actor.stopped);
  assert.ok(latenessMs(okState(await slept)) >= 0);
  patient.stop();
});

test.run();
