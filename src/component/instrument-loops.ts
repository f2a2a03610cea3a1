/*
 * The loop part of the fairness pass (instrument.ts): a fuel counter in a local
 * at every loop header, the slow path outside the loop, and the local spent at
 * every way out of the function. Inner loops are rewritten first, so an outer
 * loop's new body already holds their wrappers.
 */
import type binaryenType from 'binaryen';
import type { Binaryen, LoopSite, Slot } from './weigh.ts';
import { countedLoop, versionLoop } from './instrument-counted.ts';
import type { RegionPlan } from './instrument-regions.ts';

type Module = binaryenType.Module;

export const FUEL = 'theater$fuel';
export const SPEND = 'theater$spend';
/** Weight a function's loops gather in their local before it is taken from the global fuel. */
export const LOCAL_FLUSH = 10_000;

/**
 * Loop headers add their weight to a local (a register: the global would be a
 * load and a store per iteration); past LOCAL_FLUSH the local is spent from the
 * global fuel. Every way out of the function (return, tail call, falling off
 * the end) spends what is left, so no work goes uncounted across calls.
 */
/** Returns how many of the loops are counted inner loops, charged per chunk (instrument-counted.ts). */
export function countLoops(binaryen: Binaryen, module: Module, func: number, loops: LoopSite[], exits: Slot[], regions: ReadonlyMap<LoopSite, RegionPlan> = new Map()): number {
  const i32 = binaryen.i32;
  const counter = binaryen._BinaryenFunctionAddVar(func, i32);
  const flush = () => module.block(null, [
    module.global.set(FUEL, module.i32.sub(module.global.get(FUEL, i32), module.local.get(counter, i32))),
    module.if(module.i32.lt_s(module.global.get(FUEL, i32), module.i32.const(0)), module.call(SPEND, [module.i32.const(0)], binaryen.none)),
  ]);
  for (const exit of exits) replaceIn(binaryen, func, exit, module.block(null, [flush(), exit.expr], binaryen.auto));
  // Inner loops first: an outer loop's new body then already holds their wrappers.
  // A counted inner loop is charged per entry instead (instrument-counted.ts).
  let scratch: [number, number] | undefined;
  let chunked = 0;
  for (const site of [...loops].reverse()) {
    // A loop charged per region is never run unchecked in chunks: its chunk charge would miss the regions.
    const counted = regions.has(site) ? null : countedLoop(binaryen, site.slot.expr);
    let replacement: number | null = null;
    if (counted !== null) {
      scratch ??= [binaryen._BinaryenFunctionAddVar(func, i32), binaryen._BinaryenFunctionAddVar(func, i32)];
      replacement = versionLoop(binaryen, module, site.slot.expr, counted, site.weight, counter, scratch, FUEL, SPEND, () => guardLoop(binaryen, module, site, counter));
    }
    if (replacement !== null) chunked++;
    replaceIn(binaryen, func, site.slot, replacement ?? guardLoop(binaryen, module, site, counter));
  }
  for (const site of loops) regions.get(site)?.apply(counter);
  const body = binaryen.Function.getBody(func);
  const type = binaryen.getExpressionType(body);
  if (type === binaryen.unreachable) return chunked;
  if (type === binaryen.none) {
    binaryen.Function.setBody(func, module.block(null, [body, flush()], binaryen.none));
    return chunked;
  }
  const result = binaryen._BinaryenFunctionAddVar(func, type);
  binaryen.Function.setBody(func, module.block(null, [module.local.set(result, body), flush(), module.local.get(result, type)], type));
  return chunked;
}

let labels = 0;

/**
 * The loop, with its check at the header and the slow path outside it:
 *
 *   (block $done (result T)
 *     (loop $again
 *       (block $slow
 *         (br $done (loop $L (br_if $slow (counter += weight) > LOCAL_FLUSH) body)))
 *       (call $spend (counter)) (counter = 0)
 *       (br $again)))          ;; back to the header of $L: the iteration starts over where it was
 *
 * A call inside the loop body, even one never taken, makes V8 spill the loop's
 * registers around it (a 2x slowdown on a hash loop); a branch out does not.
 */
function guardLoop(binaryen: Binaryen, module: Module, site: LoopSite, counter: number): number {
  const i32 = binaryen.i32;
  const n = labels++;
  const [done, again, slow] = [`theater$done${n}`, `theater$again${n}`, `theater$slow${n}`];
  const loop = site.slot.expr;
  const type = binaryen.getExpressionType(loop);
  const over = module.i32.gt_u(module.local.tee(counter, module.i32.add(module.local.get(counter, i32), module.i32.const(site.weight)), i32), module.i32.const(LOCAL_FLUSH));
  binaryen.Loop.setBody(loop, module.block(null, [module.br(slow, over), binaryen.Loop.getBody(loop)], binaryen.auto));
  const leave = type === binaryen.none ? module.block(null, [loop, module.br(done)]) : module.br(done, 0, loop);
  return module.block(done, [
    module.loop(again, module.block(null, [
      module.block(slow, [leave]),
      module.call(SPEND, [module.local.get(counter, i32)], binaryen.none),
      module.local.set(counter, module.i32.const(0)),
      module.br(again),
    ])),
  ], type === binaryen.unreachable ? binaryen.none : type);
}

/** Puts `replacement` where `slot.expr` was (in its parent's field, or as the function body). */
export function replaceIn(binaryen: Binaryen, func: number, slot: Slot, replacement: number): void {
  if (slot.parent === 0) return binaryen.Function.setBody(func, replacement);
  const api = (binaryen as unknown as Record<string, Record<string, (...args: number[]) => void>>)[slot.parentKind]!;
  if (slot.index === -1) return api[`set${slot.field[0]!.toUpperCase()}${slot.field.slice(1)}`]!(slot.parent, replacement);
  const singular = ARRAY_SETTERS[slot.field];
  if (singular === undefined) throw new Error(`instrument: cannot replace a child in ${slot.parentKind}.${slot.field}`);
  api[singular]!(slot.parent, slot.index, replacement);
}

const ARRAY_SETTERS: Record<string, string> = { children: 'setChildAt', operands: 'setOperandAt', catchBodies: 'setCatchBodyAt' };
