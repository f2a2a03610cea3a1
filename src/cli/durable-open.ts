// What `resume`, and each shard process of a sharded durable run, works from:
// the folder's run.json, its manifest and the same component (its SHA-256
// checked), opened in one place; and how a durable run reports its end.
import { join, resolve } from 'node:path';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ClockAnchor } from '../replay/continue.ts';
import { prepareWithHash } from '../runtime/fleet.ts';
import { defaultMaxLive } from '../runtime/limits.ts';
import { resolveMode, type ExecutionMode } from '../wasi/mode.ts';
import { withCounts, type ResumeCounts } from './durable-drive.ts';
import { DurableError, readRunFile, type RunFile } from './durable-run-file.ts';
import type { CliIo } from './io.ts';
import { report } from './report.ts';
import { loadRunManifest } from './run-single.ts';
import type { RunSummary } from './summary.ts';

/** The end of a durable run or resume in one process: a slice reports as a slice (for merge), with the durable counts. */
export function reportDurable(summary: RunSummary, runFile: RunFile, json: boolean, counts: ResumeCounts, io: CliIo): number {
  const slice = runFile.slice ?? null;
  const withSha = slice === null ? summary : { ...summary, componentSha256: runFile.component_sha256 };
  return report(withSha, { json, shardIndex: slice?.index ?? null, shardCount: slice?.count ?? null, chainFormat: 'jsonl' }, withCounts(io, json, counts));
}

/** What a resume (or a shard of one) works from: run.json, its manifest, the same component, checked. */
export interface OpenedRun {
  dir: string;
  runFile: RunFile;
  manifest: ActorManifest;
  mode: ExecutionMode;
  prepared: Awaited<ReturnType<typeof prepareWithHash>>;
  state: Uint8Array | null;
  anchor: ClockAnchor;
  maxLive: number;
}

/** Opens the run in `dirArg`, or says why not (one line) and returns null. */
export async function openRun(dirArg: string, say: (text: string) => void): Promise<OpenedRun | null> {
  const dir = resolve(dirArg);
  let runFile: RunFile;
  try {
    runFile = readRunFile(dir);
  } catch (error) {
    if (!(error instanceof DurableError)) throw error;
    say(error.message);
    return null;
  }
  const manifest = loadRunManifest(runFile.manifest, say);
  if (manifest === null) return null;
  let mode: ExecutionMode;
  let prepared: OpenedRun['prepared'];
  try {
    mode = resolveMode('jspi');
  } catch (error) {
    say(`resume: ${(error as Error).message}`);
    return null;
  }
  try {
    prepared = await prepareWithHash(manifest, mode);
  } catch (error) {
    say(`${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  if (prepared.sha256 !== runFile.component_sha256) {
    say(`${join(dir, 'run.json')}: the run's component was sha256 ${runFile.component_sha256.slice(0, 12)}…, ${manifest.component} is now ${prepared.sha256.slice(0, 12)}…: a replay would diverge; restore the component to resume`);
    return null;
  }
  // (The determinism guard passed when the run started, on this same component: its SHA-256 matched.)
  const state = runFile.state_hex === null ? null : Uint8Array.from(Buffer.from(runFile.state_hex, 'hex'));
  const anchor: ClockAnchor = { monotonicNs: BigInt(runFile.anchor.monotonic_ns), wallNs: BigInt(runFile.anchor.wall_ns) };
  return { dir, runFile, manifest, mode, prepared, state, anchor, maxLive: runFile.max_live ?? defaultMaxLive() };
}

/** The line resume prints on stderr without --json. */
export function resumeLine(counts: ResumeCounts, instances: number): string {
  const restarts = counts.restarts > 0 ? `; ${counts.restarts} shard restart${counts.restarts === 1 ? '' : 's'}` : '';
  return `resumed ${counts.resumed}, started ${counts.started}, already finished ${counts.finished} of ${instances} actors${counts.tornBytes > 0 ? `; dropped ${counts.tornBytes} bytes of torn records` : ''}${restarts}`;
}
