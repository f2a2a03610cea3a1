// Over 200 lines: the memo, the disk cache and instantiate share one recipe and key (cache files: transpile-cache.ts).
/*
 * Transpile a component with jco, once, and instantiate it many times.
 *
 * How: jco (in-process, `--instantiation async`) turns the component into an
 * ES module glue plus core modules. We compile the core modules once into
 * `WebAssembly.Module`s, and each `instantiateSync` runs the glue with a
 * synchronous `instantiateCore` (new WebAssembly.Instance), so one instance
 * costs no transpile, no compile and no microtask.
 *
 * Fairness: unless `instrument: false`, every core module goes through the
 * fairness pass (instrument.ts) before it is compiled, so a guest gives the
 * thread back every few milliseconds; `instantiateCore` supplies the
 * `theater:timing/yield` imports the pass adds (yield-imports.ts).
 *
 * Caching, two levels, both keyed by the SHA-256 of (format, jco version, mode,
 * async import/export lists, instrumentation format, component bytes):
 *   memory: one Promise per key per process, so N concurrent callers share one
 *           transpile;
 *   disk:   <cacheDir>/<key>/, see transpile-cache.ts: written atomically, and
 *           checked on load against an HMAC under the folder's own key; a
 *           damaged or altered entry is regenerated and rewritten. A folder
 *           that others could write is not used (cache-folder.ts).
 * The default cacheDir is per user (see defaultCacheDir); `cacheDir: false`
 * keeps everything in memory. The glue is imported from a data: URL of the
 * exact text that was generated or verified.
 *
 * Import keys: jco 1.11.2 reads imports without the version
 * (imports['wasi:io/poll']), so one import object serves every wasi 0.2.x.
 *
 * WASI 0.3 (wasi-preview.ts tells): jco 1.11.2 cannot read a p3 component, so
 * those go to jco-transpile 0.15.0 (package alias jco-transpile-p3), pinned; its
 * version is in the cache key like jco's. The glue it generates keeps its own
 * component-model task machinery, except for the sync-lowered monotonic-clock
 * imports, which instantiateCore replaces with ours at the core level when the
 * glue has the shape this was written against (wasi3/core.ts, docs/P3.md).
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTRUMENT_FORMAT, instrumentCoreModule, YIELD_MODULE } from './instrument.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import { EventLoopSlice } from '../thread/slice.ts';
import { DEFAULT_MAX_HOLD_MS, HoldMeter } from '../thread/hold.ts';
import { importOptional, missingOptional } from './optional-deps.ts';
import { readEntry, writeEntry, type EntryFiles, type EntryMeta } from './transpile-cache.ts';
import { openCacheFolder } from './cache-folder.ts';
import { yieldImports, type YieldImports } from './yield-imports.ts';
import { jspiAvailable, jspiMissing, type ExecutionMode } from '../wasi/mode.ts';
import { JSPI_FLAGS } from '../wasi/handoff.ts';
import { coreClocksOf, systemClockOf, withP3CoreImports, withSystemClockCore } from '../wasi3/core.ts';
import { wasiPreview, type WasiPreview } from './wasi-preview.ts';
import { hoistPrelude } from './glue-prelude.ts';
import { INIT_EXPORT, liftInit, usesAsyncBuiltins } from './p3-init.ts';

/** A compiled `WebAssembly.Module` (this project's TS libs carry no WebAssembly types). */
export type CoreModule = object;
type CoreImports = Record<string, Record<string, unknown>>;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<CoreModule>;
  Instance: new (module: CoreModule, imports?: CoreImports) => { exports: Record<string, unknown> };
  Module: { imports(module: CoreModule): Array<{ name: string }>; exports(module: CoreModule): Array<{ name: string; kind: string }> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface TranspileOptions {
  mode: ExecutionMode;
  /** Where transpiled glue is kept across processes; `false` for memory only. */
  cacheDir?: string | false;
  /** JSPI only: exports that may suspend. Default `['theater:simple/actor#init']`. */
  asyncExports?: readonly string[];
  /** JSPI only: imports that return a Promise. Default: poll and pollable.block. */
  asyncImports?: readonly string[];
  /** Add the fairness pass's fuel checks to the core modules (default true). */
  instrument?: boolean;
  /**
   * Default true: calls with the same bytes and options share one transpile in this
   * process. False: a transpile of its own, neither taken from nor kept in that memo
   * (as a new process would see it: the disk cache, else jco).
   */
  memo?: boolean;
}

export interface InstanceOptions {
  /** Meters the CPU time of the instance's calls (its max_cpu_ms) and names its hold limit (max_hold_ms). */
  meter?: RunMeter | null;
  /** The thread slice the fairness pass yields on (the runtime's: Thread.slice); default: the component's own. */
  slice?: EventLoopSlice;
}

/** Keyed by versionless interface name, e.g. `'wasi:io/poll'`. */
export type ImportObject = Record<string, object>;
/** Keyed by interface name, e.g. `'theater:simple/actor'`. */
export type ComponentExports = Record<string, unknown>;

export interface TranspiledComponent {
  readonly key: string;
  readonly mode: ExecutionMode;
  /** For p3: `jco-transpile <version>`. */
  readonly jcoVersion: string;
  /** The WASI the component was built for (its imports' versions). */
  readonly wasi: WasiPreview;
  /** p3: whether the sync-lowered monotonic-clock imports are served at the core level (wasi3/core.ts). */
  readonly coreClocks: boolean;
  /** p3: whether `theater:simple/actor#init` is called and lifted by us, not by the glue (p3-init.ts). */
  readonly liftsInit: boolean;
  readonly origin: 'generated' | 'disk';
  /** The import object keys the glue reads. */
  readonly importNames: readonly string[];
  readonly coreModules: ReadonlyMap<string, CoreModule>;
  getCoreModule(name: string): CoreModule;
  /** Whether the core modules carry the fairness pass's fuel checks. */
  readonly instrumented: boolean;
  instantiateSync<T = ComponentExports>(imports: ImportObject, options?: InstanceOptions): T;
  instantiate<T = ComponentExports>(imports: ImportObject, options?: InstanceOptions): Promise<T>;
}

export const DEFAULT_ASYNC_IMPORTS: readonly string[] = ['wasi:io/poll#poll', 'wasi:io/poll#[method]pollable.block'];
export const DEFAULT_ASYNC_EXPORTS: readonly string[] = ['theater:simple/actor#init'];
// 3: entries carry an HMAC under the folder's key (transpile-cache.ts), not bare hashes.
const FORMAT = 'theater-transpile-3';
/** The p3 transpiler this project's core-level clocks were written against (docs/P3.md). */
export const P3_TRANSPILER_VERSION = '0.15.0';
/**
 * What the p3 glue must look like for the core-level clocks: it instantiates a
 * core module with an import object whose module is the versioned monotonic-clock
 * (test/component/transpile-p3.test.ts pins it).
 */
export const P3_GLUE_SHAPE = /yield instantiateCore\(yield module\d+, \{[\s\S]*?'wasi:clocks\/monotonic-clock@0\.3\.\d+': \{/;

interface Glue {
  instantiate(
    getCoreModule: (name: string) => CoreModule,
    imports: ImportObject,
    instantiateCore: (module: CoreModule, imports: CoreImports) => object,
  ): ComponentExports | Promise<ComponentExports>;
}
interface Loaded { glue: Glue; meta: EntryMeta; modules: Map<string, CoreModule> }

const memo = new Map<string, Promise<TranspiledComponent>>();
let version: string | undefined;
let p3Version: string | undefined;

/** The version of jco-transpile, the p3 transpiler (package jco-transpile-p3, optional like jco). */
export function p3TranspilerVersion(): string {
  const installed = installedP3TranspilerVersion();
  if (installed === null) throw missingOptional('jco-transpile-p3');
  return installed;
}

/** The installed p3 transpiler's version, or null when it is not installed. */
export function installedP3TranspilerVersion(): string | null {
  if (p3Version === undefined) {
    let entry: string;
    try {
      entry = fileURLToPath(import.meta.resolve('jco-transpile-p3/wasm-tools'));
    } catch {
      return null;
    }
    p3Version = (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  }
  return p3Version;
}

const transpilerOf = (wasi: WasiPreview): string => (wasi === 'p3' ? `jco-transpile ${p3TranspilerVersion()}` : jcoVersion());

/** The version of jco that transpiles; throws when jco (an optional dependency) is not installed. */
export function jcoVersion(): string {
  const installed = installedJcoVersion();
  if (installed === null) throw missingOptional('@bytecodealliance/jco');
  return installed;
}

/** The installed jco's version, or null when jco is not installed. */
export function installedJcoVersion(): string | null {
  version ??= readJcoVersion((specifier) => import.meta.resolve(specifier)) ?? undefined;
  return version ?? null;
}

/** jco's version where `resolveSpecifier` finds jco, or null where it finds none. */
export function readJcoVersion(resolveSpecifier: (specifier: string) => string): string | null {
  let entry: string;
  try {
    entry = fileURLToPath(resolveSpecifier('@bytecodealliance/jco'));
  } catch {
    return null;
  }
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Where transpiled glue is kept across processes and projects (entries are keyed
 * by content, jco version and format, so sharing is safe): $THEATER_TIMING_CACHE,
 * else $XDG_CACHE_HOME/theater-handler-timing/transpiled, else ~/.cache/….
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.THEATER_TIMING_CACHE) return resolve(env.THEATER_TIMING_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'theater-handler-timing', 'transpiled');
}

export function transpileComponent(bytes: Uint8Array, options: TranspileOptions): Promise<TranspiledComponent> {
  if (options?.mode !== 'jspi' && options?.mode !== 'sync') {
    const mode: unknown = options?.mode;
    return Promise.reject(new TypeError(`transpileComponent: options.mode must be 'jspi' or 'sync', got ${JSON.stringify(mode)} (${typeof mode})`));
  }
  // jco's JSPI glue would fail later, on `new WebAssembly.Suspending`, with a bare TypeError.
  if (options.mode === 'jspi' && !jspiAvailable) return Promise.reject(new Error(`transpileComponent: ${jspiMissing()}`));
  const problem = checkComponentBytes(bytes);
  if (problem !== null) return Promise.reject(new TypeError(`transpileComponent: ${problem}`));
  let wasi: WasiPreview;
  try {
    wasi = wasiPreview(bytes);
  } catch (error) {
    return Promise.reject(error instanceof Error ? new TypeError(`transpileComponent: ${error.message}`) : error);
  }
  if (wasi === 'p3' && options.mode !== 'jspi') {
    return Promise.reject(new TypeError('transpileComponent: a WASI 0.3 component waits by suspending: it needs mode "jspi" (JSPI, Node >= 24.21)'));
  }
  if (wasi === 'p2' && installedJcoVersion() === null) return Promise.reject(missingOptional('@bytecodealliance/jco'));
  if (wasi === 'p3' && installedP3TranspilerVersion() === null) return Promise.reject(missingOptional('jco-transpile-p3'));
  const jspi = options.mode === 'jspi';
  const asyncImports = jspi ? [...(options.asyncImports ?? DEFAULT_ASYNC_IMPORTS)].sort() : [];
  const asyncExports = jspi ? [...(options.asyncExports ?? DEFAULT_ASYNC_EXPORTS)].sort() : [];
  const instrument = options.instrument !== false;
  const key = createHash('sha256')
    // p3: the glue-shape check is part of the recipe (its verdict is stored with the entry).
    .update(JSON.stringify([FORMAT, transpilerOf(wasi), options.mode, asyncImports, asyncExports, instrument ? INSTRUMENT_FORMAT : 'none', ...(wasi === 'p3' ? [P3_GLUE_SHAPE.source] : [])]))
    .update(bytes)
    .digest('hex');
  const useMemo = options.memo !== false;
  let pending = useMemo ? memo.get(key) : undefined;
  if (pending === undefined) {
    const cacheDir = options.cacheDir === false ? null : resolve(options.cacheDir ?? defaultCacheDir());
    pending = load(bytes, { key, wasi, mode: options.mode, asyncImports, asyncExports, instrument }, cacheDir);
    if (useMemo) {
      memo.set(key, pending);
      pending.catch(() => memo.delete(key));
    }
  }
  return pending;
}

function checkComponentBytes(bytes: Uint8Array): string | null {
  if (!(bytes instanceof Uint8Array)) return `bytes must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`;
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes.length < 8 || head.slice(0, 11) !== '00 61 73 6d') return `the ${bytes.length} bytes are not WebAssembly (they start ${head || '<empty>'}, want 00 61 73 6d)`;
  if (bytes[6] !== 1) return `the bytes are a core WebAssembly module, not a component (header ${head}); wrap it with componentNew`;
  return null;
}

interface Recipe { key: string; wasi: WasiPreview; mode: ExecutionMode; asyncImports: string[]; asyncExports: string[]; instrument: boolean }

async function load(bytes: Uint8Array, recipe: Recipe, cacheDir: string | null): Promise<TranspiledComponent> {
  const folder = cacheDir === null ? null : openCacheFolder(cacheDir);
  const dir = folder === null ? null : join(folder.dir, recipe.key);
  const cached = dir === null ? null : readEntry(dir, recipe.key, transpilerOf(recipe.wasi), folder!.secret);
  const files = cached ?? (recipe.wasi === 'p3' ? await generateP3(bytes, recipe) : await generate(bytes, recipe));
  if (cached === null && dir !== null) writeEntry(dir, files, folder!.secret);
  // The glue's per-instance prelude, shared where it holds no state (glue-prelude.ts).
  const glue = (await import(`data:text/javascript;base64,${Buffer.from(hoistPrelude(files.glueSource)).toString('base64')}`)) as Glue;
  const loaded = { glue, meta: files.meta, modules: await compileAll(files.coreFiles) };
  return wrap(loaded, recipe, cached === null ? 'generated' : 'disk');
}

async function generate(bytes: Uint8Array, { key, mode, asyncImports, asyncExports, instrument }: Recipe): Promise<EntryFiles> {
  const jco = await importOptional('@bytecodealliance/jco', () => import('@bytecodealliance/jco/component'));
  let out: Awaited<ReturnType<typeof jco.generate>>;
  try {
    out = await jco.generate(bytes, {
      name: 'component',
      instantiation: { tag: 'async' },
      ...(mode === 'jspi' ? { asyncMode: { tag: 'jspi', val: { imports: asyncImports, exports: asyncExports } } } : {}),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`transpileComponent: jco ${jcoVersion()} could not transpile the component (${bytes.length} bytes, sha256 key ${key.slice(0, 12)}): ${why}`, { cause: err });
  }
  const coreFiles: Array<[string, Uint8Array]> = [];
  for (const [name, data] of out.files.filter(([file]) => file.endsWith('.wasm'))) {
    coreFiles.push([name, instrument ? (await instrumentCoreModule(data, { asyncExports })).bytes : data]);
  }
  const glueSource = new TextDecoder().decode(out.files.find(([name]) => name === 'component.js')?.[1]);
  const meta = { key, jcoVersion: jcoVersion(), importNames: out.imports, coreModules: coreFiles.map(([name]) => name) };
  return { meta, glueSource, coreFiles };
}

/** A WASI 0.3 component, through jco-transpile (see the header). */
async function generateP3(bytes: Uint8Array, { key, asyncExports, instrument }: Recipe): Promise<EntryFiles> {
  const { transpileBytes } = await importOptional('jco-transpile-p3', () => import('jco-transpile-p3'));
  const transpiler = transpilerOf('p3');
  let out: Awaited<ReturnType<typeof transpileBytes>>;
  try {
    out = await transpileBytes(bytes, { name: 'component', instantiation: 'async', asyncMode: 'jspi', asyncExports: [...asyncExports], asyncImports: [] });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`transpileComponent: ${transpiler} could not transpile the WASI 0.3 component (${bytes.length} bytes, sha256 key ${key.slice(0, 12)}): ${why}`, { cause: err });
  }
  const coreFiles: Array<[string, Uint8Array]> = [];
  let glue: Uint8Array | undefined;
  for (const [name, data] of Object.entries(out.files)) {
    if (name === 'component.js') glue = data;
    if (!name.endsWith('.wasm')) continue;
    coreFiles.push([name, instrument ? (await instrumentCoreModule(data, { asyncExports })).bytes : data]);
  }
  const glueSource = new TextDecoder().decode(glue);
  const fields = { key, jcoVersion: transpiler, importNames: out.imports, coreModules: coreFiles.map(([name]) => name), coreClocks: coreClocksFit(glueSource) };
  return { meta: fields, glueSource, coreFiles };
}

/** Whether this glue is one the core-level clocks were written against: the pinned transpiler, and the pinned shape. */
export function coreClocksFit(glueSource: string, transpiler = p3TranspilerVersion()): boolean {
  return transpiler === P3_TRANSPILER_VERSION && P3_GLUE_SHAPE.test(glueSource);
}

async function compileAll(files: Array<[string, Uint8Array]>): Promise<Map<string, CoreModule>> {
  const compiled = await Promise.all(files.map(async ([name, data]) => [name, await wasm.compile(data)] as const));
  return new Map(compiled);
}

function wrap({ glue, meta, modules }: Loaded, { key, wasi, mode, instrument }: Recipe, origin: 'generated' | 'disk'): TranspiledComponent {
  const getCoreModule = (name: string): CoreModule => {
    const module = modules.get(name);
    if (module === undefined) throw new Error(`transpileComponent: the glue asked for core module ${JSON.stringify(name)}, which the transpile did not produce`);
    return module;
  };
  // The component's own slice serves instances given none (no runtime around them).
  const ownSlice = new EventLoopSlice();
  const coreClocks = wasi === 'p3' && meta.coreClocks === true;
  // Our own init only where the glue's task machinery has nothing to do: a sync init, no async built-ins.
  const names = [...modules.values()].flatMap((m) => [...wasm.Module.imports(m), ...wasm.Module.exports(m)].map((e) => e.name));
  const liftsInit = coreClocks && names.includes(INIT_EXPORT) && !usesAsyncBuiltins(names);
  const instantiateSync = <T>(imports: ImportObject, options: InstanceOptions = {}): T => {
    for (const name of meta.importNames) {
      if (typeof imports?.[name] !== 'object' || imports[name] === null) {
        throw new TypeError(`instantiate: the component imports ${JSON.stringify(name)}, but the import object has no such key (keys: ${Object.keys(imports ?? {}).join(', ') || 'none'})`);
      }
    }
    // JSPI imports hand block/poll's waits back as Promises, which synchronous glue
    // would throw away (a sleep that takes no time): refuse before the guest runs.
    const served = (imports['wasi:io/poll'] as { mode?: unknown } | undefined)?.mode;
    if (mode === 'sync' && served === 'jspi') {
      throw new TypeError(`instantiate: the imports serve mode 'jspi' (waits are Promises), but this component was transpiled in mode 'sync', whose glue cannot await them; transpile it in mode 'jspi' (jco ${JSPI_FLAGS}) or build the imports in mode 'sync'`);
    }
    const meter = options.meter ?? null;
    const slice = options.slice ?? ownSlice;
    // One hold meter per instance: its start function, cabi_realloc and post-return cannot yield.
    const hold = instrument ? new HoldMeter(meter?.actorId ?? 'actor', slice, () => meter?.holdLimitMs ?? DEFAULT_MAX_HOLD_MS) : null;
    const yielding: YieldImports | null = instrument ? yieldImports(mode, meter, slice, hold) : null;
    const clocks = coreClocks ? coreClocksOf(imports) : null;
    const system = coreClocks ? systemClockOf(imports) : null;
    let initFn: ReturnType<typeof liftInit> = null;
    const instantiateCore = (module: CoreModule, glueImports: CoreImports | undefined) => {
      let core = clocks === null ? glueImports : withP3CoreImports(glueImports, clocks, mode === 'jspi');
      // system-clock's now writes into this module's own memory: only for a module that exports one.
      let memory: { buffer: ArrayBuffer } | null = null;
      if (system !== null && wasm.Module.exports(module).some((e) => e.name === 'memory' && e.kind === 'memory')) {
        core = withSystemClockCore(core, system, () => memory!.buffer);
      }
      const instance = new wasm.Instance(module, yielding === null ? core : { ...core, [YIELD_MODULE]: { ...yielding } });
      if (instance.exports.memory instanceof wasm.Memory) memory = instance.exports.memory;
      // Only beside our clocks: a foreign host (a bench peer, a shim) gets the glue's own path throughout.
      if (liftsInit && clocks !== null && INIT_EXPORT in instance.exports) initFn = liftInit(instance.exports);
      return instance;
    };
    // With compiled modules and a synchronous instantiateCore the glue's
    // generator never yields a Promise, so it returns the exports directly.
    if (hold !== null) hold.starting = true;
    let exports: ComponentExports;
    try {
      exports = glue.instantiate(getCoreModule, imports, instantiateCore) as ComponentExports;
    } finally {
      if (hold !== null) hold.starting = false;
    }
    if (initFn === null) return exports as T;
    const actor = { init: initFn };
    return { ...exports, 'theater:simple/actor': actor, ...('actor' in exports ? { actor } : {}) } as T;
  };
  return {
    key,
    mode,
    jcoVersion: meta.jcoVersion,
    wasi,
    coreClocks,
    liftsInit,
    origin,
    instrumented: instrument,
    importNames: meta.importNames,
    coreModules: modules,
    getCoreModule,
    instantiateSync,
    instantiate: <T>(imports: ImportObject, options?: InstanceOptions) => new Promise<T>((ok) => ok(instantiateSync<T>(imports, options))),
  };
}
