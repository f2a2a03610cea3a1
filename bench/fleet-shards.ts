// A sharded fleet, ours against the naive host (issue 14's sharded rows): the
// fleet is split as the CLI would split it (planShards), each share runs in a
// forked process with one peer's imports, every shard spawns first, and the
// sleep phases start together on one "go". Lateness is pooled from every
// guest's own readings, as in the single-process rows.
//
//   parent ─fork─► shard 0 … shard S-1   each: spawn its share, warm up, "ready"
//          ─"go"─► all at once           each: every init at once, lateness back
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import { defaultMaxLive } from '../src/runtime/limits.ts';
import { planShards, shardSlice } from '../src/runtime/shard-plan.ts';
import { TimingRuntime } from '../src/timing/timing-runtime.ts';
import { naiveImports } from './peers/naive-host.ts';
import { applyFleetV8Flags } from '../src/runtime/gc-flags.ts';
import { actorComponent, peerRegistry, runSleepers, type SleepRun } from './support.ts';

export { runSharded, type Peer, type ShardedRun };

type Peer = 'ours' | 'naive';

interface ShardedRun {
  shards: number;
  latenessMs: number[];
  /** From "go" to the last shard's last init settled. */
  sleepMs: number;
  /** CPU of every shard's sleep phase, summed. */
  cpuMs: number;
  rssMb: number;
  failed: number;
  /** GC pauses in the sleep phase: every shard's, counted; the longest of any. */
  gcCount: number;
  gcMaxMs: number;
}

interface ShardResult { latenessMs: number[]; cpuMs: number; rssMb: number; failed: number; gcCount: number; gcMaxMs: number }

const CHILD_FLAG = '--fleet-shard-child';

async function runSharded(peer: Peer, instances: number, sleepNs: bigint): Promise<ShardedRun> {
  const { count } = planShards({ instances, maxLive: defaultMaxLive(), parallelism: availableParallelism() });
  const children = Array.from({ length: count }, (_, index) => {
    const { instances: share } = shardSlice(instances, index, count);
    // As the CLI's shards: no waiting on the thread when there are more shards than cores.
    const activeWait = count <= availableParallelism();
    return fork(import.meta.filename, [CHILD_FLAG, peer, String(share), String(sleepNs), String(activeWait)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  });
  const ready = children.map((child) => new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`a ${peer} shard exited with ${String(code)} before it was ready`)));
  }));
  await Promise.all(ready);
  const results = children.map((child) => new Promise<ShardResult>((resolve) => child.once('message', (m) => resolve(m as ShardResult))));
  const started = performance.now();
  for (const child of children) child.send('go');
  const done = await Promise.all(results);
  const sleepMs = performance.now() - started;
  await Promise.all(children.map((child) => new Promise((resolve) => { child.once('exit', resolve); child.send('exit'); })));
  return {
    shards: count,
    latenessMs: done.flatMap((r) => r.latenessMs),
    sleepMs,
    cpuMs: done.reduce((sum, r) => sum + r.cpuMs, 0),
    rssMb: done.reduce((sum, r) => sum + r.rssMb, 0),
    failed: done.reduce((sum, r) => sum + r.failed, 0),
    gcCount: done.reduce((sum, r) => sum + r.gcCount, 0),
    gcMaxMs: Math.max(...done.map((r) => r.gcMaxMs)),
  };
}

/** One shard: its share of sleepers on one peer, started when the parent says go. */
async function child(peer: Peer, share: number, sleepNs: bigint, activeWait: boolean): Promise<void> {
  const component = await actorComponent('sleeper', 'jspi');
  const registry = (): HandlerRegistry => {
    if (peer === 'naive') return peerRegistry(naiveImports);
    const ours = new HandlerRegistry();
    ours.register(new TimingHandler({}, null, { mode: 'jspi', runtime: new TimingRuntime({ activeWait }) }));
    return ours;
  };
  await runSleepers(component, registry(), 500, 20_000_000n); // warm-up, discarded
  globalThis.gc?.();
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  const run: SleepRun = await runSleepers(component, registry(), share, sleepNs, undefined, async () => {
    process.send?.('ready');
    await go;
  });
  process.send?.({ latenessMs: run.latenessMs, cpuMs: run.cpuMs, rssMb: run.rssMb, failed: run.failed, gcCount: run.gcCount, gcMaxMs: run.gcMaxMs } satisfies ShardResult);
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.disconnect?.();
}

if (process.argv[2] === CHILD_FLAG) applyFleetV8Flags(); // as a CLI shard
if (process.argv[2] === CHILD_FLAG) await child(process.argv[3] as Peer, Number(process.argv[4]), BigInt(process.argv[5]), process.argv[6] === 'true');
