/*
 * `theater:simple/actor#init` of a WASI 0.3 component, lifted by us instead of
 * by jco-transpile's glue (docs/P3.md, "the export").
 *
 * Why: the p3 glue builds its component-model machinery per instance (classes
 * and closures made inside `instantiate`, so every instance's first calls run
 * cold) and wraps each export call in a task: createNewCurrentTask, an
 * `await task.enter()` before the guest runs, _withGlobalCurrentTaskMetaAsync,
 * task.resolve/exit after. Measured on a fleet of 1 000 p3 sleepers that was
 * ~300 µs of CPU per init (against ~50 µs for a p2 init), and because the glue
 * awaits before it enters the guest, our admission (thread/admission.ts) saw
 * every init "return" before its guest had started, so the fleet's starts were
 * not paced with the wake-ups. For a guest whose init is a plain sync export
 * and which uses none of the async built-ins (no `[async-lower]…`, waitable
 * sets, `[task-return]…`, `[async-lift]…`), no task is needed: the glue's own
 * import lowerings cope with having no current task (they make one), so we
 * call the core export through WebAssembly.promising and lift its result.
 *
 * The signature is Theater's: init(state: option<list<u8>>) ->
 * result<tuple<option<list<u8>>>, string>, flattened by the canonical ABI to
 * (is_some: i32, ptr: i32, len: i32) -> i32, the i32 pointing at
 *   [0] u8 0 ok | 1 err;  ok: [4] u8 option tag, [8] ptr, [12] len;  err: [4] ptr, [8] len.
 */
import { tooLargeTrap } from '../base/trap.ts';
import { MAX_STATE_BYTES } from '../base/units.ts';

export const INIT_EXPORT = 'theater:simple/actor#init';

/** A guest's `err(e)`: what jco 1.11.2 throws for p2 actors, so runtime/actor.ts reads both alike. */
export class ComponentError extends Error {
  readonly payload: string;
  constructor(payload: string) {
    super(payload);
    this.payload = payload;
  }
}

interface WasmMemory { readonly buffer: ArrayBuffer }
interface InitApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  promising(fn: (...args: number[]) => number): (...args: number[]) => Promise<number>;
}
const wasm = (globalThis as unknown as { WebAssembly: InitApi }).WebAssembly;

export type InitFn = (state?: Uint8Array | null) => Promise<[Uint8Array | undefined]>;

/** Names of core imports and exports that mean the guest uses the component model's async machinery. */
export function usesAsyncBuiltins(names: Iterable<string>): boolean {
  for (const name of names) if (name.startsWith('[')) return true;
  return false;
}

/** Our init over a core instance's exports; null when they lack the init export or a memory. */
export function liftInit(exports: Record<string, unknown>): InitFn | null {
  const core = exports[INIT_EXPORT];
  const memory = exports.memory;
  if (typeof core !== 'function' || !(memory instanceof wasm.Memory)) return null;
  const realloc = exports.cabi_realloc as ((a: number, b: number, c: number, d: number) => number) | undefined;
  const post = exports[`cabi_post_${INIT_EXPORT}`] as ((ret: number) => void) | undefined;
  const call = wasm.promising(core as (...args: number[]) => number);
  const decoder = new TextDecoder();
  return async (state) => {
    let args = [0, 0, 0];
    if (state !== undefined && state !== null) {
      if (typeof realloc !== 'function') throw new TypeError('the component exports no cabi_realloc: it cannot be given a state');
      const ptr = realloc(0, 0, 1, state.length);
      new Uint8Array(memory.buffer, ptr, state.length).set(state);
      args = [1, ptr, state.length];
    }
    const ret = await call(...args);
    const view = new DataView(memory.buffer);
    const tag = view.getUint8(ret);
    let result: [Uint8Array | undefined] | ComponentError;
    if (tag === 0) {
      const some = view.getUint8(ret + 4);
      if (some > 1) throw new TypeError('invalid variant discriminant for option');
      const [ptr, len] = [view.getUint32(ret + 8, true), view.getUint32(ret + 12, true)];
      if (some === 1 && len > MAX_STATE_BYTES) throw tooLargeTrap('state', len); // before the copy
      result = [some === 0 ? undefined : new Uint8Array(memory.buffer.slice(ptr, ptr + len))];
    } else if (tag === 1) {
      const [ptr, len] = [view.getUint32(ret + 4, true), view.getUint32(ret + 8, true)];
      if (len > MAX_STATE_BYTES) throw tooLargeTrap('err', len); // before the string is built
      result = new ComponentError(decoder.decode(new Uint8Array(memory.buffer, ptr, len)));
    } else {
      throw new TypeError('invalid variant discriminant for expected');
    }
    post?.(ret);
    if (result instanceof ComponentError) throw result;
    return result;
  };
}
