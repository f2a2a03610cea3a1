/*
 * Heavy loops for the fairness pass (instrument-loops.ts): charged per region
 * of the body that runs, not for the costliest path at every iteration.
 *
 * Why: an interpreter's dispatch loop (StarlingMonkey runs JavaScript in
 * SpiderMonkey's, a loop over a br_table of hundreds of cases) weighs its
 * longest case, ~1,500 nodes, while most cases run 20-50: charged that way a
 * JavaScript loop asked the host for a check every ~0.5 µs of work instead of
 * every ~0.1 ms, and ran 50 % slower.
 *
 * How: a loop whose costliest path weighs REGION_MIN or more is cut into
 * regions, the stretches of its body that run straight through: the start of
 * the body (what the header charges), each arm of an `if`, and the code after
 * a labelled block (where a `br` to it, e.g. one case of a br_table, lands).
 * A catch stays in the region of its `try` (its body must begin with the
 * caught values' `pop`: no charge can go first), charged whether it runs or not. Each region but the first starts with
 * `counter += <its own nodes>` on the function's loop counter, a register: the
 * header's check (counter > LOCAL_FLUSH) and the exits spend it as before.
 * Every node belongs to exactly one region and every region is charged when
 * entered, so an iteration is charged what it ran, at most a region's worth
 * more (a branch out of a region's middle). Nested loops are their own.
 */
import type binaryenType from 'binaryen';
import { CHILDREN, kindNames, type Binaryen } from './weigh.ts';

type Module = binaryenType.Module;
type Info = Record<string, unknown>;

/** A loop whose costliest path weighs this much or more is charged per region. */
export const REGION_MIN = 500;

export interface RegionPlan {
  /** What the header charges: the first region's own nodes (their costliest path, see instrument.ts). */
  weight: number;
  /** The roots of the other regions (arms, the children after a labelled block): charged where they start. */
  roots: Set<number>;
  /** Inserts the other regions' charges (after the loops are rewritten: it shifts no slot they hold). */
  apply(counter: number): void;
}

/** The regions of one heavy loop's body; `surcharge` is what a node adds beyond 1 (calls, see weigh.ts). */
export function planRegions(binaryen: Binaryen, module: Module, loop: number, surcharge: (kind: string, info: Info) => number): RegionPlan {
  const names = kindNames(binaryen);
  const inserts: Array<(charge: (weight: number) => number) => void> = [];
  const roots = new Set<number>();
  const api = binaryen as unknown as Record<string, Record<string, (...args: number[]) => number>>;
  const region = (from: number[]): number => {
    let own = 0;
    const stack = [...from];
    while (stack.length > 0) {
      const expr = stack.pop()!;
      const kind = names.get(binaryen.getExpressionId(expr))!;
      const info = binaryen.getExpressionInfo(expr) as unknown as Info;
      own += 1 + surcharge(kind, info);
      if (kind === 'Loop') continue;
      if (kind === 'If') {
        stack.push(info.condition as number);
        for (const arm of ['IfTrue', 'IfFalse'] as const) {
          const body = info[arm === 'IfTrue' ? 'ifTrue' : 'ifFalse'] as number;
          if (body === 0) continue;
          roots.add(body);
          const weight = region([body]);
          inserts.push((charge) => api.If![`set${arm}`]!(expr, module.block(null, [charge(weight), api.If![`get${arm}`]!(expr)], binaryen.auto)));
        }
      } else if (kind === 'Block') {
        const children = info.children as number[];
        // A new region starts after each labelled block that is not the last child.
        const starts = children.flatMap((child, i) => (i + 1 < children.length && binaryen.getExpressionId(child) === binaryen.BlockId && binaryen.Block.getName(child) !== null ? [i + 1] : []));
        stack.push(...children.slice(0, starts[0] ?? children.length));
        starts.forEach((start, n) => {
          const segment = children.slice(start, starts[n + 1] ?? children.length);
          for (const child of segment) roots.add(child);
          const weight = region(segment);
          inserts.push((charge) => { api.Block!.insertChildAt!(expr, start, charge(weight)); });
        });
      } else {
        for (const field of CHILDREN[kind]!) {
          const value = info[field];
          if (Array.isArray(value)) stack.push(...(value as number[]));
          else if (typeof value === 'number' && value !== 0) stack.push(value);
        }
      }
    }
    return own;
  };
  const weight = Math.max(1, region([binaryen.Loop.getBody(loop)]));
  return {
    weight,
    roots,
    apply(counter) {
      const i32 = binaryen.i32;
      const charge = (w: number) => module.local.set(counter, module.i32.add(module.local.get(counter, i32), module.i32.const(w)));
      // Last first: a block's later insertion points still hold their index when the earlier ones are made.
      for (const insert of [...inserts].reverse()) insert(charge);
    },
  };
}
