// One measurement of spawn cost and memory per live sleeper, in a fresh process
// (bench/spawn.bench.ts runs it): `node --expose-gc bench/spawn-child.ts <actor|floor> <n>`.
//   actor  n sleepers through Actor.spawn (the bench path), each init started and
//          suspended in a 10 s sleep
//   floor  n raw `new WebAssembly.Instance` of the same (instrumented) core module, stub imports
//   suspended  V8's floor for a sleeping guest: n instances of a 1-page module that touches
//          its memory and suspends through JSPI (`WebAssembly.promising` export calling a
//          `WebAssembly.Suspending` import whose Promise never settles): no glue, no host
// Prints one JSON line: spawn wall ms (the synchronous part), CPU ms until all are
// suspended, RSS and mappings once all are live.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { Actor } from '../src/runtime/actor.ts';
import { transpileComponent } from '../src/component/transpile.ts';
import { sleepState } from './support.ts';
import { applyFleetV8Flags } from '../src/runtime/gc-flags.ts';

// As the CLI's process: when V8 collects follows the heap, not each 64 MiB of wasm memories.
applyFleetV8Flags();

interface WasmApi {
  Instance: new (module: object, imports: object) => object;
  Memory: new (descriptor: { initial: number }) => object;
  Table: new (descriptor: { initial: number; element: string }) => object;
  Global: new (descriptor: { value: string; mutable: boolean }, value: number) => object;
  Module: { new (bytes: Uint8Array): object; imports(module: object): Array<{ module: string; name: string; kind: string }> };
  Suspending: new (fn: () => Promise<number>) => object;
  promising: (fn: unknown) => () => Promise<number>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const [mode, count] = [process.argv[2], Number(process.argv[3] ?? 1)];
const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'test-actors', 'build', 'sleeper.wasm')));
const component = await transpileComponent(bytes, { mode: 'jspi', cacheDir: false, instrument: true });
const maps = () => readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1;
const rss = () => Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
const heap = () => process.memoryUsage().heapUsed;

/**
 * (module (import "h" "wait" (func (result i32))) (memory 1)
 *   (func (export "run") (result i32) (i32.store (i32.const 0) (i32.const 1)) (call 0)))
 */
const SUSPENDING_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
  0x02, 0x0a, 0x01, 0x01, 0x68, 0x04, 0x77, 0x61, 0x69, 0x74, 0x00, 0x00, // import h.wait
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // memory, 1 page
  0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01, // export "run" = function 1
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x41, 0x00, 0x41, 0x01, 0x36, 0x02, 0x00, 0x10, 0x00, 0x0b, // body
]);
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

function stubs(module: object): object {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const i of wasm.Module.imports(module)) {
    const value = i.kind === 'function' ? () => 0
      : i.kind === 'memory' ? new wasm.Memory({ initial: 1 })
      : i.kind === 'table' ? new wasm.Table({ initial: 16, element: 'anyfunc' })
      : new wasm.Global({ value: 'i32', mutable: true }, 0);
    (imports[i.module] ??= {})[i.name] = value;
  }
  return imports;
}

globalThis.gc?.();
await settle();
const [maps0, rss0, heap0] = [maps(), rss(), heap()];
const keep: unknown[] = [];
let spawnMs: number;
/** Sleepers suspended in block now (the floor's instances count as suspended at once). */
let waiting = (): number => count;
const cpu0 = process.cpuUsage();
if (mode === 'floor') {
  const modules = [...component.coreModules.values()] as object[];
  const imports = modules.map(stubs);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) for (let m = 0; m < modules.length; m++) keep.push(new wasm.Instance(modules[m]!, imports[m]!));
  spawnMs = performance.now() - t0;
} else if (mode === 'suspended') {
  const module = new wasm.Module(SUSPENDING_MODULE);
  // The resolvers are kept, as a host keeps a sleeper's: the suspended stacks stay reachable.
  const wait = new wasm.Suspending(() => new Promise<number>((resolve) => { keep.push(resolve); }));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const instance = new wasm.Instance(module, { h: { wait } }) as { exports: { run: unknown } };
    keep.push(wasm.promising(instance.exports.run)());
  }
  spawnMs = performance.now() - t0;
} else {
  const registry = new HandlerRegistry();
  const handler = new TimingHandler({ min_sleep_duration: 0 }, null, { mode: 'jspi' });
  registry.register(handler);
  waiting = () => handler.runtime.waits.size;
  const state = sleepState(10_000_000_000n);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const actor = Actor.spawn(component, registry, { id: `s${i}`, record: false });
    keep.push(actor, actor.init(state));
  }
  spawnMs = performance.now() - t0;
}
// Each init instantiates and runs to its first block in its own task: the CPU time until all
// are suspended (the process is otherwise idle; GC threads count too) is the spawn's real cost.
// On a loaded machine that takes longer than any fixed pause: wait until every sleeper waits.
await settle();
for (const until = performance.now() + 60_000; waiting() < count && performance.now() < until;) await settle();
if (waiting() < count) throw new Error(`spawn-child: only ${waiting()} of ${count} sleepers suspended after 60 s`);
const used = process.cpuUsage(cpu0);
const cpuMs = (used.user + used.system) / 1000;
globalThis.gc?.();
await settle();
process.stdout.write(`${JSON.stringify({ mode, count, spawnMs, cpuMs, rssMb: (rss() - rss0) / 2 ** 20, heapMb: (heap() - heap0) / 2 ** 20, mappings: maps() - maps0, execArgv: process.execArgv })}\n`);
process.exit(0);
