/*
 * Sharded durable runs (`run --durable <dir> --shards n`, and `resume <dir>` of
 * one). Every shard process is the same command, whether the run is fresh, a
 * shard is restarted, or the whole run is resumed:
 *
 *   theater-timing resume <dir> --shard-index i --shard-count n --shard-ipc
 *
 * It drives slice i of the folder's instances from their logs (durable-drive.ts):
 * a missing log starts fresh, a finished one is counted, any other resumes. So
 * the shard plan only decides who runs what; the logs are per instance, in the
 * one folder, and run.json records n so that `resume <dir>` shards the same way.
 *
 * The parent (shard-parent.ts) restarts a lost shard (killed, crashed, stalled)
 * DURABLE_SHARD_RESTARTS times: the new process resumes its actors from their
 * logs, in the same run, and the parent says so on stderr and in --json
 * (`restarts`, per shard and in all). A shard lost once more is reported lost
 * as in any sharded run, with the resume command that continues its actors.
 * A shard whose parent dies (the IPC channel closes: kill -9 of the parent
 * too) exits at once, so no orphan goes on writing logs that a resume reads.
 */
import { safeText } from '../base/text.ts';
import { cliOutput } from './actor-output.ts';
import { DurableLogError } from '../events/durable-log.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { RecordingError } from '../replay/jsonl.ts';
import { shardSlice } from '../runtime/shard-plan.ts';
import { resolveMode } from '../wasi/mode.ts';
import type { ResumeCommand } from './commands.ts';
import { driveAll, noCounts, sumCounts, summaryOf, withCounts, type ResumeCounts } from './durable-drive.ts';
import type { DurableLock } from './durable-lock.ts';
import { openRun, resumeLine } from './durable-open.ts';
import type { RunFile } from './durable-run-file.ts';
import { onInterrupt } from './interrupt.ts';
import { EXIT_USAGE, progress, type CliIo } from './io.ts';
import { report } from './report.ts';
import { ShardReporter, type Send } from './shard-child.ts';
import { combine, lostShard, refusal } from './shard-merge.ts';
import { runShards, shardTimeoutMs, type Shard } from './shard-parent.ts';
import type { ChildProcess } from 'node:child_process';

/** Times a lost shard of a durable run is forked again, in the run (a second loss is likely the same fault again). */
export const DURABLE_SHARD_RESTARTS = 1;

export interface DurableShardsInput {
  dir: string;
  runFile: RunFile;
  manifest: ActorManifest;
  count: number;
  json: boolean;
  entry: string | undefined;
  io: CliIo;
  /** A `resume` (its stderr line says what was resumed), not a fresh run. */
  resuming?: boolean;
  /** The folder's lock, held by this process: it lists the shard processes too. */
  lock: DurableLock;
}

const sliceText = (shard: Shard): string => `instances ${shard.slice.first}..${shard.slice.first + shard.slice.instances - 1}`;

function howLost(shard: Shard): string {
  if (shard.stalled) return 'stopped answering and was killed';
  return shard.exit?.signal != null ? `was killed by ${shard.exit.signal}` : `exited with code ${String(shard.exit?.code ?? null)}`;
}

/** The parent of a sharded durable run or resume: forks the shards, restarts a lost one, reports for all. */
export async function runDurableShards(input: DurableShardsInput): Promise<number> {
  const { dir, runFile, manifest, count, json, io } = input;
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  let timeoutMs: number;
  try {
    timeoutMs = shardTimeoutMs(process.env);
  } catch (error) {
    say((error as Error).message);
    return EXIT_USAGE;
  }
  const total = runFile.instances;
  const mode = resolveMode('jspi');
  const startedAtMs = performance.timeOrigin + performance.now();
  // (The caller prepared the component: the shards find it in the disk cache.)
  const children: ChildProcess[] = [];
  // Interrupted, the shards are stopped with the parent: their logs stay, for `resume`.
  const stopListening = onInterrupt(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  let shards: Shard[];
  try {
    shards = await runShards({
      entry: input.entry ?? process.argv[1], total, count, timeoutMs, json, events: null, restarts: DURABLE_SHARD_RESTARTS,
      args: (index) => ['resume', dir, '--shard-index', String(index), '--shard-count', String(count), '--shard-ipc'],
      onProgress: progress(manifest.name, io, total), onChild: (child) => { children.push(child); input.lock.addShard(child.pid); },
      onRestart: (shard) => say(`shard ${shard.slice.index} (${sliceText(shard)}) ${howLost(shard)}; restarting it: its actors resume from their logs (restart ${shard.restarts + 1} of ${DURABLE_SHARD_RESTARTS})`),
    });
  } finally {
    stopListening();
  }
  const refused = refusal(shards);
  if (refused !== null) {
    io.stderr(`${refused}\n`);
    return EXIT_USAGE;
  }
  const base = { name: manifest.name, total, mode, maxLive: runFile.max_live ?? 0 };
  const summary = combine(shards.map((shard) => (shard.summary !== null
    ? { summary: shard.summary, offsetMs: shard.startedAtMs - startedAtMs }
    : { summary: lostShard(shard, base, timeoutMs), offsetMs: 0 })), null);
  summary.shards.forEach((report, i) => { report.restarts = shards[i].restarts; });
  for (const shard of shards.filter((s) => s.summary === null)) {
    say(`shard ${shard.slice.index} (${sliceText(shard)}) was lost again; its actors' logs are in ${dir}: \`theater-timing resume ${dir}\` continues them`);
  }
  const counts = sumCounts(shards.map((shard) => countsOf(shard.extra)));
  counts.restarts = shards.reduce((sum, shard) => sum + shard.restarts, 0);
  if (input.resuming === true && !json) say(resumeLine(counts, total));
  return report(summary, { json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, withCounts(io, json, counts));
}

/** A shard's counts, as its `done` message carried them (noCounts for a lost shard). */
function countsOf(extra: unknown): ResumeCounts {
  const counts = noCounts();
  if (typeof extra !== 'object' || extra === null) return counts;
  for (const key of Object.keys(counts) as (keyof ResumeCounts)[]) {
    const value = (extra as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) counts[key] = value;
  }
  return counts;
}

/** One shard process of a sharded durable run: drives its slice of the folder and reports to its parent. */
export async function resumeShard(command: ResumeCommand, shard: { index: number; count: number }, io: CliIo): Promise<number> {
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  if (process.send === undefined) {
    say('--shard-ipc: this process has no IPC channel (it is started by a sharded durable run)');
    return EXIT_USAGE;
  }
  // The parent is gone (killed with -9 too): stop at once, so nothing writes the logs a resume will read.
  const orphaned = (): never => process.exit(EXIT_USAGE);
  process.once('disconnect', orphaned);
  const reporter = new ShardReporter((process.send as Send).bind(process));
  const startedAtMs = performance.timeOrigin + performance.now();
  try {
    const run = await openRun(command.dir, say);
    if (run === null) return EXIT_USAGE;
    const range = shardSlice(run.runFile.instances, shard.index, shard.count);
    const t0 = performance.now();
    let driven: Awaited<ReturnType<typeof driveAll>>;
    try {
      driven = await driveAll({ ...run, range, output: cliOutput(io, 'stdout'), onSettled: (instance, outcome) => reporter.settled({ instance, outcome, events: [] }) });
    } catch (error) {
      if (!(error instanceof DurableLogError || error instanceof RecordingError)) throw error;
      say(error.message);
      return EXIT_USAGE;
    }
    const summary = summaryOf(run.manifest, run.runFile.instances, range, driven.outcomes, { mode: run.mode, maxLive: run.maxLive, peakLive: driven.peakLive, prepareMs: 0, spawnMs: 0, runMs: performance.now() - t0 });
    await reporter.finish(summary, startedAtMs, driven.counts);
    return 0;
  } finally {
    // Also on failure: an open channel would keep this process alive, silent, until the parent's timeout.
    reporter.stop();
    process.off('disconnect', orphaned);
    process.disconnect?.();
  }
}
