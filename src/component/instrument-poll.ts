/*
 * The poll part of the fairness pass (instrument.ts): the length of a
 * wasi:io/poll `poll` list is checked in the guest, before the call leaves it.
 * The jco glue lifts the whole list (a handle lookup and an object per entry)
 * before the host's poll runs, so a check in the host alone comes after the
 * harm: 100 M entries held the thread for 12.3 s. Every direct call to the
 * poll import goes through a guard instead:
 *
 *   (func $theater$poll_guard (param $list i32) (param $len i32) (param $ret i32)
 *     (if (i32.gt_u (local.get $len) (i32.const MAX_POLL_LIST))
 *       (then (call $poll_limit (local.get $len)) unreachable))   ;; the host traps
 *     (call $poll (local.get $list) (local.get $len) (local.get $ret)))
 *
 * A guest that reaches the import through a table (call_indirect) skips the
 * guard; the host's poll checks the length again (src/wasi/limits.ts).
 */
import type binaryenType from 'binaryen';
import { MAX_POLL_LIST } from '../wasi/limits.ts';
import type { Binaryen, ImportCall } from './weigh.ts';

type Module = binaryenType.Module;

/** The import the guard calls for a list over MAX_POLL_LIST: `theater:timing/yield` `poll-limit(len)`, which traps. */
export const POLL_LIMIT_IMPORT = 'poll-limit';
const POLL_LIMIT = 'theater$poll_limit';
const POLL_MODULE = /^wasi:io\/poll@0\.2\.\d+$/;

/** Guards the module's poll imports; returns how many calls now go through a guard. */
export function guardPoll(binaryen: Binaryen, module: Module, imports: readonly string[], calls: readonly ImportCall[], yieldModule: string): number {
  const i32 = binaryen.i32;
  const params = binaryen.createType([i32, i32, i32]);
  const guards = new Map<string, string>();
  for (const name of imports) {
    const info = binaryen.getFunctionInfo(module.getFunction(name));
    if (info.base !== 'poll' || !POLL_MODULE.test(info.module ?? '') || info.params !== params || info.results !== binaryen.none) continue;
    if (guards.size === 0) module.addFunctionImport(POLL_LIMIT, yieldModule, POLL_LIMIT_IMPORT, i32, binaryen.none);
    const guard = `theater$poll_guard${guards.size}`;
    const arg = (i: number) => module.local.get(i, i32);
    module.addFunction(guard, params, binaryen.none, [], module.block(null, [
      module.if(module.i32.gt_u(arg(1), module.i32.const(MAX_POLL_LIST)), module.block(null, [
        module.call(POLL_LIMIT, [arg(1)], binaryen.none),
        module.unreachable(),
      ])),
      module.call(name, [arg(0), arg(1), arg(2)], binaryen.none),
    ]));
    guards.set(name, guard);
  }
  let guarded = 0;
  for (const call of calls) {
    const guard = guards.get(call.target);
    if (guard === undefined) continue;
    binaryen.Call.setTarget(call.expr, guard);
    guarded++;
  }
  return guarded;
}
