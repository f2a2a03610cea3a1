/*
 * The export part of the fairness pass (instrument.ts): every function export
 * sets the may_suspend global for its duration (1 for the exports jco enters
 * through WebAssembly.promising, 0 for the rest) and restores the caller's
 * value on return, so the yield import is only ever called from a frame that
 * can suspend.
 */
import type binaryenType from 'binaryen';
import type { Binaryen } from './weigh.ts';

type Module = binaryenType.Module;

export interface WrappedExport {
  name: string;
  maySuspend: boolean;
}

/** Every function export sets may_suspend for its duration; none do when no export is async. */
export function wrapExports(binaryen: Binaryen, module: Module, asyncExports: readonly string[], maySuspendGlobal: string): WrappedExport[] {
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
      module.local.set(saved, module.global.get(maySuspendGlobal, i32)),
      module.global.set(maySuspendGlobal, module.i32.const(maySuspend ? 1 : 0)),
      hasResult ? module.local.set(result, call) : call,
      module.global.set(maySuspendGlobal, module.local.get(saved, i32)),
      ...(hasResult ? [module.local.get(result, info.results)] : []),
    ], info.results));
    module.removeExport(name);
    module.addFunctionExport(wrapper, name);
    return { name, maySuspend };
  });
}
