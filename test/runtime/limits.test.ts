import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressSpaceLimit, defaultMaxLive, FALLBACK_MAX_MAP_COUNT, MAP_BUDGET_SHARE, MAPPINGS_PER_ACTOR, maxLiveCeiling,
  maxMapCount, USER_ADDRESS_SPACE, WASM_MEMORY_RESERVATION,
} from '../../src/runtime/limits.ts';

const dir = mkdtempSync(join(tmpdir(), 'theater-limits-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const GiB = 2 ** 30;
/** /proc/self/limits as Linux prints it, with the given soft and hard address-space limits. */
const limits = (soft: string, hard = soft) => [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max stack size            8388608              unlimited            bytes     ',
  `Max address space         ${soft.padEnd(20)} ${hard.padEnd(20)} bytes     `,
  'Max open files            20000                20000                files     ',
  '',
].join('\n');

test('maxMapCount reads the kernel limit, and falls back on a missing or garbled file', () => {
  assert.is(maxMapCount(file('ok', '262144\n')), 262_144);
  assert.is(maxMapCount(join(dir, 'missing')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('garbage', 'lots\n')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('empty', '')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('zero', '0\n')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('negative', '-5\n')), FALLBACK_MAX_MAP_COUNT);
  assert.is(maxMapCount(file('fraction', '1.5\n')), FALLBACK_MAX_MAP_COUNT);
  assert.ok(maxMapCount() > 0);
});

test('addressSpaceLimit reads the soft ulimit -v, capped at the 47-bit user address space', () => {
  assert.is(addressSpaceLimit(file('unlimited', limits('unlimited'))), USER_ADDRESS_SPACE);
  assert.is(addressSpaceLimit(file('64g', limits(String(64 * GiB), 'unlimited'))), 64 * GiB);
  assert.is(addressSpaceLimit(file('huge', limits(String(2 ** 52)))), USER_ADDRESS_SPACE);
  assert.is(addressSpaceLimit(file('no-line', 'Max open files 1 1 files\n')), USER_ADDRESS_SPACE);
  assert.is(addressSpaceLimit(file('zero-as', limits('0'))), USER_ADDRESS_SPACE);
  assert.is(addressSpaceLimit(join(dir, 'missing')), USER_ADDRESS_SPACE);
  assert.ok(addressSpaceLimit() > 0);
});

test('defaultMaxLive: 6 mappings per actor against 60% of vm.max_map_count, within 60% of the address space', () => {
  assert.is(MAPPINGS_PER_ACTOR, 6);
  assert.is(MAP_BUDGET_SHARE, 0.6);
  assert.is(defaultMaxLive(65_530, USER_ADDRESS_SPACE), 6_553, 'the Linux default: 65530 * 0.6 / 6');
  assert.is(defaultMaxLive(80_000, USER_ADDRESS_SPACE), 8_000);
  // A raised vm.max_map_count leaves the address space as the limit: 2^47 * 0.6 / 8 GiB.
  assert.is(Math.floor((USER_ADDRESS_SPACE * 0.6) / WASM_MEMORY_RESERVATION), 9_830);
  assert.is(defaultMaxLive(262_144, USER_ADDRESS_SPACE), 9_830);
  assert.is(defaultMaxLive(65_530, 64 * GiB), 4, 'ulimit -v 64G: 64 * 0.6 / 8');
  assert.is(defaultMaxLive(1, USER_ADDRESS_SPACE), 1, 'never below one actor');
  assert.is(defaultMaxLive(65_530, GiB), 1);
  assert.is(defaultMaxLive(), defaultMaxLive(maxMapCount(), addressSpaceLimit()));
  assert.is(defaultMaxLive(12_345), defaultMaxLive(12_345, addressSpaceLimit()));
});

test('maxLiveCeiling: 4 mappings and 8 GiB per actor, less Node\'s own, with no margin', () => {
  assert.is(maxLiveCeiling(65_530, USER_ADDRESS_SPACE), 16_126, '(65530 - 1024) / 4');
  assert.is(maxLiveCeiling(262_144, USER_ADDRESS_SPACE), 16_382, '(2^47 - 16 GiB) / 8 GiB');
  assert.is(maxLiveCeiling(65_530, 64 * GiB), 6, '(64 - 16) / 8: 6 fitted under ulimit -v 64G, 7 did not');
  assert.is(maxLiveCeiling(100, GiB), 1);
  assert.ok(maxLiveCeiling() > defaultMaxLive(), 'the default leaves a margin below the ceiling');
  assert.is(maxLiveCeiling(), maxLiveCeiling(maxMapCount(), addressSpaceLimit()));
});

test.run();
