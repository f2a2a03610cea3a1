/*
 * Durable runs: `run <manifest> --durable <dir>` and `resume <dir>`.
 *
 *   <dir>/run.json                what resume needs and nothing else: the manifest
 *                                 path, the component's SHA-256, the run's flags (its
 *                                 shards or its slice), and the clock anchor (one
 *                                 monotonic and one wall reading taken together at the
 *                                 start); written once, durably (durable-run-file.ts)
 *   <dir>/actors/<instance>.jsonl one chain per actor (our format, untagged), appended
 *                                 as the calls happen (events/durable-log.ts)
 *   <dir>/lock                    held by whatever drives the folder (durable-lock.ts)
 *
 * Three shapes, as for `run`: one process; `--shards n`, n shard processes
 * each driving its slice from the logs (durable-shards.ts); a slice
 * (`--shard-index i --shard-count k`), one process holding slice i only.
 * resume reads run.json, refuses another component, and drives every instance
 * of the folder from its log (durable-drive.ts), in the same shape.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DurableLog, DurableLogError, GroupCommit } from '../events/durable-log.ts';
import { safeText } from '../base/text.ts';
import { WASI_CLI_INTERFACES } from '../handler/wasi-handler.ts';
import { cliOutput } from './actor-output.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ClockAnchor } from '../replay/continue.ts';
import { RecordingError } from '../replay/jsonl.ts';
import { MONOTONIC, POLL, WALL } from '../replay/recorded.ts';
import { prepareWithHash, runFleet, type FleetRecording } from '../runtime/fleet.ts';
import { defaultMaxLive } from '../runtime/limits.ts';
import { MAX_SHARDS, type ShardSlice } from '../runtime/shard-plan.ts';
import { resolveMode, type ExecutionMode } from '../wasi/mode.ts';
import type { ResumeCommand, RunCommand } from './commands.ts';
import { chainOutcome, driveAll, noCounts, OutcomeTally, summaryOf, type ResumeCounts } from './durable-drive.ts';
import { DurableLock } from './durable-lock.ts';
import { openRun, reportDurable, resumeLine, type OpenedRun } from './durable-open.ts';
import { actorLog, DURABLE_FORMAT, DurableError, FSYNC_INTERVAL_MS, isFsError, readRunFile, runRange, writeRunFile, type RunFile } from './durable-run-file.ts';
import { resumeShard, runDurableShards } from './durable-shards.ts';
import { EXIT_USAGE, type CliIo } from './io.ts';
import { shardTimeoutMs } from './shard-parent.ts';
import type { RunSummary } from './summary.ts';

export { FSYNC_INTERVAL_MS, readRunFile, type RunFile };

/** The interfaces a resume can replay: the timing ones, recorded call by call (replay/session.ts). */
export const REPLAYABLE_IMPORTS: readonly string[] = [MONOTONIC, WALL, POLL];
/**
 * With [[handler]] type = "wasi": everything it serves. Random draws and stdout/stderr
 * writes are recorded and replayed (replay/wasi-journal.ts); the rest is fixed by the
 * manifest (empty stdin, no terminal, denied files and sockets, a fixed environment).
 */
export const WASI_REPLAYABLE: readonly string[] = [...new Set(WASI_CLI_INTERFACES.map((name) => name.split('@')[0]))];
const ENVIRONMENT = 'wasi:cli/environment';

/**
 * The determinism guard: a durable actor may see nothing that is not in its log,
 * so every interface it imports must be one the log records and a resume replays.
 * The first that is not, named in one line; null when every import is replayable.
 */
export function unreplayableImport(manifest: ActorManifest, importNames: readonly string[]): string | null {
  const wasi = manifest.handlers.find((h) => h.type === 'wasi');
  const allowed = wasi === undefined ? REPLAYABLE_IMPORTS : [...REPLAYABLE_IMPORTS, ...WASI_REPLAYABLE];
  const bad = importNames.find((name) => !allowed.includes(name.split('@')[0]));
  if (bad !== undefined) return `${manifest.path}: durable: the component imports ${bad}, which a resume cannot replay (a durable actor may import only ${allowed.join(', ')})`;
  const env = importNames.find((name) => name.split('@')[0] === ENVIRONMENT);
  if (wasi?.type === 'wasi' && env !== undefined && Array.isArray(wasi.config.env)) {
    // Copied from the host when the run starts: a resume on another host, or after the variables changed, would see other values.
    return `${manifest.path}: durable: the component imports ${env} and the manifest grants host variables (env = [${(wasi.config.env as string[]).map((n) => JSON.stringify(n)).join(', ')}]), which a resume cannot replay (grant fixed values instead: env = { NAME = "value" })`;
  }
  return null;
}

/** What stands in the way of a durable run with these flags, or null. */
function durableConflict(command: RunCommand): string | null {
  if (command.replay !== null) return 'cannot be combined with --replay (a durable run is live)';
  if (command.events !== null) return 'cannot be combined with --events: each actor\'s chain is <dir>/actors/<instance>.jsonl';
  if (command.chainFormat !== 'jsonl') return 'keeps our JSON Lines only; drop --chain-format';
  if (command.clock !== 'real') return 'runs on the real clock; drop --clock';
  if (command.ipc) return '--shard-ipc is internal to a sharded run; a durable run forks its own shards';
  if (command.mode === 'sync') return 'needs --mode jspi: a resumed actor waits by suspending';
  return null;
}

/** A durable run's shape: how many shard processes (null: this one) and which slice (null: the whole fleet). */
function shapeOf(command: RunCommand): Pick<RunFile, 'shards' | 'slice'> {
  const slice = command.shardIndex !== null && command.shardCount !== null ? { index: command.shardIndex, count: command.shardCount } : null;
  // Sharded only when asked: a durable run is one process unless --shards n > 1 says otherwise.
  const shards = slice === null && command.shards !== null && command.shards > 1 ? Math.min(command.shards, command.instances) : null;
  return { shards: shards === null || shards < 2 ? null : shards, slice };
}

/** `run --durable <dir>` (or the manifest's durable key). */
export async function runDurable(command: RunCommand, manifest: ActorManifest, dirArg: string, io: CliIo): Promise<number> {
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  const conflict = durableConflict(command);
  if (conflict !== null) {
    say(`--durable: ${conflict}`);
    return EXIT_USAGE;
  }
  const mode = resolveMode(command.mode);
  if (mode !== 'jspi') {
    say('--durable: needs JSPI (a resumed actor waits by suspending); this Node has none');
    return EXIT_USAGE;
  }
  const dir = resolve(dirArg);
  if (existsSync(join(dir, 'run.json'))) {
    say(`--durable: ${dir} already holds a durable run: continue it with \`theater-timing resume ${dir}\`, or choose an empty folder`);
    return EXIT_USAGE;
  }
  try {
    return await startRun(command, manifest, mode, dir, io);
  } catch (error) {
    if (!(error instanceof DurableLogError || error instanceof DurableError || error instanceof RangeError || isFsError(error))) throw error;
    say(`--durable: ${error instanceof DurableLogError || error instanceof DurableError || error instanceof RangeError ? error.message : `${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`}`);
    return EXIT_USAGE;
  }
}

async function startRun(command: RunCommand, manifest: ActorManifest, mode: ExecutionMode, dir: string, io: CliIo): Promise<number> {
  const state = command.state ?? manifest.init_state?.bytes ?? null;
  const prepared = await prepareWithHash(manifest, mode);
  const guard = unreplayableImport(manifest, prepared.component.importNames);
  if (guard !== null) {
    io.stderr(`theater-timing: ${safeText(guard)}\n`);
    return EXIT_USAGE;
  }
  mkdirSync(join(dir, 'actors'), { recursive: true });
  const lock = await DurableLock.acquire(dir);
  try {
    return await startLocked(command, manifest, mode, dir, io, { prepared, state, lock });
  } finally {
    lock.release();
  }
}

interface Started { prepared: Awaited<ReturnType<typeof prepareWithHash>>; state: Uint8Array | null; lock: DurableLock }

async function startLocked(command: RunCommand, manifest: ActorManifest, mode: ExecutionMode, dir: string, io: CliIo, { prepared, state, lock }: Started): Promise<number> {
  const monotonic = process.hrtime.bigint();
  const wall = BigInt(Date.now()) * 1_000_000n;
  const runFile: RunFile = {
    format: DURABLE_FORMAT, manifest: manifest.path, component_sha256: prepared.sha256, instances: command.instances,
    state_hex: state === null ? null : Buffer.from(state).toString('hex'), max_live: command.maxLive,
    anchor: { monotonic_ns: monotonic.toString(), wall_ns: wall.toString() }, ...shapeOf(command),
  };
  if (runFile.shards != null) shardTimeoutMs(process.env); // a bad $THEATER_TIMING_SHARD_TIMEOUT_MS: refused before run.json exists
  writeRunFile(dir, runFile);
  if (runFile.shards != null) return runDurableShards({ dir, runFile, manifest, count: runFile.shards, json: command.json, entry: io.entry, io, lock });
  const range = runRange(runFile);
  const anchor: ClockAnchor = { monotonicNs: monotonic, wallNs: wall };
  const maxLive = command.maxLive ?? defaultMaxLive();
  const t0 = performance.now();
  let summary: RunSummary;
  let counts: ResumeCounts;
  if (manifest.hibernate_after !== null) {
    // Hibernation needs every actor served from its log (replay/continue.ts), from its first call.
    const driven = await driveAll({ dir, manifest, prepared, mode, state, anchor, maxLive, range, output: cliOutput(io, command.json ? 'stderr' : 'split') });
    summary = summaryOf(manifest, command.instances, range, driven.outcomes, { mode, maxLive, peakLive: driven.peakLive, prepareMs: 0, spawnMs: 0, runMs: performance.now() - t0 });
    counts = driven.counts;
  } else {
    summary = await runLive(command, manifest, mode, dir, range, state, io);
    counts = { ...noCounts(), started: range.instances, keptLive: range.instances };
  }
  return reportDurable(summary, runFile, command.json, counts, io);
}

/** A fresh durable run without hibernation: the live fleet, each actor's events streamed to its log. */
async function runLive(command: RunCommand, manifest: ActorManifest, mode: ExecutionMode, dir: string, range: ShardSlice, state: Uint8Array | null, io: CliIo): Promise<RunSummary> {
  const group = new GroupCommit(FSYNC_INTERVAL_MS);
  const logs = new Map<number, DurableLog>();
  const recording: FleetRecording = {
    open(instance) {
      const log = new DurableLog(actorLog(dir, instance), group);
      logs.set(instance, log);
      return log;
    },
    close(instance, outcome) {
      logs.get(instance)?.end(...chainOutcome(outcome));
      logs.delete(instance);
    },
  };
  const fleet = await runFleet(manifest, {
    instances: range.instances, first: range.first, maxLive: command.maxLive ?? undefined, mode, activeWait: !command.coarseTimer, state, recording, output: cliOutput(io, command.json ? 'stderr' : 'split'),
  });
  await group.settle();
  const tally = new OutcomeTally(range.first);
  fleet.results.forEach((result, at) => tally.add(range.first + at, result.outcome));
  return summaryOf(manifest, command.instances, range, tally, { mode, maxLive: fleet.maxLive, peakLive: fleet.peakLive, prepareMs: fleet.prepareMs, spawnMs: fleet.spawnMs, runMs: fleet.runMs });
}

/** `theater-timing resume <dir>`. */
export async function resumeRun(command: ResumeCommand, io: CliIo): Promise<number> {
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  if (command.shard !== null) return resumeShard(command, command.shard, io);
  const run = await openRun(command.dir, say);
  if (run === null) return EXIT_USAGE;
  let lock: DurableLock;
  try {
    lock = await DurableLock.acquire(run.dir);
  } catch (error) {
    if (!(error instanceof DurableError || isFsError(error))) throw error;
    say(error instanceof DurableError ? error.message : `${run.dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return EXIT_USAGE;
  }
  try {
    return await resumeLocked(command, run, lock, say, io);
  } finally {
    lock.release();
  }
}

async function resumeLocked(command: ResumeCommand, run: OpenedRun, lock: DurableLock, say: (text: string) => void, io: CliIo): Promise<number> {
  const { runFile } = run;
  const shards = Math.min(command.shards ?? runFile.shards ?? 1, runFile.instances, MAX_SHARDS);
  if (shards > 1 && runFile.slice != null) {
    say(`--shards: ${run.dir} holds slice ${runFile.slice.index} of ${runFile.slice.count}, which resumes in one process`);
    return EXIT_USAGE;
  }
  if (shards > 1) return runDurableShards({ dir: run.dir, runFile, manifest: run.manifest, count: shards, json: command.json, entry: io.entry, io, resuming: true, lock });
  const range = runRange(runFile);
  const t0 = performance.now();
  let driven: Awaited<ReturnType<typeof driveAll>>;
  try {
    driven = await driveAll({ ...run, range, output: cliOutput(io, command.json ? 'stderr' : 'split') });
  } catch (error) {
    if (!(error instanceof DurableLogError || error instanceof RecordingError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
  const summary = summaryOf(run.manifest, runFile.instances, range, driven.outcomes, { mode: run.mode, maxLive: run.maxLive, peakLive: driven.peakLive, prepareMs: 0, spawnMs: 0, runMs: performance.now() - t0 });
  if (!command.json) say(resumeLine(driven.counts, range.instances));
  return reportDurable(summary, runFile, command.json, driven.counts, io);
}
