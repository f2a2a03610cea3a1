// Folding several RunSummaries into one: the shards of one run (with the
// instances of a lost shard reported as trapped), or `merge` of slices.
//   outcomes, eventLines   summed
//   peakLive               summed: the shards' peaks (a lost shard adds none)
//   failures               the first MAX_FAILURES over all parts, in instance order
//   state                  instance 0's, from the part that holds it
//   prepareMs, spawnMs     latest over the parts, from a common start
//   runMs                  latest end over the parts, less that spawnMs
// A part's start is given as an offset from the common start (a shard's start
// as seen by its parent; 0 for slices merged later, as if they started together).
import type { ExecutionMode } from '../wasi/mode.ts';
import { SHARD_STARTUP_MS, type Shard } from './shard-parent.ts';
import { firstFailures, MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

export interface Part {
  summary: RunSummary;
  offsetMs: number;
}

export function combine(parts: readonly Part[], events: string | null): RunSummary {
  const sorted = [...parts].sort((a, b) => a.summary.first - b.summary.first);
  const ran = sorted.filter((p) => p.summary.shards.every((s) => s.status === 'ok'));
  const latest = (f: (p: Part) => number): number => ran.reduce((max, p) => Math.max(max, f(p)), 0);
  const spawnMs = latest((p) => p.offsetMs + p.summary.spawnMs);
  const sum = (f: (s: RunSummary) => number): number => sorted.reduce((acc, p) => acc + f(p.summary), 0);
  const head = sorted[0].summary;
  return {
    name: head.name,
    total: head.total,
    first: head.first,
    instances: sum((s) => s.instances),
    outcomes: { ok: sum((s) => s.outcomes.ok), err: sum((s) => s.outcomes.err), trap: sum((s) => s.outcomes.trap) },
    state: head.state,
    failures: firstFailures(sorted.map((p) => p.summary.failures)),
    mode: head.mode,
    maxLive: sorted.reduce((max, p) => Math.max(max, p.summary.maxLive), 0),
    peakLive: sum((s) => s.peakLive),
    prepareMs: latest((p) => p.offsetMs + p.summary.prepareMs),
    spawnMs,
    runMs: Math.max(0, latest((p) => p.offsetMs + p.summary.spawnMs + p.summary.runMs) - spawnMs),
    events,
    eventLines: sum((s) => s.eventLines),
    shards: sorted.flatMap((p) => p.summary.shards),
  };
}

/** Why a shard that never reported is lost, for the trap message of each of its instances. */
export function lostReason(shard: Shard, timeoutMs: number): string {
  const how = shard.stalled
    ? `stopped answering (no heartbeat for ${shard.heard ? timeoutMs : Math.max(timeoutMs, SHARD_STARTUP_MS)} ms) and was killed`
    : shard.exit?.signal != null ? `was killed by ${shard.exit.signal}` : `exited with code ${String(shard.exit?.code ?? null)}`;
  const fatal = /FATAL ERROR[^\n]*/.exec(shard.stderr)?.[0];
  return `host process of this instance ${how} before init settled${fatal === undefined ? '' : ` (${fatal.trim()})`}`;
}

/** A lost shard as a RunSummary: what it reported before, and every unsettled instance trapped. */
export function lostShard(shard: Shard, base: { name: string; total: number; mode: ExecutionMode; maxLive: number }, timeoutMs: number): RunSummary {
  const { slice } = shard;
  const reason = lostReason(shard, timeoutMs);
  const failures: Failure[] = shard.failures.slice().sort((a, b) => a.instance - b.instance).slice(0, MAX_FAILURES);
  const unsettled: Failure[] = [];
  for (let at = 0; at < slice.instances && unsettled.length < MAX_FAILURES; at++) {
    if (shard.settled[at] === 0) unsettled.push({ instance: slice.first + at, status: 'trap', error: reason });
  }
  const err = shard.failures.filter((f) => f.status === 'err').length;
  return {
    ...base,
    first: slice.first,
    instances: slice.instances,
    outcomes: { ok: shard.ok, err, trap: slice.instances - shard.ok - err },
    state: null,
    failures: firstFailures([failures, unsettled]),
    peakLive: 0,
    prepareMs: 0,
    spawnMs: 0,
    runMs: 0,
    events: null,
    eventLines: 0,
    shards: [{ index: slice.index, first: slice.first, instances: slice.instances, peakLive: 0, spawnMs: 0, runMs: 0, maxRssMb: 0, status: shard.stalled ? 'stalled' : 'died' }],
  };
}

/** The message of a shard that could not use the component (exit 2 before reporting), if any. */
export function refusal(shards: readonly Shard[]): string | null {
  const refused = shards.find((s) => s.summary === null && !s.stalled && s.exit?.code === 2);
  return refused === undefined ? null : refused.stderr.trim();
}
