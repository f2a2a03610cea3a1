// transpileComponent: memo and disk cache, cache keys, errors, instantiate-many.
// Uses the poll-empty actor (built by scripts/build-actors.ts) with a stub host:
// its init calls poll([]) once, which lets a test see that the glue reached the host.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { KEY_FILE } from '../../src/component/cache-folder.ts';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildActors } from '../../scripts/build-actors.ts';
import {
  DEFAULT_ASYNC_EXPORTS, defaultCacheDir, jcoVersion, transpileComponent,
  type ImportObject, type TranspileOptions,
} from '../../src/component/transpile.ts';

const [built] = await buildActors({ only: ['poll-empty'] });
const component = new Uint8Array(readFileSync(built.outPath));
const scratch = mkdtempSync(join(tmpdir(), 'transpile-test-'));
let dirs = 0;
const freshDir = () => join(scratch, `cache-${dirs++}`);

type Actor = { 'theater:simple/actor': { init(state?: Uint8Array): unknown } };

/** A host whose poll records the list length, then throws as a trap would. */
function stubHost(): { imports: ImportObject; polled: number[] } {
  const polled: number[] = [];
  class Pollable {}
  const poll = (list: unknown[]) => {
    polled.push(list.length);
    throw new Error('wasi trap: poll on an empty list');
  };
  return { imports: { 'wasi:io/poll': { Pollable, poll } }, polled };
}

async function rejects(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (err) {
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('should have rejected');
}

// As a new process would: nothing taken from or kept in the in-memory memo.
const transpile = (bytes: Uint8Array, options: TranspileOptions) => transpileComponent(bytes, { memo: false, ...options });
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('jspi: transpiles, and init reaches the host poll with an empty list', async () => {
  const c = await transpile(component, { mode: 'jspi', cacheDir: freshDir() });
  assert.is(c.mode, 'jspi');
  assert.is(c.origin, 'generated');
  assert.is(c.jcoVersion, jcoVersion());
  assert.equal([...c.importNames], ['wasi:io/poll']);
  assert.ok(c.coreModules.size >= 1);
  const host = stubHost();
  const actor = await c.instantiate<Actor>(host.imports);
  await rejects(async () => actor['theater:simple/actor'].init(), /^wasi trap: poll on an empty list$/);
  assert.equal(host.polled, [0]);
});

test('sync: init throws synchronously through the same host', async () => {
  const c = await transpile(component, { mode: 'sync', cacheDir: false });
  const host = stubHost();
  const actor = c.instantiateSync<Actor>(host.imports);
  assert.throws(() => actor['theater:simple/actor'].init(), /wasi trap/);
  assert.equal(host.polled, [0]);
});

test('one transpile, many independent instances', async () => {
  const c = await transpile(component, { mode: 'sync', cacheDir: false });
  const a = stubHost(), b = stubHost();
  const first = c.instantiateSync<Actor>(a.imports);
  const second = c.instantiateSync<Actor>(b.imports);
  assert.is.not(first, second);
  assert.throws(() => second['theater:simple/actor'].init());
  assert.equal(a.polled, []);
  assert.equal(b.polled, [0]);
  assert.is(c.getCoreModule([...c.coreModules.keys()][0]), [...c.coreModules.values()][0]);
  assert.throws(() => c.getCoreModule('nope.wasm'), /did not produce/);
});

test('memo: concurrent and repeated calls share one transpile', async () => {
  const cacheDir = freshDir();
  // An export list of its own: a key no other test (in this process) has memoised.
  const options = { mode: 'jspi', cacheDir, asyncExports: [...DEFAULT_ASYNC_EXPORTS, 'memo:test/only#this'] } as const;
  const [x, y] = await Promise.all([transpileComponent(component, options), transpileComponent(component, options)]);
  assert.is(x, y);
  assert.is(x.origin, 'generated');
  assert.is(await transpileComponent(component, options), x);
  assert.is(entries(cacheDir).length, 1);
});

test('disk cache: a new process (memo forgotten) loads the entry instead of running jco', async () => {
  const cacheDir = freshDir();
  const first = await transpile(component, { mode: 'jspi', cacheDir });
  const second = await transpile(component, { mode: 'jspi', cacheDir });
  assert.is(first.origin, 'generated');
  assert.is(second.origin, 'disk');
  assert.is.not(second, first);
  assert.is(second.key, first.key);
  assert.equal(readdirSync(join(cacheDir, first.key)).sort(), ['component.mjs', 'meta.json', ...first.coreModules.keys()].sort());
  const host = stubHost();
  const actor = await second.instantiate<Actor>(host.imports);
  await rejects(async () => actor['theater:simple/actor'].init(), /wasi trap/);
  assert.equal(host.polled, [0]);
});

test('disk cache: a damaged entry is regenerated and rewritten', async () => {
  const cacheDir = freshDir();
  const first = await transpile(component, { mode: 'sync', cacheDir });
  const core = [...first.coreModules.keys()][0];
  writeFileSync(join(cacheDir, first.key, core), 'not wasm');
  const again = await transpile(component, { mode: 'sync', cacheDir });
  assert.is(again.origin, 'generated');
  assert.is((await transpile(component, { mode: 'sync', cacheDir })).origin, 'disk');
});

// Entries only: the folder also holds its key file.
const entries = (dir: string) => readdirSync(dir).filter((name) => name !== KEY_FILE);

test('disk cache: a rewritten glue, a rewritten core module or a meta.json without its MAC is caught and regenerated', async () => {
  const cacheDir = freshDir();
  const first = await transpile(component, { mode: 'jspi', cacheDir });
  const entry = join(cacheDir, first.key);
  const meta = JSON.parse(readFileSync(join(entry, 'meta.json'), 'utf8')) as { mac: string };
  assert.match(meta.mac, /^[0-9a-f]{64}$/);
  // a glue that still runs, but would not trap: only the MAC can tell
  const glue = readFileSync(join(entry, 'component.mjs'), 'utf8');
  writeFileSync(join(entry, 'component.mjs'), glue.replace('export function instantiate(', 'globalThis.tampered = true;\nexport function instantiate('));
  const again = await transpile(component, { mode: 'jspi', cacheDir });
  assert.is(again.origin, 'generated', 'the tampered entry was not used');
  assert.is((globalThis as { tampered?: boolean }).tampered, undefined);
  assert.is(readFileSync(join(entry, 'component.mjs'), 'utf8'), glue, 'and it was rewritten');
  // a core module with one byte flipped (still the same length)
  const core = [...first.coreModules.keys()][0];
  const bytes = readFileSync(join(entry, core));
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(join(entry, core), bytes);
  assert.is((await transpile(component, { mode: 'jspi', cacheDir })).origin, 'generated');
  // a meta.json without its MAC (or one an older version wrote, with bare hashes)
  writeFileSync(join(entry, 'meta.json'), JSON.stringify({ ...meta, mac: undefined, sha256: {} }));
  assert.is((await transpile(component, { mode: 'jspi', cacheDir })).origin, 'generated');
  assert.is((await transpile(component, { mode: 'jspi', cacheDir })).origin, 'disk');
});

test('disk cache: files swapped between entries, an entry renamed to another key, or copied from another folder are caught', async () => {
  const cacheDir = freshDir();
  const jspi = await transpile(component, { mode: 'jspi', cacheDir });
  const sync = await transpile(component, { mode: 'sync', cacheDir });
  const [a, b] = [join(cacheDir, jspi.key), join(cacheDir, sync.key)];
  // one file swapped: the sync entry's glue in the jspi entry (both whole, valid files)
  const jspiGlue = readFileSync(join(a, 'component.mjs'));
  writeFileSync(join(a, 'component.mjs'), readFileSync(join(b, 'component.mjs')));
  assert.is((await transpile(component, { mode: 'jspi', cacheDir })).origin, 'generated');
  assert.equal(readFileSync(join(a, 'component.mjs')), jspiGlue);
  // a whole entry moved under another key, its meta.json edited to match
  rmSync(a, { recursive: true });
  cpSync(b, a, { recursive: true });
  const meta = JSON.parse(readFileSync(join(a, 'meta.json'), 'utf8')) as { key: string };
  writeFileSync(join(a, 'meta.json'), JSON.stringify({ ...meta, key: jspi.key }));
  const moved = await transpile(component, { mode: 'jspi', cacheDir });
  assert.is(moved.origin, 'generated');
  assert.is(moved.mode, 'jspi');
  // an entry copied, untouched, into another cache folder (another key file)
  const other = freshDir();
  await transpile(component, { mode: 'sync', cacheDir: other });
  rmSync(join(other, sync.key), { recursive: true });
  cpSync(b, join(other, sync.key), { recursive: true });
  assert.is((await transpile(component, { mode: 'sync', cacheDir: other })).origin, 'generated');
  assert.is((await transpile(component, { mode: 'sync', cacheDir: other })).origin, 'disk');
});

test('instrumentation: on by default, part of the cache key, and off with instrument: false', async () => {
  const cacheDir = freshDir();
  const on = await transpile(component, { mode: 'sync', cacheDir });
  const off = await transpile(component, { mode: 'sync', cacheDir, instrument: false });
  assert.is(on.instrumented, true);
  assert.is(off.instrumented, false);
  assert.is.not(on.key, off.key);
  const wasmApi = (globalThis as unknown as { WebAssembly: { Module: { imports(m: object): Array<{ module: string }> } } }).WebAssembly;
  const importsOf = (c: typeof on) => [...c.coreModules.values()].flatMap((m) => wasmApi.Module.imports(m).map((i) => i.module));
  assert.ok(importsOf(on).includes('theater:timing/yield'));
  assert.not.ok(importsOf(off).includes('theater:timing/yield'));
  assert.throws(() => off.instantiateSync<Actor>(stubHost().imports)['theater:simple/actor'].init(), /wasi trap/);
});

test('disk cache: an unwritable cache directory falls back to memory', async () => {
  const file = join(scratch, 'a-file');
  writeFileSync(file, '');
  const c = await transpile(component, { mode: 'sync', cacheDir: join(file, 'sub') });
  assert.is(c.origin, 'generated');
  assert.throws(() => c.instantiateSync<Actor>(stubHost().imports)['theater:simple/actor'].init(), /wasi trap/);
});

test('cache key: differs by mode and by async exports, not by async lists in sync mode', async () => {
  const cacheDir = freshDir();
  const jspi = await transpile(component, { mode: 'jspi', cacheDir });
  const sync = await transpile(component, { mode: 'sync', cacheDir });
  const jspiMore = await transpile(component, { mode: 'jspi', cacheDir, asyncExports: [...DEFAULT_ASYNC_EXPORTS, 'bench:actor/bench#run'] });
  const syncMore = await transpile(component, { mode: 'sync', cacheDir, asyncExports: ['bench:actor/bench#run'] });
  assert.is.not(jspi.key, sync.key);
  assert.is.not(jspi.key, jspiMore.key);
  assert.is(syncMore.key, sync.key);
  assert.is(entries(cacheDir).length, 3);
  const reordered = await transpile(component, { mode: 'jspi', cacheDir, asyncImports: ['wasi:io/poll#[method]pollable.block', 'wasi:io/poll#poll'] });
  assert.is(reordered.key, jspi.key);
});

test('default cache dir: $THEATER_TIMING_CACHE, else the XDG cache, else ~/.cache', () => {
  assert.is(defaultCacheDir({ THEATER_TIMING_CACHE: 'rel/dir' }), join(process.cwd(), 'rel', 'dir'));
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }), join('/xdg', 'theater-handler-timing', 'transpiled'));
  assert.is(defaultCacheDir({}), join(homedir(), '.cache', 'theater-handler-timing', 'transpiled'));
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: '' }), join(homedir(), '.cache', 'theater-handler-timing', 'transpiled'));
});

test('errors: bad options and bad bytes say what is wrong', async () => {
  const reject = rejects;
  const mode = 'fast' as unknown as 'jspi';
  await reject(() => transpileComponent(component, { mode }), /options\.mode must be 'jspi' or 'sync', got "fast" \(string\)/);
  await reject(() => transpileComponent('abc' as unknown as Uint8Array, { mode: 'sync' }), /must be a Uint8Array, got \[object String\]/);
  await reject(() => transpileComponent(new Uint8Array(0), { mode: 'sync' }), /the 0 bytes are not WebAssembly \(they start <empty>/);
  await reject(() => transpileComponent(new TextEncoder().encode('hello, world'), { mode: 'sync' }), /not WebAssembly \(they start 68 65 6c 6c/);
  await reject(() => transpileComponent(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), { mode: 'sync' }), /core WebAssembly module, not a component/);
  const truncated = component.slice(0, 40);
  await reject(() => transpileComponent(truncated, { mode: 'jspi', cacheDir: false }), /jco [\d.]+ could not transpile the component \(40 bytes, sha256 key [0-9a-f]{12}\): /);
  // a failure is not memoised: the same bytes fail again, with the same message
  await reject(() => transpileComponent(truncated, { mode: 'jspi', cacheDir: false }), /could not transpile/);
});

test('instantiate: a missing import key is named, with the keys that were given', async () => {
  const c = await transpile(component, { mode: 'sync', cacheDir: false });
  assert.throws(() => c.instantiateSync({ 'wasi:io/poll@0.2.3': {} }), /imports "wasi:io\/poll", but the import object has no such key \(keys: wasi:io\/poll@0\.2\.3\)/);
  await rejects(() => c.instantiate({}), /keys: none/);
});

test.run();
