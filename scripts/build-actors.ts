// Builds every test actor from source into test-actors/build/<name>.wasm, with
// no compiler: jco's wasm-tools (in-process) parses the hand-written WAT core
// module, embeds the actor's WIT world, and wraps it as a component.
//
//   test-actors/<name>/<name>.wat   core module, canonical ABI written by hand
//   test-actors/<name>/world.wit    `package theater-test:<name>; world <name> {...}`
//   test-actors/wit/*.wit           shared packages (wasi:clocks, wasi:io, ...)
//
// The world and every shared file are joined into one WIT source string: the
// shared files use the nested `package ns:name@ver { ... }` form, so one string
// can hold them all (jco's `witPath` form cannot see the host directory).
// An actor is rebuilt only when the SHA-256 of its inputs (both sources, the
// shared WIT, this script's format version and the jco version) changes; the
// hash sits next to the output in <name>.wasm.sha256.
//
// WASI 0.3 actors (test-actors/p3-*/): their WIT uses `async func`, which jco
// 1.11.2's wit-parser cannot read, so they are built with the wasm-tools of
// jco-transpile 0.15.0 (the p3 transpiler, package alias jco-transpile-p3) and
// their shared WIT is test-actors/wit-p3/*.wit plus theater-simple.wit.
//
// Usage: node scripts/build-actors.ts [--force] [name ...]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the build recipe changes (or what `generated` writes), so old outputs are rebuilt. */
const FORMAT = 2;

const root = join(import.meta.dirname, '..');
const actorsDir = join(root, 'test-actors');
const sharedWitDir = join(actorsDir, 'wit');
const sharedWitP3Dir = join(actorsDir, 'wit-p3');
const buildDir = join(actorsDir, 'build');

export interface ActorSource {
  name: string;
  watPath: string;
  worldPath: string;
}

export interface BuildResult {
  name: string;
  outPath: string;
  status: 'built' | 'up-to-date';
  bytes: number;
}

interface WasmTools {
  parse(wat: string): Promise<Uint8Array>;
  componentEmbed(opts: { binary: Uint8Array; witSource: string; world: string }): Promise<Uint8Array>;
  componentNew(binary: Uint8Array, adapters: Array<[string, Uint8Array]>): Promise<Uint8Array>;
}

/** Every folder of test-actors/ holding `<name>.wat` and `world.wit`. */
export function listActors(): ActorSource[] {
  return readdirSync(actorsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'wit' && e.name !== 'build')
    .map((e) => ({
      name: e.name,
      watPath: join(actorsDir, e.name, `${e.name}.wat`),
      worldPath: join(actorsDir, e.name, 'world.wit'),
    }))
    .filter((a) => existsSync(a.watPath) && existsSync(a.worldPath))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function jcoVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/jco'));
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The p3 transpiler's version (package jco-transpile-p3). */
export function p3ToolsVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('jco-transpile-p3/wasm-tools'));
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const witFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.wit')).sort().map((f) => join(dir, f));

function sharedWit(): string {
  return witFiles(sharedWitDir).map((f) => readFileSync(f, 'utf8')).join('\n');
}

/**
 * A WASI 0.3 actor's shared WIT: the p3 packages and theater:simple, unless the actor's
 * world brings its own theater:simple (p3-async-sleeper's init is an `async func`).
 */
function sharedWitP3(withTheaterSimple: boolean): string {
  const files = [...witFiles(sharedWitP3Dir), ...(withTheaterSimple ? [join(sharedWitDir, 'theater-simple.wit')] : [])];
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

export const isP3Actor = (name: string): boolean => name.startsWith('p3-');

const rel = (p: string) => relative(root, p);

/** Builds the named actors (all when `only` is empty); returns one result per actor. */
export async function buildActors(options: { only?: readonly string[]; force?: boolean } = {}): Promise<BuildResult[]> {
  const all = listActors();
  const only = options.only ?? [];
  for (const name of only) {
    if (!all.some((a) => a.name === name)) {
      throw new Error(`build-actors: no actor named ${JSON.stringify(name)} in ${rel(actorsDir)} (have: ${all.map((a) => a.name).join(', ')})`);
    }
  }
  const actors = only.length === 0 ? all : all.filter((a) => only.includes(a.name));
  const sharedP2 = sharedWit();
  const versionP2 = jcoVersion();
  const versionP3 = p3ToolsVersion();
  mkdirSync(buildDir, { recursive: true });

  let tools: WasmTools | undefined;
  let toolsP3: WasmTools | undefined;
  const results: BuildResult[] = [];
  for (const actor of actors) {
    const p3 = isP3Actor(actor.name);
    const version = p3 ? `jco-transpile ${versionP3}` : versionP2;
    const wat = readFileSync(actor.watPath, 'utf8');
    const world = readFileSync(actor.worldPath, 'utf8');
    const shared = p3 ? sharedWitP3(!/^package theater:simple\b/m.test(world)) : sharedP2;
    const hash = createHash('sha256')
      .update(`format ${FORMAT}\njco ${version}\n`)
      .update(wat).update('\0').update(world).update('\0').update(shared)
      .digest('hex');
    const outPath = join(buildDir, `${actor.name}.wasm`);
    const hashPath = `${outPath}.sha256`;
    if (!options.force && existsSync(outPath) && existsSync(hashPath) && readFileSync(hashPath, 'utf8').trim() === hash) {
      results.push({ name: actor.name, outPath, status: 'up-to-date', bytes: readFileSync(outPath).length });
      continue;
    }
    // jco's wasm-tools costs ~100 ms to load: only pay it when something is stale.
    const using = p3
      ? (toolsP3 ??= (await import('jco-transpile-p3/wasm-tools')) satisfies WasmTools)
      : (tools ??= (await import('@bytecodealliance/jco')) satisfies WasmTools);
    const bytes = await buildOne(using, actor, wat, world, shared);
    // Write then rename, so a concurrent reader never sees half a component.
    const tmp = `${outPath}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, outPath);
    writeFileSync(hashPath, `${hash}\n`);
    results.push({ name: actor.name, outPath, status: 'built', bytes: bytes.length });
  }
  return results;
}

/**
 * Code too big to write by hand: each `(;generate leaf $name N;)` in a WAT file
 * becomes a function `$name (param $x i64) (result i64)` of N straight-line
 * statements (no loop, no call), each `x = (x * odd) ^ (x >> 29)`, so the work
 * cannot be folded away (the leaf-loop actor).
 */
export function generated(wat: string): string {
  return wat.replace(/\(;generate leaf (\$[\w-]+) (\d+);\)/g, (_, name: string, count: string) => {
    const lines = [`(func ${name} (param $x i64) (result i64)`];
    for (let i = 0; i < Number(count); i++) {
      const odd = (0x9e3779b1 + 2 * i) >>> 0 | 1;
      lines.push(`  (local.set $x (i64.xor (i64.mul (local.get $x) (i64.const ${odd})) (i64.shr_u (local.get $x) (i64.const 29))))`);
    }
    lines.push('  (local.get $x))');
    return lines.join('\n');
  });
}

async function buildOne(tools: WasmTools, actor: ActorSource, wat: string, world: string, shared: string): Promise<Uint8Array> {
  const step = async <T>(what: string, file: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw new Error(`build-actors: ${actor.name}: ${what} failed for ${rel(file)}:\n${errorText(err)}`, { cause: err });
    }
  };
  let core: Uint8Array;
  try {
    core = await tools.parse(generated(wat));
  } catch (err) {
    // wasm-tools reports WAT errors as a Rust Debug dump; pull out line, column and reason.
    const text = errorText(err);
    const at = /line: (\d+), col: (\d+), snippet: "((?:[^"\\]|\\.)*)"/.exec(text);
    const why = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(text);
    const where = at ? `${rel(actor.watPath)}:${at[1]}:${Number(at[2]) + 1}` : rel(actor.watPath);
    throw new Error(`build-actors: ${actor.name}: parsing the WAT failed at ${where}: ${why?.[1] ?? text}${at ? `\n  ${at[3]}` : ''}`, { cause: err });
  }
  const embedded = await step(`embedding world "${actor.name}"`, actor.worldPath, () =>
    tools.componentEmbed({ binary: core, witSource: `${world}\n${shared}`, world: actor.name }));
  return step('making the component (componentNew)', actor.watPath, () => tools.componentNew(embedded, []));
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const payload: unknown = (err as Error & { payload?: unknown }).payload;
    return typeof payload === 'string' ? payload : err.message;
  }
  return String(err);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const only = args.filter((a) => a !== '--force');
  const t0 = performance.now();
  try {
    const results = await buildActors({ only, force });
    for (const r of results) {
      console.log(`${r.status === 'built' ? 'built     ' : 'up to date'}  ${rel(r.outPath)}  (${r.bytes} B)`);
    }
    console.log(`build-actors: ${results.filter((r) => r.status === 'built').length} built, ${results.length} total, ${(performance.now() - t0).toFixed(0)} ms`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
