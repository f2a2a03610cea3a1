// Fair sharing of the thread (issue 9, issue 22): what the fairness pass costs.
// The same guest code with and without the pass: realistic kernels
// (test-actors/compute-kernels: hash, heapsort, matrix product, a JSON-like byte
// scanner, recursive fib), the spinner's 4-instruction mixing loop (the worst
// case: a check per iteration of almost nothing), bulk memory (test-actors/hog)
// and a loop over a long leaf (test-actors/leaf-loop). Alternating runs, median
// CPU time. `node --expose-gc bench/index.ts fairness-cost` runs it alone.
import { type TranspiledComponent } from '../src/component/transpile.ts';
import type { HandlerRegistry } from '../src/handler/registry.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentCoreModule } from '../src/component/instrument.ts';
import { jsRegistry, load, loadJs, median, spinState, timeInit } from './fairness.bench.ts';

export { run };

const COST_RUNS = Number(process.env.COST_RUNS ?? 7);
/** Issue 22: the pass may cost at most this much on any kernel. */
const MAX_COST = 0.1;

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

async function run(): Promise<string> {
  const lines: string[] = [];
  const on = await load('spinner', true);
  const off = await load('spinner', false);
  lines.push('### Fair sharing: what the fuel checks cost', '', `Median CPU time of ${COST_RUNS} alternating runs of one init each (the kernels are in test-actors/compute-kernels, bulk memory in test-actors/hog, the leaf in test-actors/leaf-loop).`, '',
    '| guest code | without (CPU ms) | with (CPU ms) | cost | verdict (kernels: ≤ 10 %) |', '| --- | ---: | ---: | ---: | --- |');
  const kOn = await load('compute-kernels', true);
  const kOff = await load('compute-kernels', false);
  const hOn = await load('hog', true);
  const hOff = await load('hog', false);
  const lOn = await load('leaf-loop', true);
  const lOff = await load('leaf-loop', false);
  const [jsOn, jsOff] = [await loadJs(true), await loadJs(false)];
  const text = (s: string) => new TextEncoder().encode(s);
  const cases: Array<[string, TranspiledComponent, TranspiledComponent, Uint8Array, boolean, (() => HandlerRegistry)?]> = [
    ['hash: 64-bit multiply-rotate over 4 MiB, 40 passes', kOff, kOn, kernelState(0, 4 << 20, 40), true],
    ['heapsort of 200,000 u32, 3 rounds', kOff, kOn, kernelState(1, 200_000, 3), true],
    ['matrix product 200 x 200 i32, 5 rounds', kOff, kOn, kernelState(2, 200, 5), true],
    ['JSON-like byte scanner over 4 MiB, 10 passes', kOff, kOn, kernelState(3, 4 << 20, 10), true],
    ['recursive fib(27), 10 rounds (call-heavy, no loop)', kOff, kOn, kernelState(4, 27, 10), true],
    ['spinner mixing loop (4 instructions), 100 M rounds', off, on, spinState(0, 100_000_000n), false],
    ['memory.fill of 32 MiB, 20 rounds (split in 256 KiB pieces)', hOff, hOn, hogState('F', 32 << 20, 20), false],
    ['memory.copy of 32 MiB, 20 rounds, overlapping', hOff, hOn, hogState('C', 32 << 20, 20), false],
    ['memory.copy of 64 bytes, 10 M rounds (charged, not split)', hOff, hOn, hogState('C', 64, 10_000_000), false],
    ['a 20,000-statement leaf called 1,000 times (charged on entry)', lOff, lOn, Uint8Array.of(0xe8, 0x03, 0, 0), false],
    ['StarlingMonkey: init of a JavaScript actor (js-spinner, 0 rounds)', jsOff, jsOn, text('0'), false, jsRegistry],
    ['StarlingMonkey: a JavaScript mixing loop, 300,000 rounds (js-spinner)', jsOff, jsOn, text('300000'), false, jsRegistry],
  ];
  // COST_ROWS=word runs only the rows whose name holds it (a quick look; a full run measures them all).
  const only = process.env.COST_ROWS;
  for (const [name, without, withPass, state, kernel, handlers] of cases) {
    if (only !== undefined && !name.includes(only)) continue;
    const a: number[] = [];
    const b: number[] = [];
    await timeInit(without, state, handlers); // warm both
    await timeInit(withPass, state, handlers);
    for (let i = 0; i < COST_RUNS; i++) {
      a.push(await timeInit(without, state, handlers));
      b.push(await timeInit(withPass, state, handlers));
    }
    const [ma, mb] = [median(a), median(b)];
    const cost = (mb - ma) / ma;
    const verdict = kernel ? (cost <= MAX_COST ? 'met' : 'missed') : '—';
    lines.push(`| ${name} | ${ma.toFixed(1)} | ${mb.toFixed(1)} | ${(cost * 100).toFixed(1)} % | ${verdict} |`);
  }
  if (only === undefined || 'instrument'.includes(only)) lines.push('', await instrumentTime());
  return `${lines.join('\n')}\n`;
}

/** How long the pass itself takes over StarlingMonkey's core module (once per component: the result is cached). */
async function instrumentTime(): Promise<string> {
  const jco = await import('@bytecodealliance/jco/component');
  const bytes = readFileSync(join(import.meta.dirname, '..', 'test-actors', 'build', 'js-spinner.wasm'));
  let t0 = performance.now();
  const { files } = await jco.generate(bytes, { name: 'component', instantiation: { tag: 'async' } });
  const jcoMs = performance.now() - t0;
  const core = files.filter(([file]) => file.endsWith('.wasm')).map(([, data]) => data).sort((x, y) => y.length - x.length)[0]!;
  t0 = performance.now();
  const report = await instrumentCoreModule(core, { asyncExports: [] });
  const ms = performance.now() - t0;
  const loops = report.functions.flatMap((f) => f.loops);
  return `The pass over js-spinner's largest core module (${(core.length / 1e6).toFixed(1)} MB, ${report.functions.length.toLocaleString('en-US')} functions, ${loops.length.toLocaleString('en-US')} loops of which ${loops.filter((w) => w > 2_000).length} weigh over 2,000, ${report.recursiveCycles.length} small recursive cycles): ${(ms / 1000).toFixed(1)} s, after ${(jcoMs / 1000).toFixed(1)} s of jco; both once per component (cached on disk).`;
}
