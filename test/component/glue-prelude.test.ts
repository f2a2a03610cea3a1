// hoistPrelude: jco 1.11.2's stateless prelude moves to the module's top level,
// its per-instance state stays, and any other shape of glue is left alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hoistPrelude } from '../../src/component/glue-prelude.ts';
import { transpileComponent } from '../../src/component/transpile.ts';

const HEADER = 'export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {\n';
const TAIL = "  if (!getCoreModule) getCoreModule = (name) => name;\n  return { ComponentError, utf8Decoder, symbolRscHandle, handleTables };\n}\n";
const PRELUDE = [
  '  ',
  '  class ComponentError extends Error {',
  '    constructor (value) {',
  '      super(value);',
  '    }',
  '  }',
  '  ',
  '  let curResourceBorrows = [];',
  '  ',
  '  const handleTables = [];',
  '  ',
  "  const symbolRscHandle = Symbol('handle');",
  '  ',
  '  const utf8Decoder = new TextDecoder();',
  '  ',
  '',
].join('\n');
const GLUE = `${HEADER}${PRELUDE}${TAIL}`;

async function load(source: string): Promise<{ instantiate(g: unknown, i: unknown): Record<string, unknown> }> {
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

test('the stateless declarations move above instantiate, whole and dedented; the stateful ones stay, in order', () => {
  const out = hoistPrelude(GLUE);
  const [top, body] = out.split(HEADER);
  assert.is(top, ['class ComponentError extends Error {', '  constructor (value) {', '    super(value);', '  }', '}', '', 'const utf8Decoder = new TextDecoder();', '', ''].join('\n'));
  assert.is(body, ['  ', '  let curResourceBorrows = [];', '  ', '  const handleTables = [];', '  ', "  const symbolRscHandle = Symbol('handle');", '  ', TAIL].join('\n'));
});

test('instances share the hoisted class and decoder, and keep their own resource symbol and tables', async () => {
  const glue = await load(hoistPrelude(GLUE));
  const [a, b] = [glue.instantiate(null, {}), glue.instantiate(null, {})];
  assert.is(a.ComponentError, b.ComponentError);
  assert.is(a.utf8Decoder, b.utf8Decoder);
  assert.is.not(a.symbolRscHandle, b.symbolRscHandle);
  assert.is.not(a.handleTables, b.handleTables);
});

test('glue of another shape is returned unchanged', () => {
  for (const other of [
    GLUE.replace('instantiateCore = WebAssembly.instantiate', 'instantiateCore'), // another header
    GLUE.replace('if (!getCoreModule)', 'if (getCoreModule === undefined)'), // no prelude end
    `${HEADER}  let dv = null;\n${TAIL}`, // nothing to hoist
    '',
  ]) assert.is(hoistPrelude(other), other);
});

test("jco's own glue for the sleeper has the shape: its prelude is hoisted, its resource symbol stays per instance", async () => {
  const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'test-actors', 'build', 'sleeper.wasm')));
  const cacheDir = mkdtempSync(join(tmpdir(), 'glue-prelude-'));
  try {
    const component = await transpileComponent(bytes, { mode: 'jspi', cacheDir, memo: false });
    const source = readFileSync(join(cacheDir, component.key, 'component.mjs'), 'utf8');
    const [top, body] = hoistPrelude(source).split(HEADER);
    for (const name of ['class ComponentError', 'function rscTableCreateOwn', 'function rscTableRemove', 'const utf8Decoder', 'const toUint64']) {
      assert.ok(top.includes(`\n${name}`) || top.startsWith(name), `${name} hoisted`);
    }
    assert.ok(body.includes("const symbolRscHandle = Symbol('handle');"));
    assert.ok(body.includes('const handleTables = [];'));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test.run();
