/*
 * The fairness pass: rewrites a guest core module so it gives the thread back.
 *
 * Why: JavaScript cannot preempt WebAssembly. A guest that computes (or spins on
 * a ready pollable) holds the event loop, and every other actor's timers wait.
 * The model is wasmtime's epoch interruption with an async yield: the guest
 * itself checks a cheap counter and, when it runs out, asks the host whether
 * its slice is over.
 *
 * How (binaryen, a jco dependency):
 *   - a mutable i32 global `fuel` counts down. Every loop header subtracts the
 *     static weight of one iteration of its body (see weigh.ts), and so does the
 *     entry of every function that makes a call (recursion without a loop);
 *     leaf functions without loops run for a bounded time and get no check.
 *   - when fuel drops below zero, an added function refills it and calls the
 *     import `theater:timing/yield` `check(may_suspend) -> i32` (CPU budget,
 *     slice clock); a non-zero answer calls `yield()`, which under JSPI is a
 *     WebAssembly.Suspending import that waits one macrotask.
 *   - `may_suspend` is a second global, set to 1 by the exports listed as async
 *     (the ones jco wraps with WebAssembly.promising) and to 0 by every other
 *     export, each restoring the caller's value on return. A Suspending import
 *     called with no promising frame below it, e.g. from cabi_realloc that the
 *     glue calls from JavaScript, would trap with SuspendError; the flag keeps
 *     those paths to the budget check only.
 */
import type binaryenType from 'binaryen';
import { trimCustomSections } from './custom-sections.ts';
import { weighFunction, type LoopSite } from './weigh.ts';

/** Accessors binaryen.js has but its typings omit. */
interface Setters {
  Loop: { getBody(loop: number): number; setBody(loop: number, body: number): void };
  Function: { getBody(func: number): number; setBody(func: number, body: number): void };
}
type Binaryen = typeof binaryenType & Setters;
type Module = binaryenType.Module;

/** Bump when the emitted code changes: it is part of the transpile cache key. */
export const INSTRUMENT_FORMAT = 'theater-fuel-1';
/** Weight units between two calls of the check import (about 0.1–0.3 ms of guest code). */
export const FUEL_PER_CHECK = 200_000;
export const YIELD_MODULE = 'theater:timing/yield';

const FUEL = 'theater$fuel';
const MAY_SUSPEND = 'theater$may_suspend';
const SLOW = 'theater$out_of_fuel';
const CHECK = 'theater$check';
const YIELD = 'theater$yield';

export interface InstrumentOptions {
  /** Core export names entered through WebAssembly.promising (may suspend). */
  asyncExports: readonly string[];
}

export interface InstrumentReport {
  bytes: Uint8Array;
  /** Per defined function: its name, the weight of each loop check, and whether its entry is checked. */
  functions: Array<{ name: string; loops: number[]; entry: boolean }>;
  /** Exports that now set may_suspend, with the value they set. */
  exports: Array<{ name: string; maySuspend: boolean }>;
}

let loaded: Promise<Binaryen> | undefined;
/** binaryen is 10 MB of JavaScript: load it only when a module is instrumented. */
function loadBinaryen(): Promise<Binaryen> {
  loaded ??= import('binaryen').then((m) => m.default as Binaryen);
  return loaded;
}

export async function instrumentCoreModule(bytes: Uint8Array, options: InstrumentOptions): Promise<InstrumentReport> {
  const binaryen = await loadBinaryen();
  let module: Module;
  try {
    module = binaryen.readBinary(trimCustomSections(bytes));
  } catch (error) {
    throw new Error(`instrument: binaryen could not read the core module (${bytes.length} bytes): ${String(error)}`, { cause: error });
  }
  try {
    module.setFeatures(binaryen.Features.All);
    const report = rewrite(binaryen, module, options);
    if (!module.validate()) throw new Error('instrument: the instrumented module does not validate (please report this guest)');
    return { ...report, bytes: module.emitBinary() };
  } finally {
    module.dispose();
  }
}

function rewrite(binaryen: Binaryen, module: Module, options: InstrumentOptions): Omit<InstrumentReport, 'bytes'> {
  const i32 = binaryen.i32;
  const functions: InstrumentReport['functions'] = [];
  const defined: string[] = [];
  const imported = new Set<string>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    // An import has no body (its module name may be empty: jco's fixup modules import from "").
    if (info.body !== 0) defined.push(info.name);
    else imported.add(info.name);
  }
  module.addGlobal(FUEL, i32, true, module.i32.const(FUEL_PER_CHECK));
  module.addGlobal(MAY_SUSPEND, i32, true, module.i32.const(0));
  module.addFunctionImport(CHECK, YIELD_MODULE, 'check', i32, i32);
  module.addFunctionImport(YIELD, YIELD_MODULE, 'yield', binaryen.none, binaryen.none);
  module.addFunction(SLOW, binaryen.none, binaryen.none, [], module.block(null, [
    module.global.set(FUEL, module.i32.const(FUEL_PER_CHECK)),
    // The flag is tested here too: a host whose check said yes from a
    // non-promising frame would otherwise trap the guest with SuspendError.
    module.if(
      module.i32.and(module.call(CHECK, [module.global.get(MAY_SUSPEND, i32)], i32), module.global.get(MAY_SUSPEND, i32)),
      module.call(YIELD, [], binaryen.none),
    ),
  ]));
  const check = (weight: number) => module.block(null, [
    module.global.set(FUEL, module.i32.sub(module.global.get(FUEL, i32), module.i32.const(weight))),
    module.if(module.i32.lt_s(module.global.get(FUEL, i32), module.i32.const(0)), module.call(SLOW, [], binaryen.none)),
  ]);
  for (const name of defined) {
    const func = module.getFunction(name);
    const body = binaryen.getFunctionInfo(func).body;
    const { loops, entryWeight, calls } = weighFunction(binaryen, body, imported);
    for (const site of loops) prependToLoop(binaryen, module, site, check(site.weight));
    if (calls) binaryen.Function.setBody(func, module.block(null, [check(entryWeight), binaryen.Function.getBody(func)], binaryen.auto));
    functions.push({ name, loops: loops.map((s) => s.weight), entry: calls });
  }
  return { functions, exports: wrapExports(binaryen, module, options.asyncExports) };
}

function prependToLoop(binaryen: Binaryen, module: Module, site: LoopSite, check: number): void {
  const body = binaryen.Loop.getBody(site.loop);
  binaryen.Loop.setBody(site.loop, module.block(null, [check, body], binaryen.auto));
}

/** Every function export sets may_suspend for its duration; none do when no export is async. */
function wrapExports(binaryen: Binaryen, module: Module, asyncExports: readonly string[]): InstrumentReport['exports'] {
  const targets: Array<{ name: string; value: string }> = [];
  for (let i = 0; i < module.getNumExports(); i++) {
    const info = binaryen.getExportInfo(module.getExportByIndex(i));
    if (info.kind !== binaryen.ExternalFunction) continue;
    if (binaryen.getFunctionInfo(module.getFunction(info.value)).body === 0) continue;
    targets.push({ name: info.name, value: info.value });
  }
  if (!targets.some((t) => asyncExports.includes(t.name))) return [];
  const i32 = binaryen.i32;
  return targets.map(({ name, value }, n) => {
    const maySuspend = asyncExports.includes(name);
    const info = binaryen.getFunctionInfo(module.getFunction(value));
    const params = binaryen.expandType(info.params);
    const saved = params.length;
    const result = saved + 1;
    const args = params.map((type, i) => module.local.get(i, type));
    const call = module.call(value, args, info.results);
    const hasResult = info.results !== binaryen.none;
    const wrapper = `theater$export${n}`;
    module.addFunction(wrapper, info.params, info.results, hasResult ? [i32, info.results] : [i32], module.block(null, [
      module.local.set(saved, module.global.get(MAY_SUSPEND, i32)),
      module.global.set(MAY_SUSPEND, module.i32.const(maySuspend ? 1 : 0)),
      hasResult ? module.local.set(result, call) : call,
      module.global.set(MAY_SUSPEND, module.local.get(saved, i32)),
      ...(hasResult ? [module.local.get(result, info.results)] : []),
    ], info.results));
    module.removeExport(name);
    module.addFunctionExport(wrapper, name);
    return { name, maySuspend };
  });
}
