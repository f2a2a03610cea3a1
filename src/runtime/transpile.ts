/*
 * Transpile a component with jco, once, and instantiate it many times.
 *
 * How: jco (in-process, `--instantiation async`) turns the component into an
 * ES module glue plus core modules. We compile the core modules once into
 * `WebAssembly.Module`s, and each `instantiateSync` runs the glue with a
 * synchronous `instantiateCore` (new WebAssembly.Instance), so one instance
 * costs no transpile, no compile and no microtask.
 *
 * Caching, two levels, both keyed by the SHA-256 of (format, jco version, mode,
 * async import/export lists, component bytes):
 *   memory: one Promise per key per process, so N concurrent callers share one
 *           transpile;
 *   disk:   <cacheDir>/<key>/{component.mjs, *.wasm, meta.json}, written to a
 *           temporary directory and renamed into place, so readers never see a
 *           partial entry. A damaged entry is ignored and rewritten.
 * The default cacheDir is per user (see defaultCacheDir); `cacheDir: false`
 * keeps everything in memory. A glue that was just generated is imported from
 * a data: URL, one read from disk from its file.
 *
 * Import keys: jco 1.11.2 reads imports without the version
 * (imports['wasi:io/poll']), so one import object serves every wasi 0.2.x.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { ExecutionMode } from '../wasi/mode.ts';

/** A compiled `WebAssembly.Module` (this project's TS libs carry no WebAssembly types). */
export type CoreModule = object;
type CoreImports = Record<string, Record<string, unknown>>;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<CoreModule>;
  Instance: new (module: CoreModule, imports: CoreImports) => object;
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
}

/** Keyed by versionless interface name, e.g. `'wasi:io/poll'`. */
export type ImportObject = Record<string, object>;
/** Keyed by interface name, e.g. `'theater:simple/actor'`. */
export type ComponentExports = Record<string, unknown>;

export interface TranspiledComponent {
  readonly key: string;
  readonly mode: ExecutionMode;
  readonly jcoVersion: string;
  readonly origin: 'generated' | 'disk';
  /** The import object keys the glue reads. */
  readonly importNames: readonly string[];
  readonly coreModules: ReadonlyMap<string, CoreModule>;
  getCoreModule(name: string): CoreModule;
  instantiateSync<T = ComponentExports>(imports: ImportObject): T;
  instantiate<T = ComponentExports>(imports: ImportObject): Promise<T>;
}

export const DEFAULT_ASYNC_IMPORTS: readonly string[] = ['wasi:io/poll#poll', 'wasi:io/poll#[method]pollable.block'];
export const DEFAULT_ASYNC_EXPORTS: readonly string[] = ['theater:simple/actor#init'];
const FORMAT = 'theater-transpile-1';
const GLUE = 'component.mjs';

interface Meta { key: string; jcoVersion: string; importNames: string[]; coreModules: string[] }
interface Glue {
  instantiate(
    getCoreModule: (name: string) => CoreModule,
    imports: ImportObject,
    instantiateCore: (module: CoreModule, imports: CoreImports) => object,
  ): ComponentExports | Promise<ComponentExports>;
}
interface Loaded { glue: Glue; meta: Meta; modules: Map<string, CoreModule> }

const memo = new Map<string, Promise<TranspiledComponent>>();
let version: string | undefined;

export function jcoVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/jco'));
  version ??= (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/**
 * Where transpiled glue is kept across processes and projects (entries are keyed
 * by content, jco version and format, so sharing is safe): $THEATER_TIMING_CACHE,
 * else $XDG_CACHE_HOME/theater-handler-timing/transpiled, else ~/.cache/….
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.THEATER_TIMING_CACHE) return resolve(env.THEATER_TIMING_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'theater-handler-timing', 'transpiled');
}

/** Drops the in-memory memo (the disk cache stays). */
export function forgetTranspiled(): void {
  memo.clear();
}

export function transpileComponent(bytes: Uint8Array, options: TranspileOptions): Promise<TranspiledComponent> {
  if (options?.mode !== 'jspi' && options?.mode !== 'sync') {
    const mode: unknown = options?.mode;
    return Promise.reject(new TypeError(`transpileComponent: options.mode must be 'jspi' or 'sync', got ${JSON.stringify(mode)} (${typeof mode})`));
  }
  const problem = checkComponentBytes(bytes);
  if (problem !== null) return Promise.reject(new TypeError(`transpileComponent: ${problem}`));
  const jspi = options.mode === 'jspi';
  const asyncImports = jspi ? [...(options.asyncImports ?? DEFAULT_ASYNC_IMPORTS)].sort() : [];
  const asyncExports = jspi ? [...(options.asyncExports ?? DEFAULT_ASYNC_EXPORTS)].sort() : [];
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, jcoVersion(), options.mode, asyncImports, asyncExports]))
    .update(bytes)
    .digest('hex');
  let pending = memo.get(key);
  if (pending === undefined) {
    const cacheDir = options.cacheDir === false ? null : resolve(options.cacheDir ?? defaultCacheDir());
    pending = load(bytes, key, options.mode, asyncImports, asyncExports, cacheDir);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
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

async function load(bytes: Uint8Array, key: string, mode: ExecutionMode, asyncImports: string[], asyncExports: string[], cacheDir: string | null): Promise<TranspiledComponent> {
  const dir = cacheDir === null ? null : join(cacheDir, key);
  const cached = dir === null ? null : await readEntry(dir, key);
  const loaded = cached ?? (await generate(bytes, key, mode, asyncImports, asyncExports, dir));
  return wrap(loaded, key, mode, cached === null ? 'generated' : 'disk');
}

async function readEntry(dir: string, key: string): Promise<Loaded | null> {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    if (meta.key !== key || meta.jcoVersion !== jcoVersion()) return null;
    const modules = await compileAll(meta.coreModules.map((name) => [name, readFileSync(join(dir, name))]));
    const glue = (await import(pathToFileURL(join(dir, GLUE)).href)) as Glue;
    return { glue, meta, modules };
  } catch {
    return null; // missing or damaged: regenerate and overwrite
  }
}

async function generate(bytes: Uint8Array, key: string, mode: ExecutionMode, asyncImports: string[], asyncExports: string[], dir: string | null): Promise<Loaded> {
  const jco = await import('@bytecodealliance/jco/component');
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
  const coreFiles = out.files.filter(([name]) => name.endsWith('.wasm'));
  const source = new TextDecoder().decode(out.files.find(([name]) => name === 'component.js')?.[1]);
  const meta: Meta = { key, jcoVersion: jcoVersion(), importNames: out.imports, coreModules: coreFiles.map(([name]) => name) };
  if (dir !== null) writeEntry(dir, meta, source, coreFiles);
  const glue = (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as Glue;
  return { glue, meta, modules: await compileAll(coreFiles) };
}

function writeEntry(dir: string, meta: Meta, source: string, coreFiles: Array<[string, Uint8Array]>): void {
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, data] of coreFiles) writeFileSync(join(tmp, name), data);
    writeFileSync(join(tmp, GLUE), source);
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch {
    // The cache is an optimisation: an unwritable directory, or another process
    // renaming the same entry first, leaves this process on its in-memory copy.
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function compileAll(files: Array<[string, Uint8Array]>): Promise<Map<string, CoreModule>> {
  const compiled = await Promise.all(files.map(async ([name, data]) => [name, await wasm.compile(data)] as const));
  return new Map(compiled);
}

function wrap({ glue, meta, modules }: Loaded, key: string, mode: ExecutionMode, origin: 'generated' | 'disk'): TranspiledComponent {
  const getCoreModule = (name: string): CoreModule => {
    const module = modules.get(name);
    if (module === undefined) throw new Error(`transpileComponent: the glue asked for core module ${JSON.stringify(name)}, which the transpile did not produce`);
    return module;
  };
  const instantiateCore = (module: CoreModule, imports: CoreImports) => new wasm.Instance(module, imports);
  const instantiateSync = <T>(imports: ImportObject): T => {
    for (const name of meta.importNames) {
      if (typeof imports?.[name] !== 'object' || imports[name] === null) {
        throw new TypeError(`instantiate: the component imports ${JSON.stringify(name)}, but the import object has no such key (keys: ${Object.keys(imports ?? {}).join(', ') || 'none'})`);
      }
    }
    // With compiled modules and a synchronous instantiateCore the glue's
    // generator never yields a Promise, so it returns the exports directly.
    return glue.instantiate(getCoreModule, imports, instantiateCore) as T;
  };
  return {
    key,
    mode,
    jcoVersion: meta.jcoVersion,
    origin,
    importNames: meta.importNames,
    coreModules: modules,
    getCoreModule,
    instantiateSync,
    instantiate: <T>(imports: ImportObject) => new Promise<T>((ok) => ok(instantiateSync<T>(imports))),
  };
}
