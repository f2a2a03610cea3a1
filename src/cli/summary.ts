// What a run reports, in a form that merges: one process, the shards of one
// run, or slices run anywhere (`--shard-index`) and merged later. It keeps
// counts, the first failures in instance order and instance 0's state, never
// every instance, so a summary stays small however large the fleet.
import { basename } from 'node:path';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { FleetResult } from '../runtime/fleet.ts';
import { showState } from './state-text.ts';

export { showState };

/** Failures kept (and shown on stderr); the rest are counted. */
export const MAX_FAILURES = 10;

export interface Failure { instance: number; status: 'err' | 'trap'; error: string }

export interface ShardReport {
  index: number;
  first: number;
  instances: number;
  peakLive: number;
  spawnMs: number;
  runMs: number;
  /** The shard process's peak resident memory (peakRssMb(): VmHWM on Linux), MiB; 0 when it was lost. */
  maxRssMb: number;
  /** ok: reported its results; died: its process exited first; stalled: killed after missing heartbeats. */
  status: 'ok' | 'died' | 'stalled';
  /** A durable run's shard: times it was lost and forked again (it resumed from its logs); absent elsewhere. */
  restarts?: number;
}

export interface RunSummary extends Pick<FleetResult, 'mode' | 'maxLive' | 'peakLive' | 'prepareMs' | 'spawnMs' | 'runMs'> {
  name: string;
  /** Instances in the whole fleet. */
  total: number;
  /** The instances this summary covers: first .. first + instances - 1. */
  first: number;
  instances: number;
  outcomes: { ok: number; err: number; trap: number };
  /** The state instance `first` returned, when ok. */
  state: Uint8Array | null;
  failures: Failure[];
  events: string | null;
  eventLines: number;
  shards: ShardReport[];
  /** Why the chain could not be written (printed beside the outcome, never instead of it), or absent. */
  chainError?: string;
  /** A --shard-index run: the SHA-256 of the component, so `merge` can tell slices of one component. */
  componentSha256?: string;
}

export function failureLine(failure: Failure, many: boolean): string {
  const who = many ? `instance ${failure.instance}: ` : '';
  return failure.status === 'err' ? `${who}init returned err: ${failure.error}` : `${who}trapped: ${failure.error}`;
}

/** Exit code of a run: 3 a trap, else 1 an err, else 0. */
/** The run's outcome wins: trap (3) over err (1) over a failed chain write (2). */
export function exitCodeOf(summary: RunSummary): number {
  return summary.outcomes.trap > 0 ? 3 : summary.outcomes.err > 0 ? 1 : summary.chainError !== undefined ? 2 : 0;
}

/** Keeps the first MAX_FAILURES of several instance-ordered lists, in instance order. */
export function firstFailures(lists: ReadonlyArray<readonly Failure[]>): Failure[] {
  return lists.flat().sort((a, b) => a.instance - b.instance).slice(0, MAX_FAILURES);
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The --json object. `slice` is present only for a --shard-index run. */
export function jsonSummary(s: RunSummary, slice: { index: number; count: number } | null = null): object {
  const state = showState(s.state);
  const many = s.total > 1;
  return {
    ok: s.outcomes.ok === s.instances,
    instances: s.instances,
    state: state?.text ?? null,
    stateEncoding: state?.encoding ?? null,
    error: s.failures.length > 0 ? failureLine(s.failures[0], many) : null,
    outcomes: s.outcomes,
    mode: s.mode,
    maxLive: s.maxLive,
    peakLive: s.peakLive,
    prepareMs: round(s.prepareMs),
    spawnMs: round(s.spawnMs),
    runMs: round(s.runMs),
    // A slice names its chain by file name alone: merge looks for it beside the results file (merge-input.ts).
    events: slice === null || s.events === null ? s.events : basename(s.events),
    eventLines: s.eventLines,
    failures: s.failures,
    maxRssMb: Math.round(s.shards.reduce((sum, r) => sum + r.maxRssMb, 0)),
    shards: s.shards.map((r) => ({ ...r, spawnMs: round(r.spawnMs), runMs: round(r.runMs), maxRssMb: Math.round(r.maxRssMb) })),
    ...(slice === null ? {} : { name: s.name, slice: { index: slice.index, count: slice.count, first: s.first, total: s.total }, componentSha256: s.componentSha256 }),
  };
}

/** The stdout line of a fleet without --json. */
export function summaryLine(s: RunSummary): string {
  const shards = s.shards.length > 1 ? ` over ${s.shards.length} shards` : '';
  return `${s.name}: ${s.instances} instances: ${s.outcomes.ok} ok, ${s.outcomes.err} err, ${s.outcomes.trap} trapped; `
    + `spawn ${s.spawnMs.toFixed(1)} ms, run ${s.runMs.toFixed(1)} ms, peak live ${s.peakLive} (cap ${s.maxLive}${s.shards.length > 1 ? ' per process' : ''})${shards}\n`;
}
