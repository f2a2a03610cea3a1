import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMaxLive, FALLBACK_MAX_MAP_COUNT, maxMapCount } from '../../src/runtime/limits.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-limits-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('maxMapCount reads the kernel limit, and falls back on a missing or garbled file', () => {
  assert.is(maxMapCount(file('ok', '262144\n')), 262_144);
  assert.is(maxMapCount(join(dir, 'missing')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('garbage', 'lots\n')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('zero', '0\n')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('negative', '-5\n')), FALLBACK_MAX_MAP_COUNT);
  assert.ok(maxMapCount() > 0);
});

test('defaultMaxLive budgets 6 mappings per actor against 60% of the limit', () => {
  assert.is(defaultMaxLive(65_530), 6_553);
  assert.is(defaultMaxLive(262_144), 26_214);
  assert.is(defaultMaxLive(1), 1, 'never below one actor');
  assert.is(defaultMaxLive(), defaultMaxLive(maxMapCount()));
});

test.run();
