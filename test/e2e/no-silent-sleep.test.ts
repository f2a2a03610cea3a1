// No silent non-sleep (issue 19.1): the sleeper (100 ms) transpiled by jco's real
// transpile with and without the JSPI flags, served by our imports in the default
// mode ('auto', JSPI here). With the flags it waits ≥ 100 ms; without them it must
// trap naming the flags (never "sleep" ~1 ms); in mode 'sync' it blocks the full
// 100 ms. Real time, wide bounds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { buildActors } from '../../scripts/build-actors.ts';
import { transpileComponent } from '../../src/component/transpile.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { NOT_AWAITED } from '../../src/wasi/handoff.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';

const [built] = await buildActors({ only: ['sleeper'] });
const bytes = new Uint8Array(readFileSync(built.outPath));
const EXPORT = 'theater:simple/actor#init';

type CoreImports = Record<string, Record<string, unknown>>;
type Init = (state?: Uint8Array) => unknown;
interface Glue {
  instantiate(getCoreModule: (name: string) => object, imports: object, instantiateCore?: (m: object, i: CoreImports) => Promise<object>): Promise<{ actor: { init: Init } }>;
}
const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object>; instantiate(m: object, i: CoreImports): Promise<object> } }).WebAssembly;

/** jco's own transpile (`--instantiation async`), as a user would run it; no cache, no instrumentation. */
async function jcoGlue(jspi: boolean): Promise<(imports: object) => Promise<Init>> {
  const jco = await import('@bytecodealliance/jco/component');
  const out = await jco.generate(bytes, {
    name: 'sleeper',
    instantiation: { tag: 'async' },
    ...(jspi ? { asyncMode: { tag: 'jspi', val: { imports: ['wasi:io/poll#poll', 'wasi:io/poll#[method]pollable.block'], exports: [EXPORT] } } } : {}),
  });
  const source = new TextDecoder().decode(out.files.find(([name]) => name === 'sleeper.js')![1]);
  const glue = (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as Glue;
  const modules = new Map<string, object>();
  for (const [name, data] of out.files) if (name.endsWith('.wasm')) modules.set(name, await wasm.compile(data));
  return async (imports) => {
    const instance = await glue.instantiate((name) => modules.get(name)!, imports);
    return instance.actor.init.bind(instance.actor);
  };
}

function imports(mode: 'auto' | 'sync' = 'auto') {
  const handler = new TimingHandler({}, null, { mode, runtime: new TimingRuntime() });
  const instance = handler.instantiate({ actorId: 'sleeper', events: null });
  return { handler, instance };
}

test('the imports state the mode they serve; auto picks JSPI here', () => {
  const { handler, instance } = imports();
  assert.is(handler.mode, 'jspi');
  assert.is(instance.timing.mode, 'jspi');
  assert.is(instance.timing['wasi:io/poll'].mode, 'jspi');
  assert.equal(Object.keys(instance.imports).sort(), ['wasi:clocks/monotonic-clock', 'wasi:clocks/system-clock', 'wasi:clocks/wall-clock', 'wasi:io/poll']);
  assert.is(imports('sync').instance.timing.mode, 'sync');
});

test('with the JSPI flags: the 100 ms sleep waits ≥ 100 ms', async () => {
  const init = await (await jcoGlue(true))(imports().instance.imports);
  const t0 = performance.now();
  await init();
  const ms = performance.now() - t0;
  assert.ok(ms >= 99.9 && ms < 1100, `slept ${ms.toFixed(1)} ms`);
});

test('without the JSPI flags: the guest traps at its first call after the wait, naming the flags', async () => {
  const init = await (await jcoGlue(false))(imports().instance.imports);
  const t0 = performance.now();
  let error: unknown = null;
  try {
    await init();
  } catch (err) {
    error = err;
  }
  const ms = performance.now() - t0;
  assert.instance(error, Error);
  const message = (error as Error).message;
  assert.is(message, `wasi trap: ${NOT_AWAITED}`);
  for (const flag of ['--async-mode jspi', "--async-imports 'wasi:io/poll#poll'", "--async-imports 'wasi:io/poll#[method]pollable.block'", '--async-exports']) {
    assert.ok(message.includes(flag), flag);
  }
  assert.ok(message.includes("mode 'sync'"));
  assert.ok(ms < 100, `trapped after ${ms.toFixed(1)} ms`);
});

test("without the JSPI flags, in mode 'sync': the sleep blocks the thread the full 100 ms", async () => {
  const init = await (await jcoGlue(false))(imports('sync').instance.imports);
  const t0 = performance.now();
  await init();
  const ms = performance.now() - t0;
  assert.ok(ms >= 99.9 && ms < 1100, `slept ${ms.toFixed(1)} ms`);
});

test('our transpile refuses JSPI imports for a sync-mode component at instantiation, naming the flags', async () => {
  const component = await transpileComponent(bytes, { mode: 'sync', cacheDir: false, instrument: false });
  assert.throws(() => component.instantiateSync(imports().instance.imports), /transpiled in mode 'sync'.*--async-mode jspi --async-imports 'wasi:io\/poll#poll'/);
  // The matching mode instantiates.
  assert.ok(component.instantiateSync(imports('sync').instance.imports));
});

test.run();
