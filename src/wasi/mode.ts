// How block and poll wait. Under JSPI the guest suspends and the event loop runs
// on; without it (Node < 24.21), the thread sleeps with Atomics.wait, which is
// correct for one actor at a time only.

export type ExecutionMode = 'jspi' | 'sync';

const wasm = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;

/** Whether this Node has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export const jspiAvailable: boolean =
  typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function';

/** The mode to run in: JSPI when available, unless sync is asked for. */
export function resolveMode(requested: ExecutionMode | 'auto' = 'auto', available = jspiAvailable): ExecutionMode {
  if (requested === 'sync') return 'sync';
  if (requested === 'jspi' && !available) {
    throw new Error('mode "jspi" was requested, but this Node has no WebAssembly.Suspending (JSPI needs Node >= 24.21)');
  }
  return available ? 'jspi' : 'sync';
}
