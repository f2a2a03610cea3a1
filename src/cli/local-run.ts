// One process's share of a run: instances first .. first + instances - 1 of a
// fleet of `total`, run by runFleet here, the chain written, the result folded
// into a RunSummary. The whole run (--shards 1), a --shard-index slice and a
// shard of a parent run all come through here.
import { peakRssMb } from './peak-rss.ts';
import { ChainWriteError, type ChainFile } from '../events/chain-file.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import { runFleet, type FleetResult, type InstanceResult } from '../runtime/fleet.ts';
import type { ClockKind } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { ChainFormat } from '../events/types.ts';
import { chainRecording, ChainTargetError, checkChainTarget, openChainFile } from './chain-output.ts';
import { theaterStateError } from '../events/theater/encode.ts';
import { onInterrupt } from './interrupt.ts';
import { theaterRecording, type TheaterRecording } from './theater-output.ts';
import { MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

export interface LocalRunOptions {
  total: number;
  first: number;
  instances: number;
  maxLive: number | null;
  mode: ExecutionMode | 'auto';
  clock?: ClockKind;
  startWallNs?: bigint | null;
  state: Uint8Array | null;
  eventsPath: string | null;
  /** jsonl (default): one file, chains tagged by instance; theater: one chain.json per instance. */
  chainFormat?: ChainFormat;
  shardIndex: number;
  /** False in a shard that shares its machine's cores with more shards than cores (run.ts). */
  activeWait?: boolean;
  onSettled?: (result: InstanceResult) => void;
  onProgress?: (settled: number, total: number) => void;
  /** Where the actors' stdout and stderr lines go (a `type = "wasi"` handler's capture). */
  output?: ActorOutputSink;
}

export function failureOf(result: InstanceResult): Failure | null {
  const { outcome } = result;
  return outcome.status === 'ok' ? null : { instance: result.instance, status: outcome.status, error: outcome.error };
}

/** Commits the streamed chain (JSON Lines, or Theater's chain.json files); the events written. */
function writeChain(file: ChainFile | null, recording: Streamed | undefined, path: string): number {
  if (recording === undefined) return 0;
  try {
    if (file !== null) file.commit();
    return 'commit' in recording ? recording.commit() : recording.events;
  } catch (error) {
    throw error instanceof ChainWriteError ? error : new ChainWriteError(path, error);
  }
}

type Streamed = ReturnType<typeof chainRecording> | TheaterRecording;

/** The fleet's result as this process's RunSummary: the first MAX_FAILURES failures, one shard report. */
function localSummary(manifest: ActorManifest, options: LocalRunOptions, fleet: FleetResult, eventLines: number): RunSummary {
  const failures: Failure[] = [];
  for (const result of fleet.results) {
    if (failures.length === MAX_FAILURES) break;
    const failure = failureOf(result);
    if (failure !== null) failures.push(failure);
  }
  const head = fleet.results[0].outcome;
  return {
    name: manifest.name,
    total: options.total,
    first: options.first,
    instances: options.instances,
    outcomes: { ok: fleet.ok, err: fleet.err, trap: fleet.trap },
    state: head.status === 'ok' ? head.state : null,
    failures,
    mode: fleet.mode,
    maxLive: fleet.maxLive,
    peakLive: fleet.peakLive,
    prepareMs: fleet.prepareMs,
    spawnMs: fleet.spawnMs,
    runMs: fleet.runMs,
    events: options.eventsPath,
    eventLines,
    shards: [{ index: options.shardIndex, first: options.first, instances: options.instances, peakLive: fleet.peakLive, spawnMs: fleet.spawnMs, runMs: fleet.runMs, maxRssMb: peakRssMb(), status: 'ok' }],
  };
}

/**
 * Rejects like runFleet when the component does not fit; a chain that cannot
 * be written is a ChainWriteError (or ChainTargetError). The chain streams to
 * its temporary file(s) during the run: JSON Lines into one file (tagged by
 * instance whenever the fleet has more than one), Theater's chain.json one
 * file per instance; all are put in place at the end.
 */
export async function runLocal(manifest: ActorManifest, options: LocalRunOptions): Promise<RunSummary> {
  const theater = options.chainFormat === 'theater';
  // Theater's files: every name this process writes is checked before the run (the shards of one run each check theirs).
  if (options.eventsPath !== null && theater) {
    const tooLarge = theaterStateError(options.state ?? manifest.init_state?.bytes ?? null);
    if (tooLarge !== null) throw new ChainTargetError(`--chain-format theater: ${tooLarge}`);
    checkChainTarget(options.eventsPath, manifest, undefined, { total: options.total, first: options.first, instances: options.instances });
  }
  const file = options.eventsPath !== null && !theater ? openChainFile(options.eventsPath, manifest) : null;
  const recording: Streamed | undefined = options.eventsPath === null ? undefined
    : file === null ? theaterRecording(options.eventsPath, options.total) : chainRecording(file, options.total);
  const abort = (): void => {
    file?.abort();
    if (recording !== undefined && 'abort' in recording) recording.abort();
  };
  // Interrupted (or stopped by its parent): drop the temporary files, then die of the signal.
  const stopListening = options.eventsPath === null ? null : onInterrupt(abort);
  try {
    return await runAndWrite(manifest, options, file, recording, abort);
  } finally {
    stopListening?.();
  }
}

async function runAndWrite(manifest: ActorManifest, options: LocalRunOptions, file: ChainFile | null, recording: Streamed | undefined, abort: () => void): Promise<RunSummary> {
  let fleet;
  try {
    fleet = await runFleet(manifest, {
      instances: options.instances,
      first: options.first,
      maxLive: options.maxLive ?? undefined,
      mode: options.mode,
      clock: options.clock,
      activeWait: options.activeWait,
      startWallNs: options.startWallNs ?? undefined,
      record: false,
      recording,
      state: options.state,
      onSettled: options.onSettled,
      onProgress: options.onProgress,
      output: options.output,
    });
  } catch (error) {
    abort();
    throw error;
  }
  return localSummary(manifest, options, fleet, writeChain(file, recording, options.eventsPath ?? ''));
}
