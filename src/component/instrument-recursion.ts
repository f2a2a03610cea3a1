/*
 * Small recursive cycles for the fairness pass (instrument.ts): charged on
 * every k-th level of the recursion instead of at every call.
 *
 * Why: recursion has no loop header, so a function that may recurse is charged
 * on entry, a read-modify-write of the fuel global per call. In a ~1.3 ns call
 * (a naive recursive fib) that doubled the time: V8 keeps no global in a
 * register across calls, and the larger body stopped it inlining the recursion
 * into itself. Even a read-only test of a global cost +55 %.
 *
 * How: the functions of a small cycle of the call graph (a strongly connected
 * component of direct calls: a function calling itself, or a few calling each
 * other) get k - 1 copies. Level 0 is the original, still charged on entry;
 * levels 1 .. k - 1 are copies without the charge. A direct call from level i
 * to a member of the cycle goes to level i + 1 (mod k), so every chain of k
 * nested calls within the cycle passes one charge. Calls from outside the
 * cycle, and every indirect call (the table holds the originals), enter at
 * level 0. The copies keep their loops' checks.
 *
 * The charge at level 0 is k times the heaviest member's entry weight. With b
 * the most calls into the cycle one member makes, the calls between two
 * charges number at most 1 + b + ... + b^(k-1), so the pass may under-count
 * by (b^k - 1) / ((b - 1) k): 2.3 for a binary recursion with k = 3. k is
 * chosen so this stays at most MAX_UNDERCOUNT (the checks then come at most
 * that many times further apart, still well inside a slice); fib's real call
 * tree is counted about exactly. Measured on fib(27) (raw WebAssembly, median
 * CPU): a charge per call +100 %, k = 2 +26 %, k = 3 +2 %; k = 4 and 6 were
 * +11-15 % (V8's inlining, depth 7, fits k = 3 better), hence k <= 3.
 */
import type binaryenType from 'binaryen';
import { CHILDREN, kindNames, type Binaryen, type FunctionWeights } from './weigh.ts';

type Module = binaryenType.Module;

/** At most this many functions in a cycle, each weighing at most MAX_MEMBER_WEIGHT (code grows k times). */
const MAX_MEMBERS = 8;
const MAX_MEMBER_WEIGHT = 400;
const MAX_UNDERCOUNT = 3;

export interface Cycle {
  members: string[];
  /** Levels: the original and k - 1 copies. */
  k: number;
  /** Fuel charged on entry at level 0. */
  charge: number;
}

/** The small recursive cycles worth copying, by member name. */
export function smallCycles(weights: ReadonlyMap<string, FunctionWeights>): Map<string, Cycle> {
  const found = new Map<string, Cycle>();
  for (const members of components(weights)) {
    const set = new Set(members);
    const recursive = members.length > 1 || weights.get(members[0]!)!.directCalls.some(({ target }) => target === members[0]);
    if (!recursive || members.length > MAX_MEMBERS) continue;
    const ws = members.map((m) => weights.get(m)!);
    if (ws.some((w) => w.entryWeight + w.loops.reduce((sum, l) => sum + l.weight, 0) > MAX_MEMBER_WEIGHT)) continue;
    const b = Math.max(...ws.map((w) => w.directCalls.filter(({ target }) => set.has(target)).length));
    const undercount = (k: number) => (b === 1 ? 1 : (b ** k - 1) / (b - 1) / k);
    const k = [3, 2].find((n) => undercount(n) <= MAX_UNDERCOUNT);
    if (k === undefined) continue;
    const cycle = { members, k, charge: k * Math.max(...ws.map((w) => w.entryWeight)) };
    for (const m of members) found.set(m, cycle);
  }
  return found;
}

/** Tarjan's strongly connected components of the direct-call graph, without recursion (call graphs can be deep). */
function components(weights: ReadonlyMap<string, FunctionWeights>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const callees = (name: string) => [...new Set(weights.get(name)!.directCalls.map(({ target }) => target))].filter((t) => weights.has(t));
  for (const root of weights.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ name: string; next: string[] }> = [];
    const enter = (name: string) => {
      index.set(name, index.size);
      low.set(name, index.get(name)!);
      stack.push(name);
      onStack.add(name);
      work.push({ name, next: callees(name) });
    };
    enter(root);
    while (work.length > 0) {
      const top = work.at(-1)!;
      const callee = top.next.pop();
      if (callee !== undefined) {
        if (!index.has(callee)) enter(callee);
        else if (onStack.has(callee)) low.set(top.name, Math.min(low.get(top.name)!, index.get(callee)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(top.name)!));
      if (low.get(top.name) !== index.get(top.name)) continue;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== top.name);
      out.push(members);
    }
  }
  return out;
}

const levelName = (name: string, level: number) => (level === 0 ? name : `${name}$theater$level${level}`);

/**
 * Adds the copies of one cycle (its members already instrumented, without their
 * entry charge) and points every call within the cycle one level down.
 */
export function copyCycle(binaryen: Binaryen, module: Module, cycle: Cycle): void {
  const members = new Set(cycle.members);
  for (let level = 1; level < cycle.k; level++) {
    for (const name of cycle.members) {
      const info = binaryen.getFunctionInfo(module.getFunction(name));
      const body = module.copyExpression(info.body);
      module.addFunction(levelName(name, level), info.params, info.results, info.vars ?? [], body);
      retarget(binaryen, body, members, levelName, (level + 1) % cycle.k);
    }
  }
  for (const name of cycle.members) retarget(binaryen, binaryen.getFunctionInfo(module.getFunction(name)).body, members, levelName, 1 % cycle.k);
}

function retarget(binaryen: Binaryen, root: number, members: ReadonlySet<string>, name: (n: string, level: number) => string, level: number): void {
  const names = kindNames(binaryen);
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    const kind = names.get(binaryen.getExpressionId(expr))!;
    const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, unknown>;
    if (kind === 'Call' && members.has(info.target as string)) binaryen.Call.setTarget(expr, name(info.target as string, level));
    for (const field of CHILDREN[kind]!) {
      const value = info[field];
      if (Array.isArray(value)) stack.push(...(value as number[]));
      else if (typeof value === 'number' && value !== 0) stack.push(value);
    }
  }
}
