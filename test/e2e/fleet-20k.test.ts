// Issue 5's robustness check, on every run: 20 000 sleeping actors through the
// CLI in ONE process (--shards 1) complete under the default live-actor cap
// instead of exhausting the process (20 000 concurrently suspended actors once
// hung for 20 minutes). fleet-30k.test.ts covers the sharded default.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { defaultMaxLive } from '../../src/runtime/limits.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('theater-timing run --instances 20000 --shards 1 completes every instance under the default cap', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'theater-timing.js'), 'run', join(ROOT, 'test-actors', 'sleeper', 'manifest.toml'),
    '--instances', '20000', '--shards', '1', '--json', '--state-hex', '40420f0000000000'], { encoding: 'utf8', timeout: 300_000 }); // each sleeps 1 ms
  assert.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { ok: boolean; instances: number; outcomes: { ok: number }; maxLive: number; peakLive: number };
  assert.is(out.ok, true);
  assert.is(out.instances, 20_000);
  assert.is(out.outcomes.ok, 20_000);
  assert.is(out.maxLive, defaultMaxLive());
  assert.ok(out.maxLive < 20_000, 'the cap is what makes this run possible');
  assert.ok(out.peakLive <= out.maxLive, `peak ${out.peakLive} over cap ${out.maxLive}`);
});

test.run();
