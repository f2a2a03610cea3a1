/*
 * Counted inner loops for the fairness pass (instrument-loops.ts): a loop whose
 * trip count is known when it is entered is charged for all its iterations up
 * front and runs without a check per iteration.
 *
 * Why: a check per iteration of a ~1 ns inner loop (a dot product) keeps V8
 * from unrolling and scheduling it as it does the plain loop: the matrix
 * product cost 20–42 % with the check, against 1–5 % for kernels whose inner
 * loops do more per iteration. Charging per entry moves the check to the
 * enclosing loop, which runs n times less often.
 *
 * Which loops: innermost (no loop inside), with a single back-edge, the last
 * expression of the body, `br_if $L (k <op> n)` (or `br_if $L k`, k != 0),
 * where k is an i32 local stepped once per iteration by a constant power of two,
 * by a statement of the body itself (never inside an `if`) or by a tee in the
 * condition, and set nowhere else in the loop; n is a constant or an i32 local
 * the loop never sets. Then, with d = n - k (or k - n stepping down) and s the
 * step, the loop runs at most d/s + 1 times, provided k cannot wrap around past
 * n (checked at entry). Everything else about the body (stores, calls, early
 * exits, branches to outer blocks) is free: exits only shorten the run, and a
 * call charges itself (or was weighed into the loop's weight as a light leaf).
 *
 * The rewrite runs the loop in chunks of at most LIMIT steps (instrument.ts
 * bumps INSTRUMENT_FORMAT):
 *
 *   (loop $chunk
 *     d = n - k; b = k + min(d, LIMIT)            ;; k - ... stepping down
 *     (if (k has not passed n) && (no wrap past b) ;; ne: d a non-zero multiple of s
 *       (then charge (b - k) / s + 1 iterations
 *             <the loop, unchecked, labels renamed, its condition k <op> b>
 *             (br_if $chunk (k <op> n)))           ;; the loop's own condition still holds
 *       (else <the loop with its check per iteration, as before>)))
 *
 * The copy's condition implies the loop's own (b lies between k and n), and
 * when the copy stops only because of b, the loop's condition sends it round
 * again: the loop computes exactly what it did.
 *
 * The chunk's charge (and the function's counter so far) is taken from the
 * global fuel before the chunk runs, with the usual check; a chunk weighs at
 * most COUNTED_CAP (half of FUEL_PER_CHECK, about 0.1 ms of guest code), so a
 * sleeper waits at most that long past its slice for a long counted loop.
 */
import type binaryenType from 'binaryen';
import { CHILDREN, kindNames, type Binaryen } from './weigh.ts';

type Module = binaryenType.Module;

/** At most this much fuel is charged up front for one run of an unchecked loop. */
export const COUNTED_CAP = 100_000;

type Compare = 'ne' | 'lt_u' | 'lt_s' | 'gt_u' | 'gt_s';

interface CountedLoop {
  /** The stepped local. */
  k: number;
  /** The step, a power of two, negative when k counts down. */
  step: number;
  compare: Compare;
  /** The bound: an i32 local's index, or a constant. */
  bound: { local: number } | { value: number };
  /** Whether k is the left operand of the condition (a Binary). */
  kLeft: boolean;
}

type Info = Record<string, unknown>;

/** Whether `loop` is a counted inner loop (see the head of this file), and how it counts. */
export function countedLoop(binaryen: Binaryen, loop: number): CountedLoop | null {
  if (binaryen.getExpressionType(loop) !== binaryen.none) return null;
  const names = kindNames(binaryen);
  const label = binaryen.Loop.getName(loop);
  const body = binaryen.Loop.getBody(loop);
  if (label === null || names.get(binaryen.getExpressionId(body)) !== 'Block') return null;
  const children = (binaryen.getExpressionInfo(body) as unknown as Info).children as number[];
  const last = children.at(-1);
  if (last === undefined || names.get(binaryen.getExpressionId(last)) !== 'Break') return null;
  const br = binaryen.getExpressionInfo(last) as unknown as Info;
  if (br.name !== label || br.condition === 0 || br.value !== 0) return null;
  // The whole body: no inner loop, no other branch back to the header, and which locals it sets.
  const sets = new Map<number, number>();
  const stack = [body];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    const kind = names.get(binaryen.getExpressionId(expr));
    if (kind === undefined || kind === 'Loop' || kind === 'Try' || kind === 'Rethrow') return null;
    const info = binaryen.getExpressionInfo(expr) as unknown as Info;
    if (kind === 'Break' && info.name === label && expr !== last) return null;
    if (kind === 'Switch' && ((info.names as string[]).includes(label) || info.defaultName === label)) return null;
    if (kind === 'LocalSet') sets.set(info.index as number, (sets.get(info.index as number) ?? 0) + 1);
    for (const field of CHILDREN[kind]!) {
      const value = info[field];
      if (Array.isArray(value)) stack.push(...(value as number[]));
      else if (typeof value === 'number' && value !== 0) stack.push(value);
    }
  }
  const cond = br.condition as number;
  let compare: Compare;
  let kExpr: number;
  let other: number | null;
  const condInfo = binaryen.getExpressionInfo(cond) as unknown as Info;
  const condKind = names.get(binaryen.getExpressionId(cond));
  if (condKind === 'LocalGet' || condKind === 'LocalSet') {
    [compare, kExpr, other] = ['ne', cond, null];
  } else if (condKind === 'Binary') {
    const ops: Record<number, [Compare, Compare]> = {
      [binaryen.NeInt32]: ['ne', 'ne'], [binaryen.LtUInt32]: ['lt_u', 'gt_u'], [binaryen.LtSInt32]: ['lt_s', 'gt_s'],
      [binaryen.GtUInt32]: ['gt_u', 'lt_u'], [binaryen.GtSInt32]: ['gt_s', 'lt_s'],
    };
    const op = ops[condInfo.op as number];
    if (op === undefined) return null;
    const [left, right] = [condInfo.left as number, condInfo.right as number];
    // k on the left, or on the right with the comparison mirrored (n > k is k < n):
    // k is the side whose local the body sets exactly once.
    const once = (expr: number) => { const local = steppedLocal(binaryen, expr); return local !== null && sets.get(local) === 1; };
    if (once(left)) [compare, kExpr, other] = [op[0], left, right];
    else [compare, kExpr, other] = [op[1], right, left];
  } else {
    return null;
  }
  const k = steppedLocal(binaryen, kExpr);
  if (k === null) return null;
  let bound: CountedLoop['bound'];
  if (other === null) bound = { value: 0 };
  else {
    const otherKind = names.get(binaryen.getExpressionId(other));
    const otherInfo = binaryen.getExpressionInfo(other) as unknown as Info;
    if (otherKind === 'Const') bound = { value: otherInfo.value as number };
    else if (otherKind === 'LocalGet' && otherInfo.index !== k && !sets.has(otherInfo.index as number)) bound = { local: otherInfo.index as number };
    else return null;
  }
  if (sets.get(k) !== 1) return null;
  // The one set of k: the tee in the condition, or a statement of the body itself.
  let step: number | null;
  if (names.get(binaryen.getExpressionId(kExpr)) === 'LocalSet') step = stepOf(binaryen, kExpr, k);
  else {
    const statement = children.slice(0, -1).find((child) => {
      const info = binaryen.getExpressionInfo(child) as unknown as Info;
      return names.get(binaryen.getExpressionId(child)) === 'LocalSet' && info.index === k;
    });
    step = statement === undefined || (binaryen.getExpressionInfo(statement) as unknown as Info).isTee === true ? null : stepOf(binaryen, statement, k);
  }
  if (step === null) return null;
  if (compare.startsWith('lt') && step < 0) return null;
  if (compare.startsWith('gt') && step > 0) return null;
  return { k, step, compare, bound, kLeft: condKind !== 'Binary' || kExpr === condInfo.left };
}

/** The local a condition operand reads: `local.get k` or `local.tee k (...)`. */
function steppedLocal(binaryen: Binaryen, expr: number): number | null {
  const id = binaryen.getExpressionId(expr);
  const info = binaryen.getExpressionInfo(expr) as unknown as Info;
  if (binaryen.getExpressionType(expr) !== binaryen.i32) return null;
  if (id === binaryen.LocalGetId || (id === binaryen.LocalSetId && info.isTee === true)) return info.index as number;
  return null;
}

/** For `local.set/tee k (k +/- c)`: the step (a power of two up to 2^16, signed), else null. */
function stepOf(binaryen: Binaryen, set: number, k: number): number | null {
  const value = (binaryen.getExpressionInfo(set) as unknown as Info).value as number;
  if (binaryen.getExpressionId(value) !== binaryen.BinaryId) return null;
  const info = binaryen.getExpressionInfo(value) as unknown as Info;
  if (info.op !== binaryen.AddInt32 && info.op !== binaryen.SubInt32) return null;
  const [left, right] = [info.left as number, info.right as number];
  const get = binaryen.getExpressionInfo(left) as unknown as Info;
  if (binaryen.getExpressionId(left) !== binaryen.LocalGetId || get.index !== k) return null;
  if (binaryen.getExpressionId(right) !== binaryen.ConstId) return null;
  const c = (binaryen.getExpressionInfo(right) as unknown as Info).value as number;
  const step = info.op === binaryen.AddInt32 ? c : -c;
  const size = Math.abs(step);
  if (size === 0 || size > 1 << 16 || (size & (size - 1)) !== 0) return null;
  return step;
}

let renamed = 0;

/**
 * The loop in chunks (see the head of this file). `checked` builds the loop
 * with its check per iteration; it runs after the unchecked copy is taken,
 * because it rewrites the loop in place.
 */
export function versionLoop(binaryen: Binaryen, module: Module, loop: number, counted: CountedLoop, weight: number,
  counter: number, scratch: [number, number], fuelGlobal: string, spend: string, checked: () => number): number | null {
  const i32 = binaryen.i32;
  const size = Math.abs(counted.step);
  // Steps of one chunk: (limit / s + 1) iterations at most, weighing COUNTED_CAP at most; a multiple of s.
  const limit = (Math.floor(COUNTED_CAP / weight) - 1) & ~(size - 1);
  if (limit < size) return null;
  const n = renamed++;
  const fast = module.copyExpression(loop);
  relabel(binaryen, fast, `$c${n}`);
  const [dLocal, bLocal] = scratch;
  const k = () => module.local.get(counted.k, i32);
  const bound = () => ('local' in counted.bound ? module.local.get(counted.bound.local, i32) : module.i32.const(counted.bound.value));
  const d = () => module.local.get(dLocal, i32);
  const b = () => module.local.get(bLocal, i32);
  const up = counted.step > 0;
  const compare = (x: number, y: number): number => {
    switch (counted.compare) {
      case 'ne': return module.i32.ne(x, y);
      case 'lt_u': return module.i32.lt_u(x, y);
      case 'lt_s': return module.i32.lt_s(x, y);
      case 'gt_u': return module.i32.gt_u(x, y);
      case 'gt_s': return module.i32.gt_s(x, y);
    }
  };
  // The copy runs while k <op> b, b between k and the bound: its condition implies the loop's own.
  const br = ((binaryen.getExpressionInfo(binaryen.Loop.getBody(fast)) as unknown as Info).children as number[]).at(-1)!;
  const cond = (binaryen.getExpressionInfo(br) as unknown as Info).condition as number;
  const condInfo = binaryen.getExpressionInfo(cond) as unknown as Info;
  const kSide = binaryen.getExpressionId(cond) === binaryen.BinaryId ? (counted.kLeft ? condInfo.left : condInfo.right) as number : cond;
  binaryen.Break.setCondition(br, compare(kSide, b()));
  const biased = (x: number) => (counted.compare.endsWith('_s') ? module.i32.xor(x, module.i32.const(0x80000000 | 0)) : x);
  const conditions: number[] = [];
  if (counted.compare === 'ne') {
    // k meets the bound exactly after d / s steps: d must be a non-zero multiple of s.
    conditions.push(module.i32.ne(d(), module.i32.const(0)));
    if (size > 1) conditions.push(module.i32.eqz(module.i32.and(d(), module.i32.const(size - 1))));
  } else {
    // k has not passed the bound yet, and the first k at or past b (below b + s) does not wrap.
    const ks = counted.compare === 'lt_s' ? module.i32.le_s(k(), bound()) : counted.compare === 'gt_s' ? module.i32.ge_s(k(), bound())
      : counted.compare === 'lt_u' ? module.i32.le_u(k(), bound()) : module.i32.ge_u(k(), bound());
    conditions.push(ks);
    if (size > 1) conditions.push(up ? module.i32.le_u(biased(b()), module.i32.const(-size | 0)) : module.i32.ge_u(biased(b()), module.i32.const(size - 1)));
  }
  const guard = conditions.reduce((x, y) => module.i32.and(x, y));
  const shift = Math.log2(size);
  const chunkSteps = module.select(module.i32.le_u(d(), module.i32.const(limit)), d(), module.i32.const(limit));
  const steps = () => (up ? module.i32.sub(b(), k()) : module.i32.sub(k(), b()));
  const trips = module.i32.add(shift === 0 ? steps() : module.i32.shr_u(steps(), module.i32.const(shift)), module.i32.const(1));
  const chunk = `theater$chunk${n}`;
  const fuel = () => module.global.get(fuelGlobal, i32);
  return module.loop(chunk, module.block(null, [
    module.local.set(dLocal, up ? module.i32.sub(bound(), k()) : module.i32.sub(k(), bound())),
    // b: the chunk's bound, `steps` past k.
    module.local.set(bLocal, up ? module.i32.add(k(), chunkSteps) : module.i32.sub(k(), chunkSteps)),
    module.if(guard,
      module.block(null, [
        // The chunk, (steps / s + 1) iterations, and the counter so far are spent from the global fuel
        // before it runs; the counter is then a constant 0 in the copy, not one more register.
        module.global.set(fuelGlobal, module.i32.sub(fuel(), module.i32.add(module.local.get(counter, i32), module.i32.mul(trips, module.i32.const(weight))))),
        module.local.set(counter, module.i32.const(0)),
        module.if(module.i32.lt_s(fuel(), module.i32.const(0)), module.call(spend, [module.i32.const(0)], binaryen.none)),
        fast,
        // Out of the copy: its condition failed; the loop's own may still hold.
        module.br(chunk, compare(k(), bound())),
      ]),
      checked()),
  ], binaryen.none));
}

/** Gives every label defined inside `root` a new name (binaryen wants them unique in a function), and its branches with it. */
function relabel(binaryen: Binaryen, root: number, suffix: string): void {
  const names = kindNames(binaryen);
  const all: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    all.push(expr);
    const kind = names.get(binaryen.getExpressionId(expr))!;
    const info = binaryen.getExpressionInfo(expr) as unknown as Info;
    for (const field of CHILDREN[kind]!) {
      const value = info[field];
      if (Array.isArray(value)) stack.push(...(value as number[]));
      else if (typeof value === 'number' && value !== 0) stack.push(value);
    }
  }
  const defined = new Set<string>();
  for (const expr of all) {
    const id = binaryen.getExpressionId(expr);
    if (id === binaryen.BlockId || id === binaryen.LoopId) {
      const name = id === binaryen.BlockId ? binaryen.Block.getName(expr) : binaryen.Loop.getName(expr);
      if (name === null) continue;
      defined.add(name);
      if (id === binaryen.BlockId) binaryen.Block.setName(expr, name + suffix);
      else binaryen.Loop.setName(expr, name + suffix);
    }
  }
  const map = (name: string) => (defined.has(name) ? name + suffix : name);
  for (const expr of all) {
    const id = binaryen.getExpressionId(expr);
    if (id === binaryen.BreakId) {
      const name = (binaryen.getExpressionInfo(expr) as unknown as Info).name as string;
      binaryen.Break.setName(expr, map(name));
    } else if (id === binaryen.SwitchId) {
      binaryen.Switch.setNames(expr, binaryen.Switch.getNames(expr).map(map));
      const fallback = binaryen.Switch.getDefaultName(expr);
      if (fallback !== null) binaryen.Switch.setDefaultName(expr, map(fallback));
    }
  }
}
