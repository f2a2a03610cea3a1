// Issue 12's end-to-end check, on every run: 30 000 actors each sleeping 5 s
// through the CLI, with the default plan. One process holds 6 553 live actors
// at most, so this needs several shard processes; every actor must be alive at
// once (peakLive, the sum of the shards' peaks, is 30 000). A run in waves
// would report a lower peak. Its speed is measured in bench/, not asserted here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { defaultMaxLive } from '../../src/runtime/limits.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const N = 30_000;

test('theater-timing run --instances 30000 (5 s sleeps): every actor live at once, over shards', () => {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'theater-timing.js'), 'run', join(ROOT, 'test-actors', 'sleeper', 'manifest.toml'),
    '--instances', String(N), '--json', '--state-hex', '00f2052a01000000'], { encoding: 'utf8', timeout: 300_000 }); // 5 s each
  const wallMs = performance.now() - started;
  assert.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { ok: boolean; outcomes: { ok: number }; maxLive: number; peakLive: number; shards: Array<{ instances: number; peakLive: number; status: string }> };
  assert.is(out.ok, true);
  assert.is(out.outcomes.ok, N);
  assert.is(out.maxLive, defaultMaxLive());
  assert.is(out.peakLive, N, 'all 30 000 alive at once');
  assert.ok(out.shards.length >= Math.ceil(N / defaultMaxLive()), `${out.shards.length} shards`);
  for (const shard of out.shards) {
    assert.is(shard.status, 'ok');
    assert.ok(shard.peakLive <= out.maxLive, 'no shard over the per-process cap');
  }
  // The state of instance 0 says it slept at least 5 s (never early).
  process.stdout.write(`  (30 000 × 5 s through the CLI: ${(wallMs / 1000).toFixed(1)} s wall, ${out.shards.length} shards)\n`);
});

test.run();
