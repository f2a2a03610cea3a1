/*
 * The bulk-memory part of the fairness pass (instrument.ts): one memory.fill or
 * memory.copy instruction can hold the thread for tens of milliseconds (256 MiB
 * is ~25 ms), and an expression node weighs 1 whatever its length operand. So
 * each one is weighed by its length, and split:
 *
 *   memory.fill / memory.copy   pieces of BULK_CHUNK bytes, each charged
 *                               BULK_CHUNK >> BULK_SHIFT fuel before it runs, so a
 *                               long one runs out of fuel, and checks, between
 *                               pieces; the last piece (or a short op: the common
 *                               case) is the original instruction, charged by its
 *                               length (over BULK_FREE bytes). A copy whose
 *                               destination is above its source goes from the
 *                               end, as memmove does.
 *   memory.init                 charged by its length, not split (a data segment
 *                               is part of the module, so its length is bounded
 *                               by the module's size).
 *
 * Splitting changes one thing: an op that runs past the end of memory writes
 * the pieces that fit before it traps (the single instruction writes nothing).
 * A trap ends the actor's instance (runtime/actor.ts), so nothing ever reads
 * that memory again. An address range that wraps around (only possible with a
 * 4 GiB memory) is not split, so it still traps as one instruction.
 *
 * Table bulk ops (table.fill / copy / init) are refused by the pass (weigh.ts):
 * binaryen.js exposes no accessors for their operands.
 */
import type binaryenType from 'binaryen';
import { FUEL, replaceIn, SPEND } from './instrument-loops.ts';
import type { Binaryen, Slot } from './weigh.ts';

type Module = binaryenType.Module;

/**
 * Bytes per piece of a split memory.fill or memory.copy: 256 KiB, ~15 µs of
 * memset in memory already touched, but 1-3 ms where the pages are touched for
 * the first time (the kernel commits them: on this 2-core VM, 128 MiB of fresh
 * memory took 90 ms to fill, warm 30 ms).
 */
export const BULK_CHUNK = 1 << 18;
/**
 * Fuel per byte is 2^-BULK_SHIFT: one unit per byte. That overcharges warm
 * memory (a node of code takes ~1 ns, a byte of memset ~0.05 ns) so that a
 * piece over fresh pages still reaches a check: a split op checks every piece
 * (BULK_CHUNK > FUEL_PER_CHECK), ~0.3 µs of host call per 256 KiB.
 */
export const BULK_SHIFT = 0;
/**
 * Ops this short are not charged by length: the nodes the rewrite adds around
 * them already weigh ~30 units in their loop, about what a 1 KiB memcpy costs
 * (30-50 ns). Skipping the charge keeps a loop of small copies (Rust's memcpy
 * of a struct) at one compare per op: charging them all cost 1.8 ns a copy.
 */
export const BULK_FREE = 1024;
/** Most fuel one charge of a 64-bit length takes (keeps it from wrapping the i32 counter). */
const MAX_CHARGE = 1 << 28;

interface Ops {
  type: number;
  const(value: number): number;
  add(a: number, b: number): number;
  sub(a: number, b: number): number;
  leU(a: number, b: number): number;
  ltU(a: number, b: number): number;
  /** n >> BULK_SHIFT as an i32, at most MAX_CHARGE; `n` makes a fresh expression each time it is called. */
  charge(n: () => number): number;
}

function opsFor(binaryen: Binaryen, module: Module, type: number): Ops {
  if (type === binaryen.i64) {
    const i64 = module.i64;
    const big = (value: number) => i64.const(value % 2 ** 32, Math.floor(value / 2 ** 32));
    return {
      type,
      const: big,
      add: (a, b) => i64.add(a, b),
      sub: (a, b) => i64.sub(a, b),
      leU: (a, b) => i64.le_u(a, b),
      ltU: (a, b) => i64.lt_u(a, b),
      charge: (n) => module.i32.wrap(module.select(
        i64.lt_u(n(), big(MAX_CHARGE * 2 ** BULK_SHIFT)),
        i64.shr_u(n(), i64.const(BULK_SHIFT, 0)),
        i64.const(MAX_CHARGE, 0),
      )),
    };
  }
  const i32 = module.i32;
  return {
    type,
    const: (value) => i32.const(value),
    add: (a, b) => i32.add(a, b),
    sub: (a, b) => i32.sub(a, b),
    leU: (a, b) => i32.le_u(a, b),
    ltU: (a, b) => i32.lt_u(a, b),
    // Unclamped: where an i32 length can still be 2^31 or more here, the op traps at once
    // (a range that wraps around, or memory.init past its segment, which is shorter).
    charge: (n) => (BULK_SHIFT === 0 ? n() : i32.shr_u(n(), i32.const(BULK_SHIFT))),
  };
}

let labels = 0;

/** Rewrites one bulk-memory instruction of `func` (see the header). */
export function meterBulk(binaryen: Binaryen, module: Module, func: number, site: Slot): void {
  const op = site.expr;
  if (binaryen.getExpressionType(op) === binaryen.unreachable) return; // dead code: an operand never returns
  const i32 = binaryen.i32;
  const charge = (amount: number) => module.block(null, [
    module.global.set(FUEL, module.i32.sub(module.global.get(FUEL, i32), amount)),
    module.if(module.i32.lt_s(module.global.get(FUEL, i32), module.i32.const(0)), module.call(SPEND, [module.i32.const(0)], binaryen.none)),
  ]);
  const local = (type: number) => binaryen._BinaryenFunctionAddVar(func, type);
  const id = binaryen.getExpressionId(op);
  const n = labels++;
  const [out, again] = [`theater$bulkdone${n}`, `theater$bulk${n}`];

  if (id === binaryen.MemoryFillId) {
    const api = binaryen.MemoryFill;
    const type = binaryen.getExpressionType(api.getSize(op));
    const o = opsFor(binaryen, module, type);
    const [d, v, len] = [local(type), local(i32), local(type)];
    const get = (l: number, t = type) => module.local.get(l, t);
    const head = [module.local.set(d, api.getDest(op)), module.local.set(v, api.getValue(op)), module.local.set(len, api.getSize(op))];
    api.setDest(op, get(d));
    api.setValue(op, get(v, i32));
    api.setSize(op, get(len));
    const piece = module.copyExpression(op);
    api.setSize(piece, o.const(BULK_CHUNK));
    // Loops that fall through (br_if at the end), so no expression here is typed unreachable.
    // A short op (the common case) takes the first branch and is charged its length.
    const loop = module.block(out, [
      module.br(out, o.leU(get(len), o.const(BULK_CHUNK))),
      module.br(out, o.ltU(o.add(get(d), get(len)), get(d))),
      module.loop(again, module.block(null, [
        charge(module.i32.const(BULK_CHUNK >> BULK_SHIFT)),
        piece,
        module.local.set(d, o.add(get(d), o.const(BULK_CHUNK))),
        module.local.set(len, o.sub(get(len), o.const(BULK_CHUNK))),
        module.br(again, o.ltU(o.const(BULK_CHUNK), get(len))),
      ])),
    ], binaryen.none);
    replaceIn(binaryen, func, site, module.block(null, [...head, module.if(o.ltU(o.const(BULK_FREE), get(len)), module.block(null, [loop, charge(o.charge(() => get(len)))])), op], binaryen.none));
    return;
  }

  if (id === binaryen.MemoryCopyId) {
    const api = binaryen.MemoryCopy;
    const type = binaryen.getExpressionType(api.getSize(op));
    // binaryen reads no copy between memories of two address types, so all three share one.
    const o = opsFor(binaryen, module, type);
    const [d, s, len] = [local(type), local(type), local(type)];
    const get = (l: number) => module.local.get(l, type);
    const head = [module.local.set(d, api.getDest(op)), module.local.set(s, api.getSource(op)), module.local.set(len, api.getSize(op))];
    api.setDest(op, get(d));
    api.setSource(op, get(s));
    api.setSize(op, get(len));
    const forward = module.copyExpression(op);
    api.setSize(forward, o.const(BULK_CHUNK));
    // Destination above the source: from the end, so no byte is overwritten before it is read.
    const backward = module.copyExpression(op);
    api.setDest(backward, o.add(get(d), get(len)));
    api.setSource(backward, o.add(get(s), get(len)));
    api.setSize(backward, o.const(BULK_CHUNK));
    const [fwd, bwd] = [`theater$bulkfwd${n}`, `theater$bulkbwd${n}`];
    const loop = module.block(out, [
      module.br(out, o.leU(get(len), o.const(BULK_CHUNK))),
      module.br(out, o.ltU(o.add(get(d), get(len)), get(d))),
      module.br(out, o.ltU(o.add(get(s), get(len)), get(s))),
      module.if(o.leU(get(d), get(s)),
        module.loop(fwd, module.block(null, [
          charge(module.i32.const(BULK_CHUNK >> BULK_SHIFT)),
          forward,
          module.local.set(d, o.add(get(d), o.const(BULK_CHUNK))),
          module.local.set(s, o.add(get(s), o.const(BULK_CHUNK))),
          module.local.set(len, o.sub(get(len), o.const(BULK_CHUNK))),
          module.br(fwd, o.ltU(o.const(BULK_CHUNK), get(len))),
        ])),
        module.loop(bwd, module.block(null, [
          charge(module.i32.const(BULK_CHUNK >> BULK_SHIFT)),
          module.local.set(len, o.sub(get(len), o.const(BULK_CHUNK))),
          backward,
          module.br(bwd, o.ltU(o.const(BULK_CHUNK), get(len))),
        ]))),
    ], binaryen.none);
    replaceIn(binaryen, func, site, module.block(null, [...head, module.if(o.ltU(o.const(BULK_FREE), get(len)), module.block(null, [loop, charge(o.charge(() => get(len)))])), op], binaryen.none));
    return;
  }

  // memory.init: charged by its length (always an i32), not split.
  const api = binaryen.MemoryInit;
  const destType = binaryen.getExpressionType(api.getDest(op));
  const [d, off, len] = [local(destType), local(i32), local(i32)];
  const head = [module.local.set(d, api.getDest(op)), module.local.set(off, api.getOffset(op)), module.local.set(len, api.getSize(op))];
  api.setDest(op, module.local.get(d, destType));
  api.setOffset(op, module.local.get(off, i32));
  api.setSize(op, module.local.get(len, i32));
  const longer = module.i32.lt_u(module.i32.const(BULK_FREE), module.local.get(len, i32));
  replaceIn(binaryen, func, site, module.block(null, [...head, module.if(longer, charge(opsFor(binaryen, module, i32).charge(() => module.local.get(len, i32)))), op], binaryen.none));
}
