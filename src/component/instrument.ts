/*
 * The fairness pass: rewrites a guest core module so it gives the thread back.
 * (Over 200 lines: the pass's order of steps, each in its own function or file.)
 *
 * Why: JavaScript cannot preempt WebAssembly. A guest that computes (or spins on
 * a ready pollable) holds the event loop, and every other actor's timers wait.
 * The model is wasmtime's epoch interruption with an async yield: the guest
 * itself checks a cheap counter and, when it runs out, asks the host whether
 * its slice is over.
 *
 * How (binaryen, an optional dependency, see optional-deps.ts):
 *   - a mutable i32 global `fuel` counts down. Every loop header adds the static
 *     weight of one iteration (see weigh.ts) to a local of its function (a
 *     register); past LOCAL_FLUSH the loop branches out to a slow path that
 *     spends the local from the global and re-enters the loop at its header.
 *     Every exit of the function spends what is left. A counted inner loop
 *     (its trip count known at entry) is charged per chunk of iterations
 *     instead, and runs unchecked within it (instrument-counted.ts). The entry of a function
 *     that makes a call (recursion has no loop) or whose straight-line code
 *     weighs ENTRY_CHARGE_MIN or more is charged to the global directly; a direct
 *     call to a lighter leaf weighs the leaf's nodes at the call site. Weights
 *     follow the costliest path, not every branch (weigh.ts); a loop weighing
 *     REGION_MIN or more (an interpreter's dispatch) is charged per region of
 *     its body (instrument-regions.ts); a small recursive cycle is charged
 *     every k-th level, through copies of its functions (instrument-recursion.ts).
 *   - memory.fill / memory.copy / memory.init are charged by their length, and
 *     long fills and copies split into pieces (instrument-bulk.ts).
 *   - when fuel drops below zero, the slow path calls the import
 *     `theater:timing/yield` `check(may_suspend) -> i32` (CPU budget, slice
 *     clock) and refills the fuel, FUEL_PER_CHECK scaled by the answer's upper
 *     bits (yield-imports.ts), keeping the debt; bit 0 set calls `yield()`,
 *     which under JSPI is a WebAssembly.Suspending import that waits one macrotask.
 *   - `may_suspend` is a second global, set to 1 by the exports listed as async
 *     (the ones jco wraps with WebAssembly.promising) and to 0 by every other
 *     export, each restoring the caller's value on return. A Suspending import
 *     called with no promising frame below it, e.g. from cabi_realloc that the
 *     glue calls from JavaScript, would trap with SuspendError; the flag keeps
 *     those paths to the budget check only.
 */
import type binaryenType from 'binaryen';
import { importOptional } from './optional-deps.ts';
import { trimCustomSections } from './custom-sections.ts';
import { REFILL_SHIFT_MAX } from './yield-imports.ts';
import { wrapExports } from './instrument-exports.ts';
import { meterBulk } from './instrument-bulk.ts';
import { guardPoll } from './instrument-poll.ts';
import { countLoops, FUEL, SPEND } from './instrument-loops.ts';
import { copyCycle, smallCycles, type Cycle } from './instrument-recursion.ts';
import { callSurcharge, ENTRY_CHARGE_MIN, weighFunction, type Binaryen, type FunctionWeights, type LoopSite } from './weigh.ts';
import { planRegions, REGION_MIN, type RegionPlan } from './instrument-regions.ts';

type Module = binaryenType.Module;

/** Bump when the emitted code changes: it is part of the transpile cache key. */
export const INSTRUMENT_FORMAT = 'theater-fuel-6-paths-regions-cycles-scaled-refill';
/** Weight units between two calls of the check import (about 0.1–0.3 ms of guest code). */
export const FUEL_PER_CHECK = 200_000;
export const YIELD_MODULE = 'theater:timing/yield';

const MAY_SUSPEND = 'theater$may_suspend';
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
  /** Counted inner loops, charged per chunk of iterations instead of per iteration (instrument-counted.ts). */
  countedLoops: number;
  /** Small recursive cycles, charged every `levels`-th level of the recursion (instrument-recursion.ts). */
  recursiveCycles: Array<{ members: string[]; levels: number; charge: number }>;
  /** Calls to wasi:io/poll's poll that now check the list's length first (instrument-poll.ts). */
  pollCalls: number;
  /** Exports that now set may_suspend, with the value they set. */
  exports: Array<{ name: string; maySuspend: boolean }>;
}

let loaded: Promise<Binaryen> | undefined;
/** binaryen is 10 MB of JavaScript: load it only when a module is instrumented. */
function loadBinaryen(): Promise<Binaryen> {
  loaded ??= importOptional('binaryen', () => import('binaryen')).then((m) => m.default as Binaryen);
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
  const functions: InstrumentReport['functions'] = [];
  const defined: string[] = [];
  const imported = new Set<string>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    // An import has no body (its module name may be empty: jco's fixup modules import from "").
    if (info.body !== 0) defined.push(info.name);
    else imported.add(info.name);
  }
  addSpend(binaryen, module);
  const { weights, charged, lightWeight } = weighAll(binaryen, module, defined, imported);
  const plans = planHeavyLoops(binaryen, module, weights, imported, lightWeight);
  // Before the loops are rewritten, so a loop's copies (instrument-counted.ts) call the guard too.
  const importCalls = [...weights.values()].flatMap((w) => w.importCalls);
  const pollCalls = guardPoll(binaryen, module, [...imported], importCalls, YIELD_MODULE);
  const cycles = smallCycles(weights);
  const charge = (func: number, weight: number) => {
    // Recursion has no loop header, and a long leaf no loop at all: their entry is charged to the global fuel.
    binaryen.Function.setBody(func, module.block(null, [
      module.global.set(FUEL, module.i32.sub(module.global.get(FUEL, binaryen.i32), module.i32.const(weight))),
      module.if(module.i32.lt_s(module.global.get(FUEL, binaryen.i32), module.i32.const(0)), module.call(SPEND, [module.i32.const(0)], binaryen.none)),
      binaryen.Function.getBody(func),
    ], binaryen.auto));
  };
  let countedLoops = 0;
  for (const name of defined) {
    const func = module.getFunction(name);
    const w = weights.get(name)!;
    const { loops, exits, entryWeight } = w;
    if (loops.length > 0) countedLoops += countLoops(binaryen, module, func, loops, exits, plans);
    const entry = charged(w) || cycles.has(name);
    // A member of a small recursive cycle is charged once its copies are made (instrument-recursion.ts).
    if (entry && !cycles.has(name)) charge(func, entryWeight);
    functions.push({ name, loops: loops.map((s) => s.weight), entry });
  }
  // After the poll guards, so the copies hold them too.
  for (const cycle of new Set(cycles.values())) {
    copyCycle(binaryen, module, cycle);
    for (const name of cycle.members) charge(module.getFunction(name), cycle.charge);
  }
  const recursiveCycles = [...new Set(cycles.values())].map(({ members, k, charge: fuel }: Cycle) => ({ members, levels: k, charge: fuel }));
  return { functions, countedLoops, recursiveCycles, pollCalls, exports: wrapExports(binaryen, module, options.asyncExports, MAY_SUSPEND) };
}

/** The fuel and may_suspend globals, the check and yield imports, and spend (the slow path every charge shares). */
function addSpend(binaryen: Binaryen, module: Module): void {
  const i32 = binaryen.i32;
  module.addGlobal(FUEL, i32, true, module.i32.const(FUEL_PER_CHECK));
  module.addGlobal(MAY_SUSPEND, i32, true, module.i32.const(0));
  module.addFunctionImport(CHECK, YIELD_MODULE, 'check', i32, i32);
  module.addFunctionImport(YIELD, YIELD_MODULE, 'yield', binaryen.none, binaryen.none);
  const fuel = () => module.global.get(FUEL, i32);
  const maySuspend = () => module.global.get(MAY_SUSPEND, i32);
  // spend(amount): takes amount from the fuel; when it runs out, asks the host and refills it.
  // The answer r: bit 0 asks for a yield; r >> 1 (0..REFILL_SHIFT_MAX) scales the refill
  // (yield-imports.ts: where the weights over-count, the host asks less often).
  const answer = () => module.local.get(1, i32);
  module.addFunction(SPEND, i32, binaryen.none, [i32], module.block(null, [
    module.global.set(FUEL, module.i32.sub(fuel(), module.local.get(0, i32))),
    module.if(module.i32.lt_s(fuel(), module.i32.const(0)), module.block(null, [
      module.local.set(1, module.call(CHECK, [maySuspend()], i32)),
      // The refill keeps the debt (up to one check's worth): a charge of a whole
      // chunk of a counted loop would otherwise lose up to half of itself.
      module.global.set(FUEL, module.i32.add(
        module.i32.shl(module.i32.const(FUEL_PER_CHECK), module.i32.and(module.i32.shr_u(answer(), module.i32.const(1)), module.i32.const(REFILL_SHIFT_MAX))),
        module.select(module.i32.gt_s(fuel(), module.i32.const(-FUEL_PER_CHECK)), fuel(), module.i32.const(-FUEL_PER_CHECK)))),
      // The flag is tested here too: a host whose check said yes from a
      // non-promising frame would otherwise trap the guest with SuspendError.
      module.if(module.i32.and(module.i32.and(answer(), module.i32.const(1)), maySuspend()), module.call(YIELD, [], binaryen.none)),
    ])),
  ]));
}

/** Weighs every function (bulk memory metered first), a direct call to a light one with the callee's nodes. */
function weighAll(binaryen: Binaryen, module: Module, defined: readonly string[], imported: ReadonlySet<string>) {
  const weights = new Map<string, FunctionWeights>();
  for (const name of defined) {
    const func = module.getFunction(name);
    let weighed = weighFunction(binaryen, binaryen.getFunctionInfo(func).body, imported);
    if (weighed.bulk.length > 0) {
      // Children before their parents, so a parent's operands are read after their own rewrite.
      for (const site of [...weighed.bulk].reverse()) meterBulk(binaryen, module, func, site);
      weighed = weighFunction(binaryen, binaryen.getFunctionInfo(func).body, imported);
    }
    weights.set(name, weighed);
  }
  // A leaf (no call, light) is weighed at its call sites. A function whose only calls are
  // direct calls to leaves cannot recurse: its loops count themselves, it is weighed at its
  // call sites too, and its entry needs no charge to the global fuel (a store and a load
  // per call: 5-9 % on a heapsort whose sift-down calls a one-line leaf).
  const leaf = (w: FunctionWeights) => !w.calls && w.entryWeight < ENTRY_CHARGE_MIN;
  const callsLeaves = (w: FunctionWeights) => w.callCount === w.directCalls.length
    && w.directCalls.every(({ target }) => { const callee = weights.get(target); return callee !== undefined && leaf(callee); });
  const light = new Set([...weights].filter(([, w]) => leaf(w) || (callsLeaves(w) && w.entryWeight < ENTRY_CHARGE_MIN)).map(([name]) => name));
  const charged = (w: FunctionWeights) => (w.calls && !callsLeaves(w)) || w.entryWeight >= ENTRY_CHARGE_MIN;
  // A direct call to a light function weighs its nodes where the call sits, on the
  // path that makes it: leaves first, then the functions that call only leaves
  // (now complete), then every other caller of a light function.
  const reweigh = (name: string, round: (callee: FunctionWeights) => boolean) => {
    const w = weights.get(name)!;
    if (!w.directCalls.some(({ target }) => light.has(target) && round(weights.get(target)!))) return;
    const added = (target: string) => { const callee = weights.get(target); return callee !== undefined && light.has(target) && round(callee) ? callee.entryWeight : 0; };
    weights.set(name, weighFunction(binaryen, binaryen.getFunctionInfo(module.getFunction(name)).body, imported, added));
  };
  for (const name of light) if (!leaf(weights.get(name)!)) reweigh(name, leaf);
  for (const name of defined) if (!light.has(name)) reweigh(name, () => true);
  const lightWeight = (target: string) => (light.has(target) ? weights.get(target)!.entryWeight : 0);
  return { weights, charged, lightWeight };
}

/** Heavy loops are charged per region of their body (instrument-regions.ts), planned before any rewrite. */
function planHeavyLoops(binaryen: Binaryen, module: Module, weights: ReadonlyMap<string, FunctionWeights>, imported: ReadonlySet<string>,
  lightWeight: (target: string) => number): Map<LoopSite, RegionPlan> {
  const plans = new Map<LoopSite, RegionPlan>();
  for (const w of weights.values()) {
    for (const site of w.loops) {
      if (site.weight < REGION_MIN) continue;
      const plan = planRegions(binaryen, module, site.slot.expr, (kind, info) => callSurcharge(kind, info, imported, lightWeight));
      // The header's own region by its costliest path: in an interpreter it holds the chains of
      // result blocks the cases leave through, of which one path runs a few.
      plan.weight = Math.min(plan.weight, weighFunction(binaryen, site.slot.expr, imported, lightWeight, plan.roots).loops[0]!.weight);
      site.weight = plan.weight;
      plans.set(site, plan);
    }
  }
  return plans;
}
