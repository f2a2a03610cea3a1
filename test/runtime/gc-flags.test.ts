// The V8 flag a fleet sets (runtime/gc-flags.ts): this Node knows it, and setting it twice is once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { applyFleetV8Flags, FLEET_V8_FLAGS, FLEET_V8_FLAGS_SINCE } from '../../src/runtime/gc-flags.ts';

test('this Node accepts every flag in FLEET_V8_FLAGS (a renamed flag would be refused, not ignored)', () => {
  assert.equal(FLEET_V8_FLAGS, ['--external-memory-accounted-in-global-limit']);
  assert.ok(Number.parseInt(process.versions.v8, 10) >= FLEET_V8_FLAGS_SINCE, 'this Node is one they are set on');
  const r = spawnSync(process.execPath, [...FLEET_V8_FLAGS, '-e', '0'], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  const bad = spawnSync(process.execPath, ['--external-memory-accounted-in-global-limits', '-e', '0'], { encoding: 'utf8' });
  assert.is.not(bad.status, 0, 'a misspelt flag is refused: the check above can fail');
});

test('applyFleetV8Flags sets them at run time, once however often it is called, and not on an older V8', () => {
  assert.is(applyFleetV8Flags('11.3.244.8-node.33'), false);
  assert.is(applyFleetV8Flags(), true);
  assert.is(applyFleetV8Flags(), true);
  assert.is(applyFleetV8Flags('13.6.233.10-node.27'), false);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { applyFleetV8Flags } from ${JSON.stringify(new URL('../../src/runtime/gc-flags.ts', import.meta.url).href)}; applyFleetV8Flags(); applyFleetV8Flags();`], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
});

test.run();
