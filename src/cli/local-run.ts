// One process's share of a run: instances first .. first + instances - 1 of a
// fleet of `total`, run by runFleet here, the chain written, the result folded
// into a RunSummary. The whole run (--shards 1), a --shard-index slice and a
// shard of a parent run all come through here.
import { buildChain, writeChainJsonl, writeChainsJsonl } from '../events/chain.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { runFleet, type InstanceResult } from '../runtime/fleet.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { ChainFormat } from './args.ts';
import { writeTheaterChains } from './theater-output.ts';
import { MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

export interface LocalRunOptions {
  total: number;
  first: number;
  instances: number;
  maxLive: number | null;
  mode: ExecutionMode | 'auto';
  state: Uint8Array | null;
  eventsPath: string | null;
  /** jsonl (default): one file, chains tagged by instance; theater: one chain.json per instance. */
  chainFormat?: ChainFormat;
  shardIndex: number;
  onSettled?: (result: InstanceResult) => void;
  onProgress?: (settled: number, total: number) => void;
}

/** Thrown when the chain cannot be written; the CLI names the path. */
export class ChainWriteError extends Error {
  constructor(path: string, code: string) {
    super(`cannot write ${path} (${code})`);
    this.name = 'ChainWriteError';
  }
}

export function failureOf(result: InstanceResult): Failure | null {
  const { outcome } = result;
  return outcome.status === 'ok' ? null : { instance: result.instance, status: outcome.status, error: outcome.error };
}

/** Rejects like runFleet when the component does not fit; a chain that cannot be written is a ChainWriteError. */
export async function runLocal(manifest: ActorManifest, options: LocalRunOptions): Promise<RunSummary> {
  const fleet = await runFleet(manifest, {
    instances: options.instances,
    first: options.first,
    maxLive: options.maxLive ?? undefined,
    mode: options.mode,
    record: options.eventsPath !== null,
    state: options.state,
    onSettled: options.onSettled,
    onProgress: options.onProgress,
  });
  let eventLines = 0;
  if (options.eventsPath !== null) {
    const path = options.eventsPath;
    try {
      if (options.chainFormat === 'theater') {
        eventLines = await writeTheaterChains(path, fleet, options.total);
      } else {
        if (options.total === 1) {
          await writeChainJsonl(path, buildChain(fleet.results[0].events));
        } else {
          await writeChainsJsonl(path, fleet.results.map((r) => ({ instance: r.instance, lines: buildChain(r.events) })));
        }
        eventLines = fleet.results.reduce((sum, r) => sum + r.events.length, 0);
      }
    } catch (error) {
      throw new ChainWriteError(path, (error as NodeJS.ErrnoException).code ?? String(error));
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
