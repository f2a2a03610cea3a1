import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KNOWN_HANDLER_TYPES, loadManifest, ManifestError } from '../../src/manifest/manifest.ts';

const KNOWN = 'timing, wasi, replay, runtime, message-server, supervisor, store, filesystem, http-client, http-framework, process, environment, random, wasi-http';

const dir = mkdtempSync(join(tmpdir(), 'manifest-test-'));
mkdirSync(join(dir, 'actors'));
writeFileSync(join(dir, 'actors', 'actor.wasm'), 'not really wasm');
writeFileSync(join(dir, 'actors', 'state.bin'), Uint8Array.of(0, 1, 0xff));
writeFileSync(join(dir, 'actors', 'chain.json'), '[]');
mkdirSync(join(dir, 'actors', 'folder.wasm'));

let counter = 0;
function manifestFile(text: string): string {
  const path = join(dir, 'actors', `m${counter++}.toml`);
  writeFileSync(path, text);
  return path;
}

const HEAD = 'name = "clocks"\nversion = "0.1.0"\ncomponent = "./actor.wasm"\n';

function manifestError(text: string): ManifestError {
  const path = manifestFile(text);
  try {
    loadManifest(path);
  } catch (error) {
    assert.instance(error, ManifestError);
    const e = error as ManifestError;
    assert.is(e.file, path);
    assert.not.match(e.message, /\n/);
    return e;
  }
  throw new Error(`expected a ManifestError for:\n${text}`);
}

/** The message with the file name cut off, for compact assertions. */
const detail = (text: string): string => {
  const error = manifestError(text);
  return error.message.slice(error.file.length);
};

const load = suite('loadManifest: valid');

load('the seed manifest, in full', () => {
  const path = manifestFile(`${HEAD}description = "WASI clocks test"\nsave_chain = true\n\n[[handler]]\ntype = "timing"\nmax_sleep_duration = 3600000\nmin_sleep_duration = 1\n`);
  assert.equal(loadManifest(path), {
    name: 'clocks',
    version: '0.1.0',
    component: join(dir, 'actors', 'actor.wasm'),
    init_state: null,
    description: 'WASI clocks test',
    save_chain: true,
    durable: null,
    hibernate_after: null,
    handlers: [{ type: 'timing', config: { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 } }],
    dir: join(dir, 'actors'),
    path,
    warnings: [],
  });
});

load('defaults: no description, save_chain false, handler config defaults, no handlers', () => {
  const minimal = loadManifest(manifestFile(HEAD));
  assert.equal([minimal.description, minimal.save_chain, minimal.handlers], [undefined, false, []]);
  assert.not.ok('description' in minimal);
  const defaults = loadManifest(manifestFile(`${HEAD}[[handler]]\ntype = "timing"\n`));
  assert.equal(defaults.handlers, [{ type: 'timing', config: { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 10_000, max_events: 1_000_000 } }]);
});

load('component resolves against the manifest folder, not the cwd; relative manifest paths work', () => {
  const path = manifestFile('name = "x"\nversion = "1"\ncomponent = "../actors/actor.wasm"\n');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const manifest = loadManifest(join('actors', path.split('/').at(-1) as string));
    assert.equal([manifest.component, manifest.path], [join(dir, 'actors', 'actor.wasm'), path]);
  } finally {
    process.chdir(cwd);
  }
});

load('unknown top-level keys are warnings, not errors', () => {
  const path = manifestFile(`${HEAD}short_description = "x"\n[interface]\nimplements = "x"\n`);
  assert.equal(loadManifest(path).warnings, [`${path}: short_description: unknown field, ignored`, `${path}: interface: unknown field, ignored`]);
});

load('Theater style: package, init_state, Theater handler types (one warning naming them), replay with its chain', () => {
  const path = manifestFile('name = "t"\nversion = "1"\npackage = "./actor.wasm"\ninit_state = "state.bin"\n'
    + '[[handler]]\ntype = "runtime"\n[[handler]]\ntype = "timing"\nmax_pollables = 7\n'
    + '[[handler]]\ntype = "store"\nanything = [1, 2]\n[[handler]]\ntype = "replay"\nchain = "chain.json"\n');
  const manifest = loadManifest(path);
  assert.is(manifest.component, join(dir, 'actors', 'actor.wasm'));
  assert.equal(manifest.init_state, { path: join(dir, 'actors', 'state.bin'), bytes: Uint8Array.of(0, 1, 0xff) });
  assert.equal(manifest.handlers, [
    { type: 'runtime' },
    { type: 'timing', config: { max_sleep_duration: 3_600_000, min_sleep_duration: 1, max_pollables: 7, max_events: 1_000_000 } },
    { type: 'store' },
    { type: 'replay', chain: join(dir, 'actors', 'chain.json') },
  ]);
  assert.equal(manifest.warnings, [
    `${path}: handler: runtime, store: Theater handler types not served by this host, ignored (an actor that imports their interfaces will not start)`,
  ]);
  assert.is(KNOWN_HANDLER_TYPES.join(', '), KNOWN);
});

load.run();

const errors = suite('loadManifest: errors');

errors('unreadable manifest file', () => {
  const path = join(dir, 'missing.toml');
  try {
    loadManifest(path);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ManifestError);
    assert.is((error as Error).message, `${path}: cannot read manifest (ENOENT)`);
  }
});

errors('bad TOML, with line and column', () => {
  const error = manifestError(`${HEAD}max = [\nbroken =\n`);
  assert.equal([error.line, error.column, error.path], [5, 1, null]);
  assert.is(error.message, `${error.file}:5:1: invalid TOML: invalid value`);
  assert.is(detail('name = "a"\nname = "b"\n'), ':2:1: invalid TOML: trying to redefine an already defined table or value');
});

errors('missing required fields, one at a time', () => {
  assert.is(detail('version = "1"\ncomponent = "./actor.wasm"\n'), ': name: missing required field');
  assert.is(detail('name = "a"\ncomponent = "./actor.wasm"\n'), ': version: missing required field');
  assert.is(detail('name = "a"\nversion = "1"\n'), ': package: missing required field (or its older name, component)');
});

errors('package and component both given: both named', () => {
  const both = manifestError(`${HEAD}package = "./actor.wasm"\n`);
  assert.is(both.path, 'package, component');
  assert.is(both.message, `${both.file}: package, component: both given; they name the same thing (Theater renamed component to package), keep one`);
  assert.is(detail('name = "a"\nversion = "1"\npackage = "./nope.wasm"\n'), `: package: cannot read "${join(dir, 'actors', 'nope.wasm')}" (ENOENT)`);
  assert.is(detail('name = "a"\nversion = "1"\npackage = 3\n'), ': package: expected a non-empty string, got 3 (number)');
});

errors('init_state: unreadable, not a file, not a string', () => {
  const missing = manifestError(`${HEAD}init_state = "gone.json"\n`);
  assert.is(missing.path, 'init_state');
  assert.is(missing.message, `${missing.file}: init_state: cannot read "${join(dir, 'actors', 'gone.json')}" (ENOENT)`);
  assert.is(detail(`${HEAD}init_state = "./folder.wasm"\n`), `: init_state: cannot read "${join(dir, 'actors', 'folder.wasm')}" (not a file)`);
  assert.is(detail(`${HEAD}init_state = 1\n`), ': init_state: expected a non-empty string, got 1 (number)');
});

errors('replay: chain missing, not a string, unreadable, or an unknown key', () => {
  const R = `${HEAD}[[handler]]\ntype = "replay"\n`;
  assert.is(detail(R), ': handler[0].chain: missing required field (the recorded chain to replay)');
  assert.is(detail(`${R}chain = ""\n`), ': handler[0].chain: expected a non-empty string, got "" (string)');
  assert.is(detail(`${R}chain = "nope.json"\n`), `: handler[0].chain: cannot read "${join(dir, 'actors', 'nope.json')}" (ENOENT)`);
  assert.is(detail(`${R}chain = "chain.json"\nspeed = 2\n`), ': handler[0].speed: unknown key (known: chain), got 2 (number)');
});

errors('wrong types', () => {
  assert.is(detail('name = 5\nversion = "1"\ncomponent = "./actor.wasm"\n'), ': name: expected a non-empty string, got 5 (number)');
  assert.is(detail('name = ""\nversion = "1"\ncomponent = "./actor.wasm"\n'), ': name: expected a non-empty string, got "" (string)');
  assert.is(detail('name = "a"\nversion = 0.1\ncomponent = "./actor.wasm"\n'), ': version: expected a non-empty string, got 0.1 (number)');
  assert.is(detail(`${HEAD}description = ["a"]\n`), ': description: expected a non-empty string, got ["a"] (array)');
  assert.is(detail(`${HEAD}save_chain = "yes"\n`), ': save_chain: expected a boolean, got "yes" (string)');
  assert.is(detail(`${HEAD}handler = "timing"\n`), ': handler: expected an array of tables ([[handler]]), got "timing" (string)');
  assert.is(detail(`${HEAD}handler = [1]\n`), ': handler[0]: expected a table, got 1 (number)');
  assert.is(detail(`${HEAD}[[handler]]\ntype = "timing"\nmax_sleep_duration = "1h"\n`), ': handler[0].max_sleep_duration: expected a non-negative safe integer (milliseconds), got "1h" (string)');
  assert.is(detail(`${HEAD}[[handler]]\ntype = "timing"\nmin_sleep_duration = 1.5\n`), ': handler[0].min_sleep_duration: expected a non-negative safe integer (milliseconds), got 1.5 (number)');
});

errors('component file missing, or not a file', () => {
  const missing = manifestError('name = "a"\nversion = "1"\ncomponent = "./nope.wasm"\n');
  assert.is(missing.path, 'component');
  assert.is(missing.message, `${missing.file}: component: cannot read "${join(dir, 'actors', 'nope.wasm')}" (ENOENT)`);
  assert.is(detail('name = "a"\nversion = "1"\ncomponent = "./folder.wasm"\n'), `: component: cannot read "${join(dir, 'actors', 'folder.wasm')}" (not a file)`);
});

errors('an unreadable component file', () => {
  if (process.getuid?.() === 0) return; // root reads anything
  const locked = join(dir, 'actors', 'locked.wasm');
  writeFileSync(locked, '');
  chmodSync(locked, 0o000);
  assert.is(detail('name = "a"\nversion = "1"\ncomponent = "./locked.wasm"\n'), `: component: cannot read "${locked}" (EACCES)`);
});

errors('negative numbers and min > max', () => {
  const negative = manifestError(`${HEAD}[[handler]]\ntype = "timing"\nmax_sleep_duration = -5\n`);
  assert.is(negative.path, 'handler[0].max_sleep_duration');
  assert.is(negative.message, `${negative.file}: handler[0].max_sleep_duration: expected a non-negative safe integer (milliseconds), got -5 (number)`);
  assert.is(detail(`${HEAD}[[handler]]\ntype = "timing"\nmax_sleep_duration = 10\nmin_sleep_duration = 20\n`), ': handler[0].min_sleep_duration: 20 exceeds max_sleep_duration 10');
});

errors('handler types: unknown, missing, not a string, duplicated', () => {
  const unknown = manifestError(`${HEAD}[[handler]]\ntype = "timing"\n[[handler]]\ntype = "foo"\n`);
  assert.is(unknown.path, 'handler[1].type');
  assert.is(unknown.message, `${unknown.file}: handler[1].type: unknown handler type "foo" (known: ${KNOWN})`);
  assert.is(detail(`${HEAD}[[handler]]\nmax_sleep_duration = 5\n`), `: handler[0].type: missing (known: ${KNOWN})`);
  assert.is(detail(`${HEAD}[[handler]]\ntype = 3\n`), `: handler[0].type: unknown handler type 3 (number) (known: ${KNOWN})`);
  assert.is(detail(`${HEAD}[[handler]]\ntype = "timing"\n[[handler]]\ntype = "timing"\n`), ': handler[1].type: duplicate handler type "timing" (already at handler[0])');
});

errors('unknown keys in a handler table are errors', () => {
  assert.is(detail(`${HEAD}[[handler]]\ntype = "timing"\nmax_sleep_duraton = 5\n`), ': handler[0].max_sleep_duraton: unknown key (known: max_sleep_duration, min_sleep_duration, max_pollables, max_events, max_cpu_ms, max_hold_ms), got 5 (number)');
});

errors.after(() => rmSync(dir, { recursive: true, force: true }));
errors.run();
