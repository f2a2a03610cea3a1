// The adapters are typechecked against jco's generated declarations in
// src/wasi/jco/. This test regenerates them with the pinned jco and fails when
// the committed copies drift: a jco upgrade must re-run scripts/gen-jco-types.ts
// and pass the typecheck again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateJcoTypes, INTERFACE_FILES, OUT_DIR } from '../../scripts/gen-jco-types.ts';

test('committed jco declarations match what the pinned jco generates', async () => {
  const generated = await generateJcoTypes();
  assert.equal([...generated.keys()].sort(), [...INTERFACE_FILES].sort());
  for (const [name, text] of generated) {
    assert.fixture(readFileSync(join(OUT_DIR, name), 'utf8'), text, `${name} is stale: run node scripts/gen-jco-types.ts`);
  }
});

test.run();
