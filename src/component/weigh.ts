/*
 * Static weights for the fairness pass (instrument.ts): how much fuel one pass
 * through a loop body, or one entry into a function, costs.
 *
 * Over 200 lines: the types and node table the whole pass shares, and the
 * path walk, which keeps labels, levels and costs together.
 *
 * A weight is the number of expression nodes the code runs once (along its
 * costliest path, see weighFunction), with the
 * nodes of nested loops counted by those loops' own checks, plus a surcharge
 * per call: a call into JavaScript (an import) costs tens of nanoseconds, far
 * more than one arithmetic node, so a `now()` spinner with a three-node body
 * still runs out of fuel on time. The walk is iterative (an expression tree can
 * be deeper than the JS stack) and refuses expression kinds it does not know,
 * so no loop can hide from it inside an unfamiliar node.
 */
import type binaryenType from 'binaryen';

/** binaryen, with accessors binaryen.js has but its typings omit. */
export type Binaryen = typeof binaryenType & {
  Loop: { getName(loop: number): string | null; setName(loop: number, name: string): void; getBody(loop: number): number; setBody(loop: number, body: number): void };
  Function: { getBody(func: number): number; setBody(func: number, body: number): void };
  _BinaryenFunctionAddVar(func: number, type: number): number;
  Call: { setTarget(call: number, target: string): void };
  MemoryFill: BulkAccessors<'dest' | 'value' | 'size'>;
  MemoryCopy: BulkAccessors<'dest' | 'source' | 'size'>;
  MemoryInit: BulkAccessors<'dest' | 'offset' | 'size'>;
  Block: { getName(block: number): string | null; setName(block: number, name: string): void };
  Break: { setName(br: number, name: string): void; setCondition(br: number, condition: number): void };
  Switch: { getNames(sw: number): string[]; setNames(sw: number, names: string[]): void; getDefaultName(sw: number): string | null; setDefaultName(sw: number, name: string): void };
};

/** binaryen.js's getters and setters for the operands of a bulk-memory expression. */
export type BulkAccessors<F extends string> = {
  [K in F as `get${Capitalize<K>}`]: (expr: number) => number;
} & {
  [K in F as `set${Capitalize<K>}`]: (expr: number, value: number) => void;
};

export const CALL_WEIGHT = 10;
export const IMPORT_CALL_WEIGHT = 100;
/**
 * A function whose straight-line code weighs this much or more is charged on
 * entry even when it calls nothing (a leaf): a loop calling a 20 000-node leaf
 * would otherwise count 11 per iteration. Below it, a direct call weighs the
 * callee's own nodes at the call site instead, so only an indirect call to a
 * leaf lighter than this is under-counted (at most ENTRY_CHARGE_MIN / CALL_WEIGHT times).
 */
export const ENTRY_CHARGE_MIN = 200;

export interface LoopSite {
  /** The binaryen Loop expression, and where it sits. */
  slot: Slot;
  /** Fuel one iteration costs. */
  weight: number;
}

/** Where an expression sits: its parent (0 = the function body itself), the field and the array index (-1 for a single child). */
export interface Slot {
  expr: number;
  parent: number;
  parentKind: string;
  field: string;
  index: number;
}

export interface FunctionWeights {
  loops: LoopSite[];
  /** Every `return` and tail call: the function is left there. */
  exits: Slot[];
  /** Fuel the function's straight-line code (outside its loops) costs. */
  entryWeight: number;
  /** Whether the function calls anything (and so may recurse). */
  calls: boolean;
  /** How many calls it makes (direct, to imports and indirect). */
  callCount: number;
  /** memory.fill / memory.copy / memory.init, in walk order (parents before their children). */
  bulk: Slot[];
  /** Direct calls to functions of the module: who pays (-1 straight-line code, else a loop index) and the callee. */
  directCalls: Array<{ owner: number; target: string }>;
  /** Direct calls to imported functions. */
  importCalls: ImportCall[];
}

export interface ImportCall {
  expr: number;
  target: string;
}

const BULK_KINDS: ReadonlySet<string> = new Set(['MemoryFill', 'MemoryCopy', 'MemoryInit']);

/** Expression-valued fields of binaryen.getExpressionInfo, per expression kind name. */
export const CHILDREN: Record<string, readonly string[]> = {
  Block: ['children'], If: ['condition', 'ifTrue', 'ifFalse'], Loop: ['body'],
  Break: ['condition', 'value'], Switch: ['condition', 'value'],
  Call: ['operands'], CallIndirect: ['target', 'operands'],
  LocalSet: ['value'], GlobalSet: ['value'],
  TableGet: ['index'], TableSet: ['index', 'value'], TableGrow: ['value', 'delta'],
  Load: ['ptr'], Store: ['ptr', 'value'], Unary: ['value'], Binary: ['left', 'right'],
  Select: ['ifTrue', 'ifFalse', 'condition'], Drop: ['value'], Return: ['value'], MemoryGrow: ['delta'],
  AtomicRMW: ['ptr', 'value'], AtomicCmpxchg: ['ptr', 'expected', 'replacement'],
  AtomicWait: ['ptr', 'expected', 'timeout'], AtomicNotify: ['ptr', 'notifyCount'],
  SIMDExtract: ['vec'], SIMDReplace: ['vec', 'value'], SIMDShuffle: ['left', 'right'],
  SIMDTernary: ['a', 'b', 'c'], SIMDShift: ['vec', 'shift'], SIMDLoad: ['ptr'], SIMDLoadStoreLane: ['ptr', 'vec'],
  MemoryInit: ['dest', 'offset', 'size'], MemoryCopy: ['dest', 'source', 'size'], MemoryFill: ['dest', 'value', 'size'],
  RefIsNull: ['value'], RefAs: ['value'], RefEq: ['left', 'right'],
  Try: ['body', 'catchBodies'], Throw: ['operands'], TupleMake: ['operands'], TupleExtract: ['tuple'],
  RefI31: ['value'], I31Get: ['i31'],
  LocalGet: [], GlobalGet: [], TableSize: [], Const: [], Nop: [], Unreachable: [], Pop: [],
  MemorySize: [], AtomicFence: [], DataDrop: [], RefNull: [], RefFunc: [], Rethrow: [],
};

let kinds: Map<number, string> | undefined;
export function kindNames(binaryen: Binaryen): Map<number, string> {
  if (kinds !== undefined) return kinds;
  const ids = binaryen as unknown as Record<string, number>;
  kinds = new Map(Object.keys(CHILDREN).map((name) => [ids[`${name}Id`], name]));
  return kinds;
}

/**
 * A path's cost so far, per nesting level: [0] the function's straight-line
 * code, [i] the i-th enclosing loop's current iteration; null where no path
 * reaches (after a branch, a return or an unreachable).
 */
type Costs = number[] | null;

/** The most either path may have cost, level by level (the two have the same levels). */
function merge(a: Costs, b: Costs): Costs {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return a;
  return a.map((x, i) => Math.max(x, b[i]!));
}

interface Label { depth: number; loop: boolean; reached: Costs }
type Walk = { tasks: Array<() => void>; visit(expr: number, slot: Omit<Slot, 'expr'>): void };

/**
 * Weighs one function body; `imported` names the module's imported functions,
 * and `calleeWeight` what a direct call to a function of the module adds
 * beyond CALL_WEIGHT (a light leaf's own nodes, see instrument.ts).
 *
 * A weight is the costliest path, not the sum of every node: an `if` costs its
 * condition and its dearer arm, a `br_table` the case it jumps to and what
 * follows it. An interpreter's dispatch loop (StarlingMonkey's has cases
 * summing to ~30 000 nodes) then weighs its longest case, a few hundred,
 * rather than all of them at every step. The walk runs in execution order
 * with the cost of the path so far per nesting level; a branch carries it to
 * its label, and a label's end takes the most of what reached it. Each
 * level's weight is the most its path ever reached, since costs only grow.
 * The subtrees rooted at `free` weigh nothing: instrument-regions.ts charges
 * them where they start.
 */
export function weighFunction(binaryen: Binaryen, body: number, imported: ReadonlySet<string>, calleeWeight: (target: string) => number = () => 0,
  free: ReadonlySet<number> = new Set()): FunctionWeights {
  const names = kindNames(binaryen);
  const w: FunctionWeights = { loops: [], exits: [], entryWeight: 0, calls: false, callCount: 0, bulk: [], directCalls: [], importCalls: [] };
  const open: number[] = []; // indices in w.loops of the loops around the walk, innermost last
  const labels = new Map<string, Label>();
  let cur: Costs = [0];
  let freeDepth = 0; // inside a subtree of `free`, nodes weigh nothing (they are charged elsewhere)
  const add = (weight: number) => {
    if (cur === null || freeDepth > 0) return;
    const level = cur.length - 1;
    const total = (cur[level]! += weight);
    if (level === 0) w.entryWeight = Math.max(w.entryWeight, total);
    else { const site = w.loops[open[level - 1]!]!; site.weight = Math.max(site.weight, total); }
  };
  const walk: Walk = { tasks: [], visit: (expr, slot) => {
    const { kind, info, weight, exits, children } = inspect(binaryen, names, w, expr, slot, (k, i) => callWeight(w, k, i, expr, imported, calleeWeight, open.at(-1) ?? -1));
    const { tasks } = walk;
    if (free.has(expr)) {
      freeDepth++;
      tasks.push(() => { freeDepth--; });
    }
    const bind = (name: string | null | undefined, label: Omit<Label, 'reached'>, end: () => void) => {
      const saved = name ? labels.get(name) : undefined;
      if (name) labels.set(name, { ...label, reached: null });
      tasks.push(() => { if (name) { cur = label.loop ? cur : merge(cur, labels.get(name)!.reached); if (saved) labels.set(name, saved); else labels.delete(name); } end(); });
    };
    if (kind === 'Block') {
      add(weight);
      bind(info.name as string | null, { depth: open.length, loop: false }, () => {});
    } else if (kind === 'Loop') {
      add(weight);
      const entry = cur ?? new Array<number>(open.length + 1).fill(0);
      bind(info.name as string | null, { depth: open.length, loop: true }, () => { open.pop(); cur = cur === null ? null : cur.slice(0, -1); });
      open.push(w.loops.length);
      w.loops.push({ slot: { expr, ...slot }, weight: 0 });
      cur = [...entry, 0];
    } else if (kind === 'If') {
      return visitIf(walk, children, () => cur, (c) => { cur = c; }, () => add(weight));
    } else {
      tasks.push(() => {
        add(weight);
        if (kind === 'Break' || kind === 'Switch') {
          const targets = kind === 'Break' ? [info.name as string] : [...(info.names as string[]), info.defaultName as string];
          for (const target of targets) reach(labels.get(target), cur);
        }
        if (exits || ENDS.has(kind) || (kind === 'Break' && info.condition === 0) || kind === 'Switch') cur = null;
      });
      if (kind === 'Try') return visitTry(walk, children, () => cur, (c) => { cur = c; }, (level) => (level === 0 ? w.entryWeight : w.loops[open[level - 1]!]!.weight));
    }
    for (const [child, at] of children.reverse()) tasks.push(() => walk.visit(child, at));
  } };
  walk.visit(body, { parent: 0, parentKind: '', field: 'body', index: -1 });
  while (walk.tasks.length > 0) walk.tasks.pop()!();
  for (const site of w.loops) site.weight = Math.max(1, site.weight);
  w.entryWeight = Math.max(1, w.entryWeight);
  return w;
}

/** One node: its kind (refusing one the pass does not know), what it weighs, and the bookkeeping of bulk memory and exits. */
function inspect(binaryen: Binaryen, names: Map<number, string>, w: FunctionWeights, expr: number, slot: Omit<Slot, 'expr'>,
  surcharge: (kind: string, info: Record<string, unknown>) => number) {
  const id = binaryen.getExpressionId(expr);
  const kind = names.get(id);
  if (kind === undefined) throw new Error(`instrument: expression kind ${id} is not supported by the fairness pass, so its loops could not be counted`);
  const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, unknown>;
  const weight = 1 + surcharge(kind, info);
  if (BULK_KINDS.has(kind)) w.bulk.push({ expr, ...slot });
  const exits = kind === 'Return' || info.isReturn === true;
  if (exits) w.exits.push({ expr, ...slot });
  return { kind, info, weight, exits, children: childrenOf(kind, info, expr) };
}

/** Kinds after which no path goes on. */
const ENDS: ReadonlySet<string> = new Set(['Unreachable', 'Throw', 'Rethrow']);

/** A branch to `label` carries the path's cost there (a branch back to a loop's header ends an iteration: nothing to carry). */
function reach(label: Label | undefined, cur: Costs): void {
  if (label === undefined || label.loop || cur === null) return;
  label.reached = merge(label.reached, cur.slice(0, label.depth + 1));
}

/** The surcharge of a call (and the bookkeeping of calls); 0 for any other kind. */
function callWeight(w: FunctionWeights, kind: string, info: Record<string, unknown>, expr: number, imported: ReadonlySet<string>,
  calleeWeight: (target: string) => number, owner: number): number {
  if (kind !== 'Call' && kind !== 'CallIndirect') return 0;
  w.calls = true;
  w.callCount++;
  if (kind === 'Call') {
    const target = info.target as string;
    if (imported.has(target)) w.importCalls.push({ expr, target });
    else w.directCalls.push({ owner, target });
  }
  return callSurcharge(kind, info, imported, calleeWeight);
}

/** What a node weighs beyond 1: a call CALL_WEIGHT (plus a light callee's nodes), into JavaScript IMPORT_CALL_WEIGHT. */
export function callSurcharge(kind: string, info: Record<string, unknown>, imported: ReadonlySet<string>, calleeWeight: (target: string) => number): number {
  if (kind === 'CallIndirect') return CALL_WEIGHT;
  if (kind !== 'Call') return 0;
  const target = info.target as string;
  return imported.has(target) ? IMPORT_CALL_WEIGHT : CALL_WEIGHT + calleeWeight(target);
}

function childrenOf(kind: string, info: Record<string, unknown>, expr: number): Array<[number, Omit<Slot, 'expr'>]> {
  const children: Array<[number, Omit<Slot, 'expr'>]> = [];
  for (const field of CHILDREN[kind]!) {
    const value = info[field];
    if (Array.isArray(value)) (value as number[]).forEach((child, index) => children.push([child, { parent: expr, parentKind: kind, field, index }]));
    else if (typeof value === 'number' && value !== 0) children.push([value, { parent: expr, parentKind: kind, field, index: -1 }]);
  }
  return children;
}

type Children = Array<[number, Omit<Slot, 'expr'>]>;

/** `if`: the condition, then each arm from the same cost; after it, the dearer of the two. */
function visitIf(walk: Walk, children: Children, get: () => Costs, set: (c: Costs) => void, self: () => void): void {
  const [condition, ifTrue, ifFalse] = children;
  const copy = (c: Costs) => (c === null ? null : [...c]);
  let start: Costs = null;
  let thenEnd: Costs = null;
  walk.tasks.push(() => set(merge(thenEnd, get())));
  if (ifFalse !== undefined) walk.tasks.push(() => walk.visit(...ifFalse));
  walk.tasks.push(() => { thenEnd = get(); set(copy(start)); });
  walk.tasks.push(() => walk.visit(...ifTrue!));
  walk.tasks.push(() => { self(); start = copy(get()); });
  walk.tasks.push(() => walk.visit(...condition!));
}

/**
 * `try`: the body, then each catch from the body's costliest point (an
 * exception may leave it anywhere); after it, the dearest way out.
 */
function visitTry(walk: Walk, children: Children, get: () => Costs, set: (c: Costs) => void, peak: (level: number) => number): void {
  const [body, ...catches] = children;
  let start: Costs = null;
  let out: Costs = null;
  walk.tasks.push(() => set(merge(out, get())));
  for (const handler of catches.reverse()) {
    walk.tasks.push(() => walk.visit(...handler));
    walk.tasks.push(() => { out = merge(out, get()); set(start === null ? null : [...start.slice(0, -1), peak(start.length - 1)]); });
  }
  walk.tasks.push(() => walk.visit(...body!));
  walk.tasks.push(() => { start = get() === null ? null : [...get()!]; });
}
