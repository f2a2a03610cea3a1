// `theater-timing run`: load the manifest, choose how many processes run the
// fleet (shard-plan.ts), run it here or over shard processes, write the chain,
// report on stdout/stderr, and choose the exit code. Three shapes:
//   one process      --shards 1, or a plan of one: runFleet here
//   shards           a plan of K > 1: K child processes (shard-parent.ts)
//   a slice          --shard-index i --shard-count K: only slice i here; its
//                    --json is the input of `theater-timing merge`
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../handler/config.ts';
import { loadManifest, ManifestError, type ActorManifest } from '../manifest/manifest.ts';
import { mergeChainFiles } from '../events/merge-chains.ts';
import { prepareComponent } from '../runtime/fleet.ts';
import { defaultMaxLive } from '../runtime/limits.ts';
import { planShards, shardSlice } from '../runtime/shard-plan.ts';
import { resolveMode } from '../wasi/mode.ts';
import type { RunCommand } from './args.ts';
import { EXIT_USAGE, type CliIo } from './io.ts';
import { ChainWriteError, runLocal } from './local-run.ts';
import { report } from './report.ts';
import { ShardReporter, type Send } from './shard-child.ts';
import { combine, lostShard, refusal } from './shard-merge.ts';
import { runShards, SHARD_TIMEOUT_MS } from './shard-parent.ts';
import type { RunSummary } from './summary.ts';

export { showState } from './summary.ts';

const PROGRESS_EVERY_MS = 100;

function progress(name: string, io: CliIo, total: number): ((settled: number, total: number) => void) | undefined {
  if (!io.isTTY || total <= 1) return undefined;
  let last = 0;
  return (settled) => {
    const now = Date.now();
    if (settled < total && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    io.stderr(`\r${name}: ${settled}/${total} settled${settled === total ? '\n' : ''}`);
  };
}

/** $THEATER_TIMING_SHARD_TIMEOUT_MS, validated, else SHARD_TIMEOUT_MS. */
export function shardTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  if (text === undefined) return SHARD_TIMEOUT_MS;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`THEATER_TIMING_SHARD_TIMEOUT_MS: expected a positive integer (ms), got ${JSON.stringify(text)}`);
  return value;
}

export async function run(command: RunCommand, io: CliIo): Promise<number> {
  let manifest: ActorManifest;
  try {
    manifest = loadManifest(command.manifest);
  } catch (error) {
    if (error instanceof ManifestError || error instanceof ConfigError) {
      io.stderr(`theater-timing: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (!command.ipc) for (const warning of manifest.warnings) io.stderr(`theater-timing: warning: ${warning}\n`);
  // A shard records only when its parent asks (--events); save_chain is the parent's to honour.
  const savedName = command.chainFormat === 'theater' ? `${manifest.name}.chain.json` : `${manifest.name}.events.jsonl`;
  const eventsPath = command.events ?? (manifest.save_chain && !command.ipc ? join(manifest.dir, savedName) : null);
  if (command.chainFormat === 'theater' && eventsPath === null) {
    io.stderr('theater-timing: --chain-format theater: no chain to write: give --events <file>, or set save_chain = true in the manifest\n');
    return EXIT_USAGE;
  }
  const eventsFlag = command.events === null ? 'save_chain' : '--events';
  let timeoutMs: number;
  try {
    timeoutMs = shardTimeoutMs(process.env);
  } catch (error) {
    io.stderr(`theater-timing: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  let summary: RunSummary;
  try {
    if (command.shardIndex !== null && command.shardCount !== null) {
      summary = await runSlice(manifest, command, eventsPath, io);
    } else {
      const plan = planShards({ instances: command.instances, maxLive: command.maxLive ?? defaultMaxLive(), parallelism: availableParallelism(), shards: command.shards });
      if (plan.count === 1) {
        summary = await runLocal(manifest, { ...command, total: command.instances, first: 0, eventsPath, shardIndex: 0, onProgress: progress(manifest.name, io, command.instances) });
      } else {
        const sharded = await runSharded(manifest, command, plan.count, eventsPath, timeoutMs, io);
        if (typeof sharded === 'string') {
          io.stderr(`${sharded}\n`);
          return EXIT_USAGE;
        }
        summary = sharded;
      }
    }
  } catch (error) {
    if (error instanceof ChainWriteError) {
      io.stderr(`theater-timing: ${eventsFlag}: ${error.message}\n`);
    } else if (error instanceof ManifestError) {
      io.stderr(`theater-timing: ${error.message}\n`);
    } else {
      // The component cannot be transpiled or instantiated: it does not fit the manifest.
      io.stderr(`theater-timing: ${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return EXIT_USAGE;
  }
  if (command.ipc) return 0; // a shard reports to its parent, which reports for the run
  return report(summary, command, io);
}

async function runSlice(manifest: ActorManifest, command: RunCommand, eventsPath: string | null, io: CliIo): Promise<RunSummary> {
  const slice = shardSlice(command.instances, command.shardIndex as number, command.shardCount as number);
  const options = { ...command, total: command.instances, first: slice.first, instances: slice.instances, eventsPath, shardIndex: slice.index };
  if (!command.ipc) return runLocal(manifest, { ...options, onProgress: progress(manifest.name, io, slice.instances) });
  const send = process.send?.bind(process) as Send | undefined;
  if (send === undefined) throw new Error('--shard-ipc: this process has no IPC channel (it is started by a sharded run)');
  const orphaned = (): never => process.exit(EXIT_USAGE); // the parent is gone: nobody to report to
  process.once('disconnect', orphaned);
  const reporter = new ShardReporter(send);
  const startedAtMs = performance.timeOrigin + performance.now();
  try {
    const summary = await runLocal(manifest, { ...options, onSettled: reporter.settled });
    await reporter.finish(summary, startedAtMs);
    return summary;
  } finally {
    // Also on failure: an open channel would keep this process alive, silent, until the parent's timeout.
    reporter.stop();
    process.off('disconnect', orphaned);
    process.disconnect?.();
  }
}

async function runSharded(manifest: ActorManifest, command: RunCommand, count: number, eventsPath: string | null, timeoutMs: number, io: CliIo): Promise<RunSummary | string> {
  const startedAtMs = performance.timeOrigin + performance.now();
  const mode = resolveMode(command.mode);
  // Transpiled once here, so the shards find it in the disk cache instead of each running jco.
  await prepareComponent(manifest, mode);
  const merged = eventsPath !== null && command.chainFormat === 'jsonl';
  const eventsDir = merged ? await mkdtemp(join(tmpdir(), 'theater-timing-shards-')) : null;
  try {
    const shards = await runShards({
      entry: io.entry ?? process.argv[1], command, count, timeoutMs, onProgress: progress(manifest.name, io, command.instances),
      events: eventsPath === null ? null : (index) => (eventsDir === null ? eventsPath : join(eventsDir, `shard-${index}.jsonl`)),
    });
    const refused = refusal(shards);
    if (refused !== null) return refused;
    const base = { name: manifest.name, total: command.instances, mode, maxLive: command.maxLive ?? defaultMaxLive() };
    const parts = shards.map((shard) => (shard.summary !== null
      ? { summary: shard.summary, offsetMs: shard.startedAtMs - startedAtMs }
      : { summary: lostShard(shard, base, timeoutMs), offsetMs: 0 }));
    // Theater's format is one file per instance: each shard wrote its own, in place.
    if (eventsPath !== null && command.chainFormat === 'jsonl') {
      const files = shards.filter((s) => s.summary !== null).map((s) => s.eventsPath as string);
      try {
        await mergeChainFiles(files, eventsPath);
      } catch (error) {
        throw new ChainWriteError(eventsPath, (error as NodeJS.ErrnoException).code ?? String(error));
      }
    }
    const summary = combine(parts, eventsPath);
    // Shards that never reported wrote no chain files; the count says so.
    return summary;
  } finally {
    if (eventsDir !== null) await rm(eventsDir, { recursive: true, force: true });
  }
}
