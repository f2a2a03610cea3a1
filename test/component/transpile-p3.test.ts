// WASI 0.3 components: detected by their imports, transpiled by the pinned
// jco-transpile, and their sync-lowered monotonic-clock imports served at the
// core level. The shape tests here fail when a new transpiler changes the glue
// this project replaces imports in (docs/P3.md says what to re-check then).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { coreClocksFit, P3_GLUE_SHAPE, P3_TRANSPILER_VERSION, p3TranspilerVersion, transpileComponent } from '../../src/component/transpile.ts';
import { readEntry, GLUE } from '../../src/component/transpile-cache.ts';
import { openCacheFolder } from '../../src/component/cache-folder.ts';
import { MixedWasiError, wasiNames, wasiPreview } from '../../src/component/wasi-preview.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import { join } from 'node:path';
import { actorWasm, tempDir } from '../cli/support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(actorWasm(name)));
type Actor = { 'theater:simple/actor': { init(state?: Uint8Array): Promise<[Uint8Array | undefined]> } };

test('the pinned transpiler is the one installed', () => {
  assert.is(p3TranspilerVersion(), P3_TRANSPILER_VERSION);
});

test('which WASI: from the interface names in the bytes; both in one component is one clear error', () => {
  assert.is(wasiPreview(bytes('sleeper')), 'p2');
  assert.is(wasiPreview(bytes('p3-clocks-test')), 'p3');
  assert.equal(wasiNames(bytes('p3-clocks-test')).p3, ['wasi:clocks/monotonic-clock@0.3.0', 'wasi:clocks/system-clock@0.3.0', 'wasi:clocks/types@0.3.0']);
  const mixed = new TextEncoder().encode('..wasi:io/poll@0.2.3..wasi:clocks/monotonic-clock@0.3.0..');
  assert.throws(() => wasiPreview(mixed), (e: unknown) => e instanceof MixedWasiError && !e.message.includes('\n')
    && e.message === 'the component imports both WASI 0.2 (wasi:io/poll@0.2.3) and WASI 0.3 (wasi:clocks/monotonic-clock@0.3.0); one component must use one WASI version (rebuild it for 0.3, or for 0.2)');
  assert.is(wasiPreview(new TextEncoder().encode('no names')), 'p2');
});

test('the generated glue has the pinned shape: core imports keyed by the versioned interface, WIT names as fields', async () => {
  const component = await transpileComponent(bytes('p3-clocks-test'), { mode: 'jspi', cacheDir: dir, memo: false });
  assert.is(component.wasi, 'p3');
  assert.is(component.jcoVersion, `jco-transpile ${P3_TRANSPILER_VERSION}`);
  assert.ok(component.coreClocks, 'the core-level clocks are in use');
  assert.ok(component.liftsInit, 'init is lifted by us');
  assert.equal([...component.importNames], ['wasi:clocks/monotonic-clock', 'wasi:clocks/system-clock']);
  const entry = readEntry(join(dir, component.key), component.key, component.jcoVersion, openCacheFolder(dir)!.secret);
  assert.ok(entry !== null && entry.meta.coreClocks === true);
  const glue = entry!.glueSource;
  assert.match(glue, P3_GLUE_SHAPE);
  // The four names the core module imports, as the glue hands them over (what core.ts replaces).
  for (const field of ["'get-resolution': Object.assign(trampoline", "now: Object.assign(trampoline", "'wait-for': trampoline", "'wait-until': trampoline"]) {
    assert.ok(glue.includes(field), `the glue no longer passes ${field}`);
  }
  // The costs the fast path avoids are where docs/P3.md says they are.
  assert.ok(glue.includes('globalThis?.process?.env?.JCO_DEBUG'), '_debugLog reads the environment on every call');
  assert.ok(glue.includes('createNewCurrentTask({'));
  assert.ok(readFileSync(join(dir, component.key, GLUE), 'utf8') === glue);
  assert.not.ok(coreClocksFit(glue, '0.16.0'), 'another transpiler version: the glue serves the clocks');
  assert.not.ok(coreClocksFit(glue.replace(/'wasi:clocks\/monotonic-clock@0\.3\.0': \{/g, "'x': {")), 'another shape: the glue serves the clocks');
  // A second load comes from the disk cache, with the same verdict.
  const again = await transpileComponent(bytes('p3-clocks-test'), { mode: 'jspi', cacheDir: dir, memo: false });
  assert.is(again.origin, 'disk');
  assert.ok(again.coreClocks);
});

test('the core path serves the guest (both clocks, and init): the glue-level functions are never called', async () => {
  const component = await transpileComponent(bytes('p3-clocks-test'), { mode: 'jspi', cacheDir: false });
  const handler = new TimingHandler({ min_sleep_duration: 1 });
  const events = new EventRecorder();
  const instance = handler.instantiate({ actorId: 'p3', events });
  const monotonic = instance.imports['wasi:clocks/monotonic-clock'] as Record<string, unknown>;
  const trip = (name: string) => () => { throw new Error(`the glue called ${name}`); };
  const system = instance.imports['wasi:clocks/system-clock'] as Record<string, unknown>;
  const imports = {
    ...instance.imports,
    'wasi:clocks/monotonic-clock': { ...monotonic, now: trip('now'), getResolution: trip('getResolution'), waitFor: trip('waitFor'), waitUntil: trip('waitUntil') },
    'wasi:clocks/system-clock': { ...system, now: trip('system now'), getResolution: trip('system getResolution') },
  };
  const actor = component.instantiateSync<Actor>(imports);
  const [state] = await actor['theater:simple/actor'].init();
  assert.is(new TextDecoder().decode(state), 'p3-clocks-test: all checks passed');
  const kinds = new Set(events.events.map((e) => e.type));
  for (const type of ['WaitFor', 'WaitUntil', 'MonotonicClockGetResolution', 'SystemClockNow', 'SystemClockResolution', 'SleepClamped']) assert.ok(kinds.has(type as never), type);
  instance.dispose();
});

test('an async-lifted init (async built-ins): the glue keeps its own init and the async lowering; our clocks still serve its now', async () => {
  const component = await transpileComponent(bytes('p3-async-sleeper'), { mode: 'jspi', cacheDir: false });
  assert.ok(component.coreClocks);
  assert.not.ok(component.liftsInit, 'the glue lifts an async init');
});

test('a p3 component refuses sync mode, and a mixed one is refused before transpiling', async () => {
  await transpileComponent(bytes('p3-sleeper'), { mode: 'sync', cacheDir: false }).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /a WASI 0\.3 component waits by suspending: it needs mode "jspi"/),
  );
  const p3 = bytes('p3-sleeper');
  // A custom section (id 0) naming a 0.2 interface, appended to a p3 component.
  const name = new TextEncoder().encode('note');
  const payload = new TextEncoder().encode('wasi:io/poll@0.2.3');
  const section = new Uint8Array([0, 1 + name.length + payload.length, name.length, ...name, ...payload]);
  const mixed = new Uint8Array([...p3, ...section]);
  await transpileComponent(mixed, { mode: 'jspi', cacheDir: false }).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /^transpileComponent: the component imports both WASI 0\.2 \(wasi:io\/poll@0\.2\.3\) and WASI 0\.3/),
  );
});

test.run();
