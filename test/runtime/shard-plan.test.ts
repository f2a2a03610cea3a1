import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_SHARDS, MIN_INSTANCES_PER_CORE_SHARD, planShards, shardSlice } from '../../src/runtime/shard-plan.ts';

const plan = (instances: number, maxLive = 6_553, parallelism = 2, shards: number | null = null) => planShards({ instances, maxLive, parallelism, shards });

test('small fleets stay in one process', () => {
  assert.equal(plan(1), { count: 1, reason: 'single' });
  assert.equal(plan(MIN_INSTANCES_PER_CORE_SHARD * 2 - 1, 100_000), { count: 1, reason: 'single' });
  assert.equal(plan(4_999), { count: 1, reason: 'single' });
  assert.equal(plan(5_000), { count: 2, reason: 'cores' });
  assert.equal(plan(50_000, 6_553, 1, null).count, 8, 'one core: only the cap splits');
});

test('enough instances use every core; more than the cap per process need more shards', () => {
  assert.equal(plan(MIN_INSTANCES_PER_CORE_SHARD * 2, 100_000), { count: 2, reason: 'cores' });
  assert.equal(plan(40_000, 6_553, 16), { count: 16, reason: 'cores' });
  assert.equal(plan(10_000, 6_553, 2), { count: 2, reason: 'cap' });
  assert.equal(plan(30_000), { count: 5, reason: 'cap' });
  assert.equal(plan(100_000), { count: 16, reason: 'cap' });
  assert.equal(plan(7, 2, 1), { count: 4, reason: 'cap' });
  assert.equal(plan(10 ** 9, 1, 2).count, MAX_SHARDS);
});

test('--shards overrides the rule, never past the instances', () => {
  assert.equal(plan(30_000, 6_553, 2, 1), { count: 1, reason: 'override' });
  assert.equal(plan(10, 6_553, 2, 3), { count: 3, reason: 'override' });
  assert.equal(plan(2, 6_553, 2, 8), { count: 2, reason: 'override' });
});

test('bad inputs are refused, naming the field', () => {
  assert.throws(() => plan(0), /^instances must be a positive integer, got 0$/);
  assert.throws(() => plan(5, 0), /maxLive must be a positive integer, got 0/);
  assert.throws(() => plan(5, 1, 1.5), /parallelism must be a positive integer, got 1.5/);
  assert.throws(() => plan(5, 1, 1, 0), /shards must be a positive integer, got 0/);
  assert.throws(() => plan(5, 1, 1, MAX_SHARDS + 1), new RegExp(`shards must be at most ${MAX_SHARDS}, got ${MAX_SHARDS + 1}`));
});

test('slices are contiguous, cover every instance once, and differ in size by at most one', () => {
  for (const [n, k] of [[1, 1], [10, 3], [30_000, 5], [7, 7], [100_001, 16]]) {
    const slices = Array.from({ length: k }, (_, i) => shardSlice(n, i, k));
    let next = 0;
    for (const s of slices) {
      assert.is(s.first, next);
      next += s.instances;
    }
    assert.is(next, n);
    const sizes = slices.map((s) => s.instances);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${n}/${k}: ${sizes.join(',')}`);
  }
  assert.equal(shardSlice(10, 2, 3), { index: 2, first: 6, instances: 4 });
  assert.throws(() => shardSlice(10, 3, 3), /shard index must be an integer in 0..2, got 3/);
  assert.throws(() => shardSlice(10, -1, 3), /shard index must be an integer in 0..2, got -1/);
  assert.throws(() => shardSlice(2, 0, 3), /shard count 3 is more than the 2 instances/);
  assert.throws(() => shardSlice(2, 0, 0), /shard count must be a positive integer, got 0/);
});

test.run();
