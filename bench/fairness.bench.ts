// Fair sharing of the thread (issue 9): what the fairness pass buys and costs.
//
//   lateness  1,000 sleepers (test-actors/sleeper, 100 ms each) started, then one
//             spinner (test-actors/spinner) that holds the thread for ~2 s, with
//             and without the pass. Worst and p99 wake-up lateness of the
//             sleepers, from their own monotonic readings.
//   cost      the same guest code with and without the pass: realistic kernels
//             (test-actors/compute-kernels: hash, heapsort, matrix product),
//             the spinner's 4-instruction mixing loop (the worst case: a check
//             per iteration of almost nothing), bulk memory (test-actors/hog:
//             long fills and copies split and checked, short copies charged)
//             and a loop over a long leaf (test-actors/leaf-loop). Alternating
//             runs, median time.
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { Actor } from '../src/runtime/actor.ts';
import { SLICE_MS } from '../src/thread/slice.ts';
import { FUEL_PER_CHECK } from '../src/component/instrument.ts';
import { transpileComponent, type TranspiledComponent } from '../src/component/transpile.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, runSleepers } from './support.ts';

export { run };

const ROOT = join(import.meta.dirname, '..');
const SLEEPERS = 1_000;
const SLEEP_NS = 100_000_000n;
const SPIN_MS = 2_000;
const COST_RUNS = 7;

function load(name: string, instrument: boolean): Promise<TranspiledComponent> {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'test-actors', 'build', `${name}.wasm`)));
  return transpileComponent(bytes, { mode: 'jspi', cacheDir: false, instrument });
}

function registry(): HandlerRegistry {
  const r = new HandlerRegistry();
  r.register(new TimingHandler({ min_sleep_duration: 0 }, null, { mode: 'jspi' }));
  return r;
}

function spinState(mode: number, amount: bigint): Uint8Array {
  const state = new Uint8Array(12);
  new DataView(state.buffer).setUint32(0, mode, true);
  new DataView(state.buffer).setBigUint64(4, amount, true);
  return state;
}

/** test-actors/hog: a mode letter and two u32 LE (bytes, rounds). */
function hogState(mode: 'F' | 'C', bytes: number, rounds: number): Uint8Array {
  const state = new Uint8Array(9);
  state[0] = mode.charCodeAt(0);
  new DataView(state.buffer).setUint32(1, bytes, true);
  new DataView(state.buffer).setUint32(5, rounds, true);
  return state;
}

function kernelState(kernel: number, n: number, rounds: number): Uint8Array {
  const state = new Uint8Array(12);
  const view = new DataView(state.buffer);
  view.setUint32(0, kernel, true);
  view.setUint32(4, n, true);
  view.setUint32(8, rounds, true);
  return state;
}

/**
 * CPU milliseconds one init with `state` takes (the actor is spawned outside
 * the timed region). CPU time, not wall time: the guest runs on this one
 * thread, and other processes on the machine then do not move the figure.
 */
async function timeInit(component: TranspiledComponent, state: Uint8Array): Promise<number> {
  const actor = Actor.spawn(component, registry(), { id: 'cost', record: false });
  const t0 = process.cpuUsage();
  const outcome = await actor.init(state);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  actor.stop();
  if (outcome.status !== 'ok') throw new Error(`bench: ${JSON.stringify(outcome)}`);
  return ms;
}

/** 1,000 sleepers beside one spinner (none: alone); returns the sleepers' lateness and how long the spinner ran. */
async function beside(spinner: TranspiledComponent | null, state: Uint8Array): Promise<{ worst: number; p99: number; spinMs: number; failed: number }> {
  const sleeper = await load('sleeper', true);
  const reg = registry();
  const spin = spinner === null ? null : Actor.spawn(spinner, reg, { id: 'spinner', record: false });
  let spinMs = spin === null ? Number.NaN : 0;
  // Started once every sleeper has subscribed and suspended (their inits run to their first block first).
  setImmediate(() => {
    const t0 = performance.now();
    void spin?.init(state).then(() => { spinMs = performance.now() - t0; });
  });
  const r = await runSleepers(sleeper, reg, SLEEPERS, SLEEP_NS);
  while (spinMs === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  spin?.stop();
  const late = [...r.latenessMs].sort((a, b) => a - b);
  return { worst: late.at(-1) ?? Number.NaN, p99: percentile(late, 99), spinMs, failed: r.failed };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(): Promise<string> {
  const lines: string[] = [
    '### Fair sharing: sleepers beside a spinning guest',
    '',
    `${SLEEPERS.toLocaleString('en-US')} sleepers (100 ms each) and one guest spinning without waiting for ~${SPIN_MS / 1000} s, in one process (JSPI). Slice ${SLICE_MS} ms, a fuel check every ${FUEL_PER_CHECK.toLocaleString('en-US')} weight units.`,
    '',
    '| spinner | fairness pass | spinner ran (ms) | worst lateness (ms) | p99 lateness (ms) | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  const spinners: Array<[string, number, bigint | null]> = [
    ['`now()` loop', 1, BigInt(SPIN_MS) * 1_000_000n],
    ['compute loop', 0, null],
    ['`poll([subscribe-duration(0)])` loop', 2, null],
  ];
  const on = await load('spinner', true);
  const off = await load('spinner', false);
  // Calibrate the compute and poll spinners to ~SPIN_MS when they run alone, uninstrumented.
  for (const entry of spinners) {
    if (entry[2] !== null) continue;
    const probe = entry[1] === 0 ? 50_000_000n : 20_000n;
    await timeInit(off, spinState(entry[1], probe)); // the first call runs V8's baseline code
    const ms = await timeInit(off, spinState(entry[1], probe));
    entry[2] = (probe * BigInt(Math.round(SPIN_MS * 1000 / ms))) / 1000n;
  }
  const alone = await beside(null, new Uint8Array(0));
  lines.push(`| none (the sleepers alone: this machine's floor) | — | — | ${alone.worst.toFixed(1)} | ${alone.p99.toFixed(1)} | ${alone.failed} |`);
  for (const [name, mode, amount] of spinners) {
    for (const [label, component] of [['off', off], ['on', on]] as const) {
      if (label === 'off' && mode === 2) continue; // the ready-poll hook lives in the host, not in the pass
      const r = await beside(component, spinState(mode, amount!));
      lines.push(`| ${name} | ${label} | ${r.spinMs.toFixed(0)} | ${r.worst.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.failed} |`);
    }
  }
  lines.push('', 'The poll loop has no "off" row: a ready poll past the slice waits one macrotask in the host (src/wasi/host.ts), with or without the pass.', '');
  lines.push('### Fair sharing: what the fuel checks cost', '', `Median CPU time of ${COST_RUNS} alternating runs of one init each (the kernels are in test-actors/compute-kernels, bulk memory in test-actors/hog, the leaf in test-actors/leaf-loop).`, '',
    '| guest code | without (CPU ms) | with (CPU ms) | cost |', '| --- | ---: | ---: | ---: |');
  const kOn = await load('compute-kernels', true);
  const kOff = await load('compute-kernels', false);
  const hOn = await load('hog', true);
  const hOff = await load('hog', false);
  const lOn = await load('leaf-loop', true);
  const lOff = await load('leaf-loop', false);
  const cases: Array<[string, TranspiledComponent, TranspiledComponent, Uint8Array]> = [
    ['hash: 64-bit multiply-rotate over 4 MiB, 40 passes', kOff, kOn, kernelState(0, 4 << 20, 40)],
    ['heapsort of 200,000 u32, 3 rounds', kOff, kOn, kernelState(1, 200_000, 3)],
    ['matrix product 200 x 200 i32, 5 rounds', kOff, kOn, kernelState(2, 200, 5)],
    ['spinner mixing loop (4 instructions), 100 M rounds', off, on, spinState(0, 100_000_000n)],
    ['memory.fill of 32 MiB, 20 rounds (split in 256 KiB pieces)', hOff, hOn, hogState('F', 32 << 20, 20)],
    ['memory.copy of 32 MiB, 20 rounds, overlapping', hOff, hOn, hogState('C', 32 << 20, 20)],
    ['memory.copy of 64 bytes, 10 M rounds (charged, not split)', hOff, hOn, hogState('C', 64, 10_000_000)],
    ['a 20,000-statement leaf called 1,000 times (charged on entry)', lOff, lOn, Uint8Array.of(0xe8, 0x03, 0, 0)],
  ];
  for (const [name, without, withPass, state] of cases) {
    const a: number[] = [];
    const b: number[] = [];
    await timeInit(without, state); // warm both
    await timeInit(withPass, state);
    for (let i = 0; i < COST_RUNS; i++) {
      a.push(await timeInit(without, state));
      b.push(await timeInit(withPass, state));
    }
    const [ma, mb] = [median(a), median(b)];
    lines.push(`| ${name} | ${ma.toFixed(1)} | ${mb.toFixed(1)} | ${(((mb - ma) / ma) * 100).toFixed(1)} % |`);
  }
  return `${lines.join('\n')}\n`;
}
