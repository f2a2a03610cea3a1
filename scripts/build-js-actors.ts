// Builds the JavaScript test actors with a real toolchain, componentize-js
// (StarlingMonkey: SpiderMonkey compiled to WebAssembly, snapshotted with wizer):
//
//   test-actors/<name>/<name>.js      the actor, an ES module exporting `actor`
//   test-actors/<name>/world.wit      `package theater-test:<name>; world <name> {...}`
//   test-actors/<name>/*@*.wit        extra WIT packages that world alone needs
//   test-actors/wit/*.wit             shared packages (wasi:clocks, wasi:io, theater:simple)
//
// into test-actors/build/<name>.wasm (git-ignored, ~12 MB each). A build takes
// 5–30 s, so it runs only when the SHA-256 of its inputs (the sources, the WIT,
// the features, this script's format and the componentize-js version) changes;
// the hash sits next to the output in <name>.wasm.sha256.
//
// Features: `http` and `fetch-event` are disabled (an actor has no network);
// `stdio`, `random` and `clocks` stay on. With `clocks` disabled the first
// imported subscribe-duration call trapped with `unreachable`; with it on, the
// engine imports wasi:clocks itself, and the host's timing handler serves both
// the engine's and the actor's clock calls.
//
// Usage: node scripts/build-js-actors.ts [--force] [name ...]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the build recipe changes, so old outputs are rebuilt. */
const FORMAT = 1;
export const DISABLED_FEATURES = ['http', 'fetch-event'] as const;
/** The shared packages a JS actor's world may use (bench.wit and the 0.2.0 copies are left out). */
const SHARED = ['theater-simple.wit', 'wasi-clocks@0.2.3.wit', 'wasi-io@0.2.3.wit'];

const root = join(import.meta.dirname, '..');
const actorsDir = join(root, 'test-actors');
const buildDir = join(actorsDir, 'build');
const rel = (p: string) => relative(root, p);

export interface JsActorSource {
  name: string;
  dir: string;
  jsPath: string;
  /** world.wit first, then the folder's other .wit files, sorted. */
  witFiles: string[];
}

export interface JsBuildResult {
  name: string;
  outPath: string;
  status: 'built' | 'up-to-date';
  bytes: number;
  ms: number;
}

interface Componentize {
  componentize(opts: { sourcePath: string; witPath: string; worldName: string; disableFeatures: string[] }): Promise<{ component: Uint8Array }>;
}

/** Every folder of test-actors/ holding `<name>.js` and `world.wit`. */
export function listJsActors(): JsActorSource[] {
  return readdirSync(actorsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(actorsDir, e.name, `${e.name}.js`)) && existsSync(join(actorsDir, e.name, 'world.wit')))
    .map((e) => {
      const dir = join(actorsDir, e.name);
      const extra = readdirSync(dir).filter((f) => f.endsWith('.wit') && f !== 'world.wit').sort();
      return { name: e.name, dir, jsPath: join(dir, `${e.name}.js`), witFiles: ['world.wit', ...extra].map((f) => join(dir, f)) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function componentizeVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'));
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export async function buildJsActors(options: { only?: readonly string[]; force?: boolean } = {}): Promise<JsBuildResult[]> {
  const all = listJsActors();
  const only = options.only ?? [];
  const actors = only.length === 0 ? all : all.filter((a) => only.includes(a.name));
  const shared = SHARED.map((f) => readFileSync(join(actorsDir, 'wit', f), 'utf8'));
  const version = componentizeVersion();
  mkdirSync(buildDir, { recursive: true });
  const results: JsBuildResult[] = [];
  for (const actor of actors) {
    const t0 = performance.now();
    const sources = [actor.jsPath, ...actor.witFiles].map((f) => readFileSync(f, 'utf8'));
    const hash = createHash('sha256')
      .update(`format ${FORMAT}\ncomponentize-js ${version}\ndisabled ${DISABLED_FEATURES.join(',')}\n`)
      .update([...sources, ...shared].join('\0'))
      .digest('hex');
    const outPath = join(buildDir, `${actor.name}.wasm`);
    const hashPath = `${outPath}.sha256`;
    if (!options.force && existsSync(outPath) && existsSync(hashPath) && readFileSync(hashPath, 'utf8').trim() === hash) {
      results.push({ name: actor.name, outPath, status: 'up-to-date', bytes: readFileSync(outPath).length, ms: performance.now() - t0 });
      continue;
    }
    const bytes = await buildOne(actor, shared);
    const tmp = `${outPath}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, outPath);
    writeFileSync(hashPath, `${hash}\n`);
    results.push({ name: actor.name, outPath, status: 'built', bytes: bytes.length, ms: performance.now() - t0 });
  }
  // Removed, but its path stays preopened: a later build in this process makes it again.
  if (witRoot !== null) rmSync(witRoot, { recursive: true, force: true });
  return results;
}

/**
 * componentize-js reads the WIT through preview2-shim's WASI filesystem, which (from
 * preview2-shim 0.26) preopens nothing by default. Its WASI instance takes the
 * preopens once, at its first use in a process: a second actor's folder preopened
 * later is not seen ("No such file or directory"). So one folder is preopened for
 * the whole build, and each actor's WIT goes into a subfolder of it.
 */
let witRoot: string | null = null;

async function buildOne(actor: JsActorSource, shared: string[]): Promise<Uint8Array> {
  const { _setPreopens } = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void };
  const { componentize } = (await import('@bytecodealliance/componentize-js')) as unknown as Componentize;
  if (witRoot === null) {
    witRoot = mkdtempSync(join(tmpdir(), 'theater-js-actors-'));
    _setPreopens({ [witRoot]: witRoot });
  }
  mkdirSync(witRoot, { recursive: true });
  const witDir = join(witRoot, actor.name);
  try {
    mkdirSync(witDir);
    for (const file of actor.witFiles) writeFileSync(join(witDir, relative(actor.dir, file)), readFileSync(file));
    writeFileSync(join(witDir, 'shared.wit'), shared.join('\n'));
    const { component } = await componentize({ sourcePath: actor.jsPath, witPath: witDir, worldName: actor.name, disableFeatures: [...DISABLED_FEATURES] });
    return component;
  } catch (err) {
    throw new Error(`build-js-actors: ${actor.name}: componentize-js failed for ${rel(actor.jsPath)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    rmSync(witDir, { recursive: true, force: true });
  }
}

export function printResults(results: readonly JsBuildResult[]): void {
  for (const r of results) {
    console.log(`${r.status === 'built' ? 'built     ' : 'up to date'}  ${rel(r.outPath)}  (${r.bytes} B${r.status === 'built' ? `, ${(r.ms / 1000).toFixed(1)} s` : ''})`);
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  try {
    printResults(await buildJsActors({ only: args.filter((a) => a !== '--force'), force: args.includes('--force') }));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
