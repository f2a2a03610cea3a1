/*
 * How many processes (shards) a fleet runs in, and which instances each runs.
 * Pure: the numbers in, a plan out (the CLI passes os.availableParallelism()
 * and the per-process live cap from limits.ts).
 *
 * Why processes: the limits on live actors (vm.max_map_count mappings and the
 * 47-bit address space for 8 GiB wasm reservations, see limits.ts) are per
 * process, and a process runs its JS on one core. Worker threads would share
 * both limits, so only more processes raise them.
 *
 * The rule, for N instances, a cap of C live actors per process and P cores:
 *   needed  = ceil(N / C)                           every instance alive at once
 *   byCores = min(P, floor(N / MIN_INSTANCES_PER_CORE_SHARD))
 *             more cores only where a fleet is big enough for the spawn time
 *             saved to pay for starting another Node process
 *   shards  = max(1, needed, byCores), at most N and at most MAX_SHARDS
 * `--shards N` overrides the rule (still at most the instance count); `--shards 1`
 * is one process, where instances over the cap wait in a FIFO queue.
 *
 * Slices are contiguous: shard i of K runs instances
 * [floor(i·N/K), floor((i+1)·N/K)), so the shards' chains concatenate in instance order.
 */

/**
 * Instances a shard must get before another core is worth another process.
 * Starting a shard (Node, the CLI bundle, the cached component) costs ~150 ms
 * and instantiating ~100 µs per instance, so splitting pays from a few
 * thousand. Measured through the CLI on the 2-core machine at load average
 * ~10 (5 000 × 100 ms, 5 runs each): one process 1.30–2.46 s (median 2.15),
 * two shards 1.51–2.94 s (median 1.74); p99 lateness at 5 000 × 1 s went
 * 1 312 → 154 ms in one bench run and 50 → 63 ms in another. Under that load
 * the machine decides more than the plan; on a quiet one the second core
 * halves instantiation and the resumes of each tick. Measured quiet
 * (2026-12-03, ~50 µs per instance): one process ends 5,000 × 100 ms ~60 ms
 * sooner than two shards (568 against 625 ms over one actor, median of 5),
 * while 5,000 × 1 s woke with p99 54 against 21 ms in one bench run and 16
 * against 28 ms in the next: not a reason to move the line, so it stays at 2,500.
 */
export const MIN_INSTANCES_PER_CORE_SHARD = 2_500;
/** More processes than this is a mistake, not a plan (each costs ~50 MiB before any actor). */
export const MAX_SHARDS = 256;

export interface ShardPlanInput {
  instances: number;
  /** The per-process live cap (defaultMaxLive(), or --max-live). */
  maxLive: number;
  /** os.availableParallelism(). */
  parallelism: number;
  /** --shards, or null for the rule above. */
  shards?: number | null;
}

export interface ShardPlan {
  count: number;
  /** Why this many, for --json and the docs. */
  reason: 'override' | 'single' | 'cap' | 'cores';
}

export interface ShardSlice {
  index: number;
  first: number;
  instances: number;
}

function positive(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${field} must be a positive integer, got ${String(value)}`);
}

export function planShards(input: ShardPlanInput): ShardPlan {
  const { instances, maxLive, parallelism } = input;
  positive('instances', instances);
  positive('maxLive', maxLive);
  positive('parallelism', parallelism);
  const override = input.shards ?? null;
  if (override !== null) {
    positive('shards', override);
    if (override > MAX_SHARDS) throw new RangeError(`shards must be at most ${MAX_SHARDS}, got ${override}`);
    return { count: Math.min(override, instances), reason: 'override' };
  }
  const needed = Math.ceil(instances / maxLive);
  const byCores = Math.min(parallelism, Math.floor(instances / MIN_INSTANCES_PER_CORE_SHARD));
  const count = Math.min(instances, MAX_SHARDS, Math.max(1, needed, byCores));
  if (count === 1) return { count, reason: 'single' };
  return { count, reason: needed >= byCores ? 'cap' : 'cores' };
}

/** The instances shard `index` of `count` runs. */
export function shardSlice(instances: number, index: number, count: number): ShardSlice {
  positive('instances', instances);
  positive('shard count', count);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`shard index must be an integer in 0..${count - 1}, got ${String(index)}`);
  }
  if (count > instances) throw new RangeError(`shard count ${count} is more than the ${instances} instances`);
  const first = Math.floor((index * instances) / count);
  const end = Math.floor(((index + 1) * instances) / count);
  return { index, first, instances: end - first };
}
