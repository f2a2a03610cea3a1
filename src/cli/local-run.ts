// One process's share of a run: instances first .. first + instances - 1 of a
// fleet of `total`, run by runFleet here, the chain written, the result folded
// into a RunSummary. The whole run (--shards 1), a --shard-index slice and a
// shard of a parent run all come through here.
import { ChainWriteError } from '../events/chain-file.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import { runFleet, type InstanceResult } from '../runtime/fleet.ts';
import type { ClockKind } from '../timing/timing-runtime.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { ChainFormat } from './args.ts';
import { chainRecording, openChainFile } from './chain-output.ts';
import { writeTheaterChains } from './theater-output.ts';
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

/**
 * Rejects like runFleet when the component does not fit; a chain that cannot
 * be written is a ChainWriteError (or ChainTargetError). JSON Lines stream into
 * the chain file during the run (tagged by instance whenever the fleet has more
 * than one); Theater's chain.json files are written at the end.
 */
export async function runLocal(manifest: ActorManifest, options: LocalRunOptions): Promise<RunSummary> {
  const theater = options.chainFormat === 'theater';
  const file = options.eventsPath !== null && !theater ? openChainFile(options.eventsPath, manifest) : null;
  const recording = file === null ? undefined : chainRecording(file, options.total);
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
      record: theater && options.eventsPath !== null,
      recording,
      state: options.state,
      onSettled: options.onSettled,
      onProgress: options.onProgress,
      output: options.output,
    });
  } catch (error) {
    file?.abort();
    throw error;
  }
  let eventLines = 0;
  if (file !== null && recording !== undefined) {
    file.commit();
    eventLines = recording.events;
  } else if (options.eventsPath !== null) {
    try {
      eventLines = await writeTheaterChains(options.eventsPath, fleet, options.total);
    } catch (error) {
      throw error instanceof ChainWriteError ? error : new ChainWriteError(options.eventsPath, error);
    }
  }
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
    shards: [{ index: options.shardIndex, first: options.first, instances: options.instances, peakLive: fleet.peakLive, spawnMs: fleet.spawnMs, runMs: fleet.runMs, maxRssMb: process.resourceUsage().maxRSS / 1024, status: 'ok' }],
  };
}
