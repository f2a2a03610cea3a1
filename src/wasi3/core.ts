/*
 * The fast path for WASI 0.3 clocks: serve the core module's sync-lowered
 * monotonic-clock imports ourselves, at the core level, instead of through the
 * p3 glue's trampolines.
 *
 * Why: jco-transpile 0.15.0's glue wraps every host call in its component-model
 * task machinery (createNewCurrentTask, task.enter, _withGlobalCurrentTaskMeta,
 * _trackHostOperation, and a _debugLog that reads process.env.JCO_DEBUG on every
 * call) and drives async host calls from setTimeout cadences. For a guest that
 * lowers `wait-for`/`wait-until` synchronously (a plain core import that returns
 * when the wait is over) none of that is needed: the core function has the
 * canonical ABI's fixed signature, (i64) -> () for the waits and () -> i64 for
 * `now` and `get-resolution`, so we hand the core module a function of our own:
 * a WebAssembly.Suspending one for the waits, resolved by the wheel's expiry.
 *
 * What is pinned (docs/P3.md; test/wasi3/core.test.ts fails when it changes):
 * the glue calls `instantiateCore(module, { '<iface>@<version>': { '<wit name>': f } })`
 * with the versioned interface name as the core module name and the WIT function
 * name as the field name, as the canonical ABI names the core imports. Only those
 * names are replaced; `[async-lower]…` imports, the `[waitable-set-…]` built-ins
 * and every other import stay the glue's.
 *
 * system-clock@0.3.x `now` returns a record, so its core function takes a return
 * pointer: (i32) -> (), the instant written there as the canonical ABI lays out
 * `record { seconds: s64, nanoseconds: u32 }` (size 16, align 8: seconds at +0,
 * nanoseconds at +8). Ours writes it into the memory the module exports, which
 * exists only once the instance does: `buffer` is read at call time.
 */
import { MONOTONIC_KEY, P3_CORE, SYSTEM_KEY, type P3CoreMonotonicClock, type P3CoreSystemClock } from './clocks.ts';

type CoreImports = Record<string, Record<string, unknown>>;

interface JspiApi {
  Suspending: new (fn: (...args: never[]) => unknown) => object;
}
const wasm = (globalThis as unknown as { WebAssembly: Partial<JspiApi> }).WebAssembly;

/** The core module names this applies to: monotonic-clock and system-clock at any 0.3.x. */
const MONOTONIC_P3 = /^wasi:clocks\/monotonic-clock@0\.3\.\d+$/;
const SYSTEM_P3 = /^wasi:clocks\/system-clock@0\.3\.\d+$/;
const SYNC_NAMES = ['now', 'get-resolution'] as const;
const WAIT_NAMES = ['wait-for', 'wait-until'] as const;

/** The core-level functions an import object carries (our handlers' do), or null. */
export function coreClocksOf(imports: Record<string, object | undefined>): P3CoreMonotonicClock | null {
  const monotonic = imports[MONOTONIC_KEY] as { [P3_CORE]?: P3CoreMonotonicClock } | undefined;
  return monotonic?.[P3_CORE] ?? null;
}

/**
 * `core` with the sync-lowered monotonic-clock@0.3.x imports replaced by `clocks`'
 * own (the waits wrapped in WebAssembly.Suspending when `jspi`). Returns `core`
 * itself when it has none of them; never mutates it. Counts the replacements in
 * `replaced` (for tests and the bench).
 */
export function withP3CoreImports(core: CoreImports | undefined, clocks: P3CoreMonotonicClock | null, jspi: boolean, replaced?: { count: number }): CoreImports | undefined {
  // The glue instantiates its shim modules with no imports at all.
  if (clocks === null || core === undefined) return core;
  return rewriteModules(core, MONOTONIC_P3, (fields, next) => {
    let changed = 0;
    for (const name of SYNC_NAMES) {
      if (typeof fields[name] !== 'function') continue;
      next[name] = clocks[name];
      changed++;
    }
    for (const name of WAIT_NAMES) {
      if (typeof fields[name] !== 'function' && typeof fields[name] !== 'object') continue;
      next[name] = jspi ? suspending(clocks[name]) : clocks[name];
      changed++;
    }
    return changed;
  }, replaced);
}

/** The core-level system clock an import object carries (our handlers' do), or null. */
export function systemClockOf(imports: Record<string, object | undefined>): P3CoreSystemClock | null {
  const system = imports[SYSTEM_KEY] as { [P3_CORE]?: P3CoreSystemClock } | undefined;
  return system?.[P3_CORE] ?? null;
}

/**
 * `core` with the system-clock@0.3.x `now` and `get-resolution` replaced by `clock`'s,
 * `now` writing into `buffer()` (the instance's memory, read at call time). Returns
 * `core` itself when there is nothing to replace; never mutates it.
 */
export function withSystemClockCore(core: CoreImports | undefined, clock: P3CoreSystemClock | null, buffer: () => ArrayBuffer, replaced?: { count: number }): CoreImports | undefined {
  if (clock === null || core === undefined) return core;
  return rewriteModules(core, SYSTEM_P3, (fields, next) => {
    let changed = 0;
    if (typeof fields.now === 'function') {
      next.now = (retptr: number): void => {
        const { seconds, nanoseconds } = clock.now();
        const view = new DataView(buffer());
        view.setBigInt64(retptr, seconds, true);
        view.setUint32(retptr + 8, nanoseconds, true);
      };
      changed++;
    }
    if (typeof fields['get-resolution'] === 'function') {
      next['get-resolution'] = clock['get-resolution'];
      changed++;
    }
    return changed;
  }, replaced);
}

/**
 * `core` with each module whose name matches `pattern` copied and handed to
 * `rewrite` (which returns how many fields it replaced); `core` itself when none
 * changed. Never mutates it.
 */
function rewriteModules(core: CoreImports, pattern: RegExp, rewrite: (fields: Record<string, unknown>, next: Record<string, unknown>) => number, replaced?: { count: number }): CoreImports {
  let out: CoreImports | null = null;
  for (const [module, fields] of Object.entries(core)) {
    if (!pattern.test(module)) continue;
    const next: Record<string, unknown> = { ...fields };
    const changed = rewrite(fields as Record<string, unknown>, next);
    if (changed === 0) continue;
    out ??= { ...core };
    out[module] = next;
    if (replaced !== undefined) replaced.count += changed;
  }
  return out ?? core;
}

function suspending(fn: (value: bigint) => unknown): object {
  if (wasm.Suspending === undefined) throw new Error('WASI 0.3 waits need JSPI (WebAssembly.Suspending): Node >= 24.21');
  return new wasm.Suspending(fn);
}
