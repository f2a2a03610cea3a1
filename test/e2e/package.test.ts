// The package as a consumer gets it: `npm pack` of the built package, installed
// into fresh projects with npm's linked (pnpm-style) layout, so only declared
// dependencies are reachable, and an empty transpile cache, so jco and binaryen
// really load. Then one actor (sleeper) through the installed CLI and through the
// library, the public types in a strict project without @types/node, and a slim
// install (--omit=optional: no jco, no binaryen) running jco-CLI-style glue.
// Needs `npm run build` and `npm run build:actors` first (npm test does both);
// npm reaches the registry only for metadata, the tarballs come from npm's cache.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pkg from '../../package.json' with { type: 'json' };

const ROOT = join(import.meta.dirname, '..', '..');
const SLEEPER_WASM = join(ROOT, 'test-actors', 'build', 'sleeper.wasm');
const test = suite('package: npm pack, linked install, CLI, library, types');

// Children run Node 26 (this process's), without c8's coverage hook or npm's lifecycle variables.
const env: Record<string, string> = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
for (const [key, value] of Object.entries(process.env)) {
  if (value !== undefined && key !== 'PATH' && key !== 'NODE_V8_COVERAGE' && !/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
}

function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 180_000 });
  if (r.error) throw r.error;
  return r;
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.is(r.status, 0, `${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
function du(path: string): number {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (s === undefined || s.isSymbolicLink()) return 0;
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + du(join(path, name)), 0);
}
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const work = mkdtempSync(join(tmpdir(), 'theater-timing-package-'));
test.after(() => rmSync(work, { recursive: true, force: true }));
let tarball = '';

/** A fresh consumer project with the tarball installed; the sleeper's manifest and wasm copied in. */
function consumer(name: string, flags: string[] = []): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'actor'), { recursive: true });
  mkdirSync(join(dir, 'build'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  cpSync(join(ROOT, 'test-actors', 'sleeper', 'manifest.toml'), join(dir, 'actor', 'manifest.toml')); // component = "../build/sleeper.wasm"
  cpSync(SLEEPER_WASM, join(dir, 'build', 'sleeper.wasm'));
  const t0 = performance.now();
  ok(run('npm', ['install', '--install-strategy=linked', '--prefer-offline', '--no-audit', '--no-fund', ...flags, tarball], dir), `npm install ${flags.join(' ')}`);
  console.log(`  ${name}: npm install ${flags.join(' ')} ${seconds(t0)} s, node_modules ${mb(du(join(dir, 'node_modules', '.store')))}`);
  return dir;
}

test('every bare import of dist/ is a declared dependency', () => {
  const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)]);
  const found = new Set<string>();
  for (const file of ['index.js', 'theater-timing.js']) {
    const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"([^"./][^"]*)"/g)) {
      if (spec!.startsWith('node:')) continue;
      const parts = spec!.split('/');
      found.add(spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  assert.equal([...found].sort(), ['@bytecodealliance/jco', 'binaryen', 'jco-transpile-p3', 'smol-toml']);
  for (const name of found) assert.ok(declared.has(name), `dist imports ${name}, which package.json does not declare`);
});

test('npm pack: dist, types and the licenses are in the tarball', () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'theater-timing.js')) && existsSync(SLEEPER_WASM), 'run npm run build and npm run build:actors first');
  const out = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT), 'npm pack');
  const [info] = JSON.parse(out) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  const files = new Set(info!.files.map((f) => f.path));
  for (const f of ['package.json', 'LICENSE', 'LICENSE-MIT', 'LICENSE-APACHE', 'dist/index.js', 'dist/theater-timing.js', 'dist/types/index.d.ts']) {
    assert.ok(files.has(f), `${f} is not in the tarball`);
  }
  assert.match(readFileSync(join(ROOT, 'LICENSE-APACHE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  assert.match(readFileSync(join(ROOT, 'LICENSE-MIT'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} theater-handler-timing contributors\n/);
  console.log(`  tarball ${mb(info!.size)}, unpacked ${mb(info!.unpackedSize)}, ${files.size} files`);
});

test('installed with the linked layout: the CLI and the library run the sleeper from an empty transpile cache', () => {
  const dir = consumer('full');
  // The CLI, as node_modules/.bin links it (its shebang finds this Node 26 first on PATH).
  const cliCache = join(dir, 'cache-cli');
  const cli = run(join(dir, 'node_modules', '.bin', 'theater-timing'), ['run', 'actor/manifest.toml'], dir, { THEATER_TIMING_CACHE: cliCache });
  assert.match(ok(cli, 'theater-timing run'), /^[0-9a-f]{48}\n$/);
  assert.is(cli.stderr, '');
  // One entry, beside the cache's key file (src/component/cache-folder.ts).
  assert.equal(readdirSync(cliCache).filter((name) => name !== 'key').length, 1, 'the CLI transpiled into its empty cache');

  // The library, imported by name, transpiling (jco + the binaryen fairness pass) into its own empty cache.
  writeFileSync(join(dir, 'lib.mjs'), `
    import { readFile } from 'node:fs/promises';
    import { HandlerRegistry, TimingHandler, transpileComponent } from 'theater-handler-timing';
    const registry = new HandlerRegistry();
    registry.register(new TimingHandler({ max_sleep_duration: 3_600_000, min_sleep_duration: 1 }, null));
    const component = await transpileComponent(new Uint8Array(await readFile('build/sleeper.wasm')), { mode: 'jspi' });
    const built = registry.buildImports(component.importNames, { actorId: 'lib', events: null });
    const actor = component.instantiateSync(built.imports)['theater:simple/actor'];
    const [state] = await actor.init(undefined);
    const [before, after] = new BigUint64Array(state.buffer.slice(state.byteOffset, state.byteOffset + 16));
    built.dispose();
    console.log(JSON.stringify({ origin: component.origin, instrumented: component.instrumented, sleptMs: Number(after - before) / 1e6 }));`);
  const lib = JSON.parse(ok(run(process.execPath, ['lib.mjs'], dir, { THEATER_TIMING_CACHE: join(dir, 'cache-lib') }), 'library')) as
    { origin: string; instrumented: boolean; sleptMs: number };
  assert.is(lib.origin, 'generated');
  assert.is(lib.instrumented, true);
  assert.ok(lib.sleptMs >= 100, `slept ${lib.sleptMs} ms, want >= 100`);

  // The public types in a strict project: no @types/node, no DOM, lib es2020, every .d.ts checked.
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, types: [], skipLibCheck: false, lib: ['es2020'], target: 'es2020', module: 'nodenext', moduleResolution: 'nodenext', noEmit: true },
    files: ['main.ts'],
  }));
  writeFileSync(join(dir, 'main.ts'), `
    import * as api from 'theater-handler-timing';
    import { HandlerRegistry, TimingHandler, transpileComponent, type BuiltImports, type TranspiledComponent } from 'theater-handler-timing';
    const registry = new HandlerRegistry();
    registry.register(new TimingHandler({ max_sleep_duration: 3_600_000 }, null, { mode: 'auto' }));
    const built: BuiltImports = registry.buildImports(['wasi:io/poll'], { actorId: 'typed', events: null });
    export const keys: string[] = Object.keys(built.imports);
    export const load = (bytes: Uint8Array): Promise<TranspiledComponent> => transpileComponent(bytes, { mode: 'jspi', cacheDir: false });
    export const everything: object = api;
  `);
  ok(run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir), 'tsc in a strict consumer');
});

test('installed without optional dependencies: small, runs jco-CLI glue, and a transpile says what to install', async () => {
  const dir = consumer('slim', ['--omit=optional']);
  const store = readdirSync(join(dir, 'node_modules', '.store'));
  assert.equal(store.map((entry) => entry.replace(/@\d.*$/, '')).sort(), ['smol-toml', 'theater-handler-timing']);

  // Glue as `jco transpile --instantiation async --async-mode jspi ...` makes it, generated here (jco is a devDependency).
  const jco = await import('@bytecodealliance/jco/component');
  const out = await jco.generate(new Uint8Array(readFileSync(SLEEPER_WASM)), {
    name: 'sleeper',
    instantiation: { tag: 'async' },
    asyncMode: { tag: 'jspi', val: { imports: ['wasi:io/poll#poll', 'wasi:io/poll#[method]pollable.block'], exports: ['theater:simple/actor#init'] } },
  });
  mkdirSync(join(dir, 'glue'));
  for (const [name, data] of out.files) if (!name.includes('/')) writeFileSync(join(dir, 'glue', name), data);
  writeFileSync(join(dir, 'glue.mjs'), `
    import { readFileSync } from 'node:fs';
    import { HandlerRegistry, TimingHandler, transpileComponent } from 'theater-handler-timing';
    import { instantiate } from './glue/sleeper.js';
    const registry = new HandlerRegistry();
    registry.register(new TimingHandler({ max_sleep_duration: 3_600_000, min_sleep_duration: 1 }, null));
    const built = registry.buildImports(${JSON.stringify(out.imports)}, { actorId: 'glue', events: null });
    const root = await instantiate((path) => WebAssembly.compile(readFileSync(new URL('./glue/' + path, import.meta.url))), built.imports);
    const [state] = await root['theater:simple/actor'].init(undefined);
    const [before, after] = new BigUint64Array(state.buffer.slice(state.byteOffset, state.byteOffset + 16));
    let transpile = 'resolved';
    try { await transpileComponent(new Uint8Array(readFileSync('build/sleeper.wasm')), { mode: 'jspi' }); } catch (error) { transpile = error.message; }
    console.log(JSON.stringify({ sleptMs: Number(after - before) / 1e6, transpile }));`);
  const slim = JSON.parse(ok(run(process.execPath, ['glue.mjs'], dir, { THEATER_TIMING_CACHE: join(dir, 'cache') }), 'glue host')) as { sleptMs: number; transpile: string };
  assert.ok(slim.sleptMs >= 100, `slept ${slim.sleptMs} ms, want >= 100`);
  const install = 'npm install @bytecodealliance/jco@1.11.2 binaryen@123.0.0 jco-transpile-p3@npm:@bytecodealliance/jco-transpile@0.15.0';
  assert.match(slim.transpile, `transpiling a component needs @bytecodealliance/jco, an optional dependency that is not installed`);
  assert.ok(slim.transpile.endsWith(install), slim.transpile);

  const cli = run(join(dir, 'node_modules', '.bin', 'theater-timing'), ['run', 'actor/manifest.toml'], dir, { THEATER_TIMING_CACHE: join(dir, 'cache') });
  assert.is.not(cli.status, 0);
  assert.is(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  assert.ok(cli.stderr.trim().endsWith(install), cli.stderr);
  assert.match(ok(run(join(dir, 'node_modules', '.bin', 'theater-timing'), ['--version'], dir), '--version'), /\(jco not installed, node v/);
});

test.run();
