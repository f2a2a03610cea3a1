// Fair sharing of the thread, with real components and real time: a guest that
// computes, reads the clock, recurses or polls a ready pollable in a loop must
// not hold the event loop, so a sleeper beside it wakes on time; and
// max_cpu_ms traps a spinner, never a sleeper. Every spinner is calibrated to
// hold the thread for ~300 ms, so without the fairness pass the sleeper would
// be ~290 ms late; the bound (50 ms late) is wide for a loaded 2-core machine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join, resolve } from 'node:path';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import type { TimingHostConfig } from '../../src/handler/config.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { Actor, type InitOutcome } from '../../src/runtime/actor.ts';
import { prepareComponent } from '../../src/runtime/fleet.ts';
import type { TranspiledComponent } from '../../src/component/transpile.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MS = 1_000_000n;
const LATE_BOUND_MS = 50;
const HOLD_MS = 300;
const Mode = { compute: 0, clock: 1, poll: 2, recurse: 3 } as const;
type SpinMode = keyof typeof Mode;

const components = new Map<string, Promise<TranspiledComponent>>();
const component = (name: string, mode: 'jspi' | 'sync'): Promise<TranspiledComponent> => {
  const key = `${name}/${mode}`;
  if (!components.has(key)) components.set(key, prepareComponent(loadManifest(join(ROOT, 'test-actors', name, 'manifest.toml')), mode, false));
  return components.get(key)!;
};

function registryWith(config: Partial<TimingHostConfig>, mode: 'jspi' | 'sync'): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.register(new TimingHandler({ min_sleep_duration: 0, ...config }, null, { mode }));
  return registry;
}

const spinState = (mode: SpinMode, amount: bigint): Uint8Array => {
  const state = new Uint8Array(12);
  const view = new DataView(state.buffer);
  view.setUint32(0, Mode[mode], true);
  view.setBigUint64(4, amount, true);
  return state;
};
const sleepState = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, ns, true);
  return state;
};
function okState(outcome: InitOutcome): Uint8Array {
  if (outcome.status !== 'ok' || outcome.state === null) throw new Error(`expected ok with a state, got ${JSON.stringify(outcome)}`);
  return outcome.state;
}
/** The sleeper's lateness in ms, from its own readings [before, after, duration]. */
function latenessMs(state: Uint8Array): number {
  const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
  const [before, after, duration] = [0, 8, 16].map((at) => view.getBigUint64(at, true));
  return Number(after - before - duration) / 1e6;
}

/** Runs one spinner alone and returns how long it took, in ms. */
async function spinAlone(mode: SpinMode, amount: bigint): Promise<number> {
  const actor = Actor.spawn(await component('spinner', 'jspi'), registryWith({}, 'jspi'), { id: `calibrate-${mode}`, record: false });
  const t0 = performance.now();
  okState(await actor.init(spinState(mode, amount)));
  actor.stop();
  return performance.now() - t0;
}

/** An amount that holds the thread for about HOLD_MS (fib grows by ~1.6x per step). */
async function calibrated(mode: SpinMode): Promise<bigint> {
  if (mode === 'clock') return BigInt(HOLD_MS) * MS;
  if (mode === 'recurse') {
    let n = 20n;
    while ((await spinAlone(mode, n)) < HOLD_MS / 2 && n < 45n) n += 1n;
    return n + 1n;
  }
  const probe = mode === 'compute' ? 20_000_000n : 5_000n;
  // The first call runs V8's baseline code; the second, the optimised code the real run will use.
  await spinAlone(mode, probe);
  const ms = Math.max(1, await spinAlone(mode, probe));
  return (probe * BigInt(Math.round((HOLD_MS * 1000) / ms))) / 1000n;
}

/** One sleeper (10 ms) beside one spinner: the sleeper's lateness and how long the pair ran. */
async function sleeperBeside(mode: SpinMode, amount: bigint): Promise<{ late: number; heldMs: number }> {
  const registry = registryWith({}, 'jspi');
  const sleeper = Actor.spawn(await component('sleeper', 'jspi'), registry, { id: 'sleeper', record: false });
  const spinner = Actor.spawn(await component('spinner', 'jspi'), registry, { id: 'spinner', record: false });
  const t0 = performance.now();
  const slept = sleeper.init(sleepState(10n * MS));
  const spun = spinner.init(spinState(mode, amount));
  const late = latenessMs(okState(await slept));
  okState(await spun);
  const heldMs = performance.now() - t0;
  sleeper.stop();
  spinner.stop();
  return { late, heldMs };
}

for (const mode of ['compute', 'clock', 'poll', 'recurse'] as const) {
  test(`a ${mode} spinner does not hold the thread: a 10 ms sleeper beside it wakes <= ${LATE_BOUND_MS} ms late`, async () => {
    const amount = await calibrated(mode);
    // Best of three: on a loaded 2-core machine the OS alone can delay one
    // wake-up past the bound; without the fairness pass all three are ~290 ms late.
    const runs: Array<{ late: number; heldMs: number }> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await sleeperBeside(mode, amount);
      assert.ok(run.late >= 0, `never early (${run.late} ms)`);
      runs.push(run);
      if (run.late <= LATE_BOUND_MS) break;
    }
    const best = runs.reduce((a, b) => (b.late < a.late ? b : a));
    assert.ok(best.heldMs >= HOLD_MS / 3, `the spinner ran long enough to matter (${best.heldMs.toFixed(0)} ms)`);
    const seen = runs.map((r) => `${r.late.toFixed(1)} ms beside ${r.heldMs.toFixed(0)} ms`).join(', ');
    assert.ok(best.late <= LATE_BOUND_MS, `${mode}: the sleeper woke late: ${seen}`);
  });
}

for (const mode of ['jspi', 'sync'] as const) {
  test(`${mode}: max_cpu_ms traps a spinner with a clear message, and never a sleeper (waiting is not running)`, async () => {
    const registry = registryWith({ max_cpu_ms: 100 }, mode);
    const spinner = Actor.spawn(await component('spinner', mode), registry, { id: 'greedy' });
    const outcome = await spinner.init(spinState('clock', 5_000n * MS));
    assert.is(outcome.status, 'trap');
    assert.match((outcome as { error: string }).error, /^wasi trap: cpu budget exceeded: actor "greedy" ran \d+ ms in one call, not counting waits \(max_cpu_ms 100\)$/);
    assert.ok(spinner.stopped);
    const sleeper = Actor.spawn(await component('sleeper', mode), registry, { id: 'patient' });
    const woke = latenessMs(okState(await sleeper.init(sleepState(300n * MS))));
    assert.ok(woke >= 0);
    // a second call gets a fresh budget
    okState(await sleeper.init(sleepState(150n * MS)));
    sleeper.stop();
  });
}

test('sync mode: an instrumented spinner runs to the end (no export may suspend, so nothing does)', async () => {
  const spinner = Actor.spawn(await component('spinner', 'sync'), registryWith({}, 'sync'), { id: 'sync-spin', record: false });
  const state = okState(await spinner.init(spinState('compute', 3_000_000n)));
  assert.is(state.length, 8);
  okState(await spinner.init(spinState('recurse', 25n)));
  assert.is(new DataView(state.buffer, state.byteOffset).getBigUint64(0, true) !== 0n, true);
  spinner.stop();
});

test('the spinner refuses a bad state with its own err', async () => {
  const spinner = Actor.spawn(await component('spinner', 'jspi'), registryWith({}, 'jspi'), { id: 'bad', record: false });
  assert.equal(await spinner.init(new Uint8Array(3)), { status: 'err', error: 'spinner: state must be 12 bytes: u32 mode (0-3), u64 amount' });
  assert.equal(await spinner.init(spinState('compute', 1n).fill(9, 0, 4)), { status: 'err', error: 'spinner: state must be 12 bytes: u32 mode (0-3), u64 amount' });
  spinner.stop();
});

test.run();
