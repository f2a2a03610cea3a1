/*
 * Static weights for the fairness pass (instrument.ts): how much fuel one pass
 * through a loop body, or one entry into a function, costs.
 *
 * A weight is the number of expression nodes the code runs once, with the
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
  Loop: { getBody(loop: number): number; setBody(loop: number, body: number): void };
  Function: { getBody(func: number): number; setBody(func: number, body: number): void };
  _BinaryenFunctionAddVar(func: number, type: number): number;
  Call: { setTarget(call: number, target: string): void };
  MemoryFill: BulkAccessors<'dest' | 'value' | 'size'>;
  MemoryCopy: BulkAccessors<'dest' | 'source' | 'size'>;
  MemoryInit: BulkAccessors<'dest' | 'offset' | 'size'>;
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
const CHILDREN: Record<string, readonly string[]> = {
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
function kindNames(binaryen: Binaryen): Map<number, string> {
  if (kinds !== undefined) return kinds;
  const ids = binaryen as unknown as Record<string, number>;
  kinds = new Map(Object.keys(CHILDREN).map((name) => [ids[`${name}Id`], name]));
  return kinds;
}

/** Weighs one function body; `imported` names the module's imported functions. */
export function weighFunction(binaryen: Binaryen, body: number, imported: ReadonlySet<string>): FunctionWeights {
  const names = kindNames(binaryen);
  const loops: LoopSite[] = [];
  const exits: Slot[] = [];
  let entryWeight = 0;
  let calls = false;
  const bulk: Slot[] = [];
  const directCalls: FunctionWeights['directCalls'] = [];
  const importCalls: ImportCall[] = [];
  // owner -1 is the function's straight-line code, otherwise an index in loops.
  const stack: Array<[expr: number, owner: number, slot: Omit<Slot, 'expr'>]> = [[body, -1, { parent: 0, parentKind: '', field: 'body', index: -1 }]];
  while (stack.length > 0) {
    const [expr, owner, slot] = stack.pop()!;
    const id = binaryen.getExpressionId(expr);
    const kind = names.get(id);
    if (kind === undefined) {
      throw new Error(`instrument: expression kind ${id} is not supported by the fairness pass, so its loops could not be counted`);
    }
    const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, unknown>;
    let weight = 1;
    if (kind === 'Call' || kind === 'CallIndirect') {
      calls = true;
      weight += kind === 'Call' && imported.has(info.target as string) ? IMPORT_CALL_WEIGHT : CALL_WEIGHT;
      if (kind === 'Call') {
        const target = info.target as string;
        if (imported.has(target)) importCalls.push({ expr, target });
        else directCalls.push({ owner, target });
      }
    }
    if (BULK_KINDS.has(kind)) bulk.push({ expr, ...slot });
    if (kind === 'Return' || info.isReturn === true) exits.push({ expr, ...slot });
    if (owner === -1) entryWeight += weight;
    else loops[owner]!.weight += weight;
    let childOwner = owner;
    if (kind === 'Loop') {
      childOwner = loops.length;
      loops.push({ slot: { expr, ...slot }, weight: 0 });
    }
    for (const field of CHILDREN[kind]!) {
      const value = info[field];
      if (Array.isArray(value)) {
        (value as number[]).forEach((child, index) => stack.push([child, childOwner, { parent: expr, parentKind: kind, field, index }]));
      } else if (typeof value === 'number' && value !== 0) {
        stack.push([value, childOwner, { parent: expr, parentKind: kind, field, index: -1 }]);
      }
    }
  }
  for (const site of loops) site.weight = Math.max(1, site.weight);
  return { loops, exits, entryWeight: Math.max(1, entryWeight), calls, bulk, directCalls, importCalls };
}
