// Fair sharing of the thread (issue 9): what the fairness pass buys and costs.
//
//   lateness  1,000 sleepers (test-actors/sleeper, 100 ms each) started, then one
//             spinner (test-actors/spinner) that holds the thread for ~2 s, with
//             and without the pass. Worst and p99 wake-up lateness of the
//             sleepers, from their own monotonic readings.
//   cost      in fairness-cost.bench.ts (the same code with and without the pass).
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { Actor } from '../src/runtime/actor.ts';
import { SLICE_MS } from '../src/thread/slice.ts';
import { FUEL_PER_CHECK } from '../src/component/instrument.ts';
import { transpileComponent, type TranspiledComponent } from '../src/component/transpile.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, runSleepers } from './support.ts';
import { loadManifest } from '../src/manifest/manifest.ts';
import { registryFor } from '../src/runtime/handlers.ts';

export { run, load, loadJs, jsRegistry, timeInit, spinState, median };

const ROOT = join(import.meta.dirname, '..');
const SLEEPERS = 1_000;
const SLEEP_NS = 100_000_000n;
const SPIN_MS = 2_000;

function load(name: string, instrument: boolean): Promise<TranspiledComponent> {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'test-actors', 'build', `${name}.wasm`)));
  return transpileComponent(bytes, { mode: 'jspi', cacheDir: false, instrument });
}

/**
 * A componentize-js actor (test-actors/js-spinner: StarlingMonkey, 12 MB), through
 * the disk cache: the pass takes 15-60 s over its core module, measured apart.
 */
function loadJs(instrument: boolean): Promise<TranspiledComponent> {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'test-actors', 'build', 'js-spinner.wasm')));
  return transpileComponent(bytes, { mode: 'jspi', instrument });
}

/** The js-spinner's own handlers (timing, and the wasi ones StarlingMonkey imports), without its max_cpu_ms: here it runs for seconds. */
function jsRegistry(): HandlerRegistry {
  const manifest = loadManifest(join(ROOT, 'test-actors', 'js-spinner', 'manifest.toml'));
  const handlers = manifest.handlers.map((h) => (h.type === 'timing' ? { ...h, config: { ...h.config, max_cpu_ms: 0 } } : h));
  return registryFor({ ...manifest, handlers } as typeof manifest, 'jspi');
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

/**
 * CPU milliseconds one init with `state` takes (the actor is spawned outside
 * the timed region). CPU time, not wall time: the guest runs on this one
 * thread, and other processes on the machine then do not move the figure.
 * The previous run's garbage is collected first (it would otherwise be charged
 * to whichever run yields first, the one with the pass).
 */
async function timeInit(component: TranspiledComponent, state: Uint8Array, handlers: () => HandlerRegistry = registry): Promise<number> {
  const actor = Actor.spawn(component, handlers(), { id: 'cost', record: false });
  // Work left over from the previous run (its instance's GC, pending tasks) would land in
  // whichever run yields to the event loop first: the one with the pass. Settle it first.
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const t0 = process.cpuUsage();
  const outcome = await actor.init(state);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  actor.stop();
  if (outcome.status !== 'ok') throw new Error(`bench: ${JSON.stringify(outcome)}`);
  return ms;
}

/** 1,000 sleepers beside one spinner (none: alone); returns the sleepers' lateness and how long the spinner ran. */
async function beside(spinner: TranspiledComponent | null, state: Uint8Array, handlers: () => HandlerRegistry = registry): Promise<{ worst: number; p99: number; spinMs: number; failed: number }> {
  const sleeper = await load('sleeper', true);
  const reg = handlers();
  const spin = spinner === null ? null : Actor.spawn(spinner, reg, { id: 'spinner', record: false });
  let spinMs = spin === null ? Number.NaN : 0;
  // Started once every sleeper has subscribed and suspended (their inits run to their first block first).
  setImmediate(() => {
    const t0 = performance.now();
    void spin?.init(state).then((outcome) => {
      if (outcome.status !== 'ok') throw new Error(`bench: the spinner did not finish: ${JSON.stringify(outcome)}`);
      spinMs = performance.now() - t0;
    });
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
  // StarlingMonkey: JavaScript's loop turns inside SpiderMonkey's interpreter, one huge guest function.
  const [jsOn, jsOff] = [await loadJs(true), await loadJs(false)];
  const text = (rounds: number) => new TextEncoder().encode(String(rounds));
  await timeInit(jsOff, text(200_000), jsRegistry);
  const jsMs = await timeInit(jsOff, text(200_000), jsRegistry);
  const jsRounds = Math.round((200_000 * SPIN_MS) / jsMs);
  for (const [label, component] of [['off', jsOff], ['on', jsOn]] as const) {
    const r = await beside(component, text(jsRounds), jsRegistry);
    lines.push(`| JavaScript mixing loop (js-spinner, componentize-js) | ${label} | ${r.spinMs.toFixed(0)} | ${r.worst.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.failed} |`);
  }
  lines.push('', 'The poll loop has no "off" row: a ready poll past the slice waits one macrotask in the host (src/wasi/host.ts), with or without the pass.', '');
  return `${lines.join('\n')}\n`;
}
