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
import { latenessMs, okState, sleepState } from '../support/sleeper-state.ts';

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

/*
 * Hostile guests that hold the thread where no loop header counts (issue 20):
 * a start function, cabi_realloc and post-return (code that cannot yield),
 * bulk memory, a loop over a long leaf function, a huge poll list. Twenty
 * sleepers (5, 20, ..., 290 ms) wake while each runs.
 */
const HOSTILE_LATE_MS = 10;
const bytes = (mode: string, ...words: number[]): Uint8Array => {
  const state = new Uint8Array(1 + 4 * words.length);
  state[0] = mode.charCodeAt(0);
  words.forEach((w, i) => new DataView(state.buffer).setUint32(1 + 4 * i, w, true));
  return state;
};
const postReturn = (ns: bigint): Uint8Array => {
  const state = new Uint8Array(9);
  state[0] = 'P'.charCodeAt(0);
  new DataView(state.buffer).setBigUint64(1, ns, true);
  return state;
};
const rounds = (n: number): Uint8Array => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);

/** `long`: the same work, long enough that a 200 ms budget must stop it (default: `state`). */
interface Hostile { what: string; actor: string; state: Uint8Array | null; yields: boolean; long?: Uint8Array }
const HOSTILE: Hostile[] = [
  { what: 'a start function reading now() for 10 s', actor: 'start-spinner', state: null, yields: false },
  { what: 'cabi_realloc reading now() for 3 s', actor: 'hog', state: new Uint8Array(3_000_000), yields: false },
  { what: 'a post-return function reading now() for 3 s', actor: 'hog', state: postReturn(3_000_000_000n), yields: false },
  { what: 'memory.fill of 32 MiB x 80', actor: 'hog', state: bytes('F', 32 << 20, 80), yields: true, long: bytes('F', 32 << 20, 2_000) },
  { what: 'memory.copy of 32 MiB x 60', actor: 'hog', state: bytes('C', 32 << 20, 60), yields: true, long: bytes('C', 32 << 20, 2_000) },
  { what: 'a loop calling a 20 000-statement leaf 3 000 times', actor: 'leaf-loop', state: rounds(3_000), yields: true, long: rounds(100_000) },
];

/** Twenty sleepers, then the hostile actor (none: the sleepers alone); the sleepers' worst lateness and the hostile call's outcome and duration. */
async function besideHostile(h: Hostile | null, config: Partial<TimingHostConfig>): Promise<{ late: number; outcome: InitOutcome | null; ms: number }> {
  const registry = registryWith(config, 'jspi');
  const sleeper = await component('sleeper', 'jspi');
  const hostile = h === null ? null : await component(h.actor, 'jspi');
  const sleepers = Array.from({ length: 20 }, (_, i) => Actor.spawn(sleeper, registry, { id: `sleeper${i}`, record: false }));
  const slept = sleepers.map((s, i) => s.init(sleepState(BigInt(5 + 15 * i) * MS)));
  await new Promise((resolve) => setImmediate(resolve)); // every sleeper waits
  const t0 = performance.now();
  let outcome: InitOutcome | null = null;
  if (hostile !== null) {
    const actor = Actor.spawn(hostile, registry, { id: 'hostile', record: false });
    outcome = await actor.init(h!.state);
    actor.stop();
  }
  const ms = performance.now() - t0;
  const late = Math.max(...(await Promise.all(slept)).map((o) => latenessMs(okState(o))));
  for (const s of sleepers) s.stop();
  return { late, outcome, ms };
}

/**
 * Best of five, each beside the same sleepers alone just before: what the
 * hostile guest adds to their lateness. (On a machine shared with other work
 * the OS alone stops the thread for tens of ms now and then, with or without a
 * guest: measured at a load average of 10 on 2 cores; the floor takes the
 * steady part out, the retries the spikes. A quiet machine passes at once.)
 */
async function bestOfFive(h: Hostile, config: Partial<TimingHostConfig>) {
  const runs: Array<Awaited<ReturnType<typeof besideHostile>> & { floor: number; added: number }> = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const floor = (await besideHostile(null, config)).late;
    const run = await besideHostile(h, config);
    runs.push({ ...run, floor, added: run.late - floor });
    if (run.late - floor <= HOSTILE_LATE_MS) break;
  }
  const best = runs.reduce((a, b) => (b.added < a.added ? b : a));
  return { best, seen: runs.map((r) => `${r.late.toFixed(1)} ms (alone ${r.floor.toFixed(1)} ms) beside ${r.ms.toFixed(0)} ms`).join(', ') };
}

const trapOf = (outcome: InitOutcome | null): string => (outcome?.status === 'trap' ? outcome.error : `not a trap: ${JSON.stringify(outcome)}`);

for (const h of HOSTILE) {
  // Code that cannot yield holds the thread until its hold limit: set to 5 ms here, the sleepers' bound is what it buys.
  const config = h.yields ? {} : { max_hold_ms: 5 };
  test(`${h.what}: sleepers beside it wake <= ${HOSTILE_LATE_MS} ms later than alone${h.yields ? '' : ' (max_hold_ms 5)'}`, async () => {
    const { best, seen } = await bestOfFive(h, config);
    if (h.yields) {
      assert.is(best.outcome?.status, 'ok', JSON.stringify(best.outcome));
      // Sleepers wake every 15 ms from 5 ms on: a guest running 50 ms or more runs over several wake-ups.
      assert.ok(best.ms >= 50, `the guest ran long enough to matter (${best.ms.toFixed(0)} ms)`);
    } else {
      assert.match(trapOf(best.outcome), /^wasi trap: actor "hostile" held the thread for \d+ ms in (its start function|cabi_realloc or a post-return function)/);
    }
    assert.ok(best.added <= HOSTILE_LATE_MS, `${h.what}: the sleepers woke late: ${seen}`);
  });
}

test('max_cpu_ms = 200 traps each hostile guest within 210 ms of running', async () => {
  for (const h of HOSTILE) {
    const registry = registryWith({ max_cpu_ms: 200 }, 'jspi');
    const hostile = await component(h.actor, 'jspi');
    // What the meter saw at the check that trapped (best of three: on a loaded
    // machine the OS can stop the thread between two checks), and the wall time.
    let ran = Infinity;
    let wall = 0;
    let error = '';
    for (let attempt = 0; attempt < 3 && ran > 210; attempt++) {
      const t0 = performance.now();
      const actor = Actor.spawn(hostile, registry, { id: 'greedy', record: false });
      error = trapOf(await actor.init(h.long ?? h.state));
      wall = performance.now() - t0;
      actor.stop();
      ran = Number(/ran (\d+) ms/.exec(error)?.[1] ?? Infinity);
    }
    assert.match(error, /^wasi trap: cpu budget exceeded: actor "greedy" ran \d+ ms in one call, not counting waits \(max_cpu_ms 200\)$/, h.what);
    assert.ok(ran <= 210, `${h.what}: trapped after ${ran} ms of running`);
    assert.ok(wall < 1_000, `${h.what}: ${wall.toFixed(0)} ms in all`);
  }
});

test('by default, code that cannot yield traps at 200 ms (max_hold_ms), saying where it ran', async () => {
  for (const h of HOSTILE.filter((x) => !x.yields)) {
    const actor = Actor.spawn(await component(h.actor, 'jspi'), registryWith({}, 'jspi'), { id: 'holder', record: false });
    const t0 = performance.now();
    const error = trapOf(await actor.init(h.state));
    const ms = performance.now() - t0;
    actor.stop();
    assert.match(error, /^wasi trap: actor "holder" held the thread for 2\d\d ms in .*, where it cannot yield to other actors \(at most 200 ms: max_hold_ms\)$/, h.what);
    assert.ok(ms < 1_000, `${h.what}: ${ms.toFixed(0)} ms`);
  }
});

test('poll: a list over 65 536 entries traps in the guest, before the glue lifts it; 65 536 copies of one pollable pass', async () => {
  const hog = await component('hog', 'jspi');
  const registry = registryWith({}, 'jspi');
  const actor = Actor.spawn(hog, registry, { id: 'lister', record: false });
  const t0 = performance.now();
  assert.equal(await actor.init(bytes('L', 100_000_000)), { status: 'trap', error: 'wasi trap: poll list of 100000000 entries exceeds the limit of 65536 entries per call (a list may repeat a pollable, but not without bound)' });
  assert.ok(performance.now() - t0 < 5_000, 'the guest built its 400 MB list, metered, and trapped at the call');
  const fits = Actor.spawn(hog, registry, { id: 'lister2', record: false });
  const state = okState(await fits.init(bytes('L', 65_536)));
  assert.is(new DataView(state.buffer, state.byteOffset).getUint32(0, true), 65_536, 'every entry is reported ready');
  fits.stop();
  const sync = Actor.spawn(await component('hog', 'sync'), registryWith({}, 'sync'), { id: 'lister3', record: false });
  assert.match(trapOf(await sync.init(bytes('L', 65_537))), /^wasi trap: poll list of 65537 entries exceeds/);
  sync.stop();
});

test('a start function that traps leaves an actor that answers every call with that trap', async () => {
  const actor = Actor.spawn(await component('start-spinner', 'sync'), registryWith({ max_hold_ms: 20 }, 'sync'), { id: 'starter', record: false });
  assert.ok(actor.stopped);
  const first = trapOf(await actor.init(null));
  assert.match(first, /^wasi trap: actor "starter" held the thread for \d+ ms in its start function/);
  assert.is(trapOf(await actor.init(null)), first);
});

test.run();
