/*
 * Driving a durable run's actors from their logs (cli/durable.ts, durable-shards.ts):
 * for each instance of a range, a log ending in ChainEnd is finished (counted, not
 * run again); any other log has its torn last record (if any) cut off, is replayed
 * to its last record (replay/session.ts, checked hash for hash against the log) and
 * goes on live from there on the same chain (replay/continue.ts). A missing log is
 * an actor that had not started: it starts now. With the manifest's
 * hibernate_after, an actor whose wait is longer is dropped and rebuilt the same
 * way HIBERNATE_LEAD_MS before its deadline. Also: the summary such a run
 * reports, and the counts `--json` adds to it.
 */
import { peakRssMb } from './peak-rss.ts';
import { DurableLog, GroupCommit, readDurableLog, truncateLog } from '../events/durable-log.ts';
import type { ChainOutcome } from '../events/types.ts';
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { WasiHandler } from '../handler/wasi-handler.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import { replayJournal } from '../replay/wasi-journal.ts';
import { jsonText } from '../base/text.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { LiveContinuation, type ClockAnchor } from '../replay/continue.ts';
import { recordingFromJsonl } from '../replay/jsonl.ts';
import { ReplayHandler } from '../replay/replay-handler.ts';
import { ReplaySession } from '../replay/session.ts';
import { Actor, type InitOutcome } from '../runtime/actor.ts';
import type { prepareWithHash } from '../runtime/fleet.ts';
import { runInstances, type RunInstancesResult } from '../runtime/hibernation.ts';
import { runIdentity, withInstance } from '../runtime/identity.ts';
import type { ShardSlice } from '../runtime/shard-plan.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import type { resolveMode } from '../wasi/mode.ts';
import { actorLog, FSYNC_INTERVAL_MS } from './durable-run-file.ts';
import type { CliIo } from './io.ts';
import { MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

export interface ResumeCounts { resumed: number; finished: number; started: number; tornBytes: number; hibernated: number; hibernations: number; keptLive: number; restarts: number }

export const noCounts = (): ResumeCounts => ({ resumed: 0, finished: 0, started: 0, tornBytes: 0, hibernated: 0, hibernations: 0, keptLive: 0, restarts: 0 });

/** The counts of several shards, summed. */
export function sumCounts(parts: readonly ResumeCounts[]): ResumeCounts {
  const total = noCounts();
  for (const part of parts) for (const key of Object.keys(total) as (keyof ResumeCounts)[]) total[key] += part[key];
  return total;
}

export function chainOutcome(outcome: InitOutcome): [ChainOutcome, string] {
  return outcome.status === 'ok' ? ['ok', ''] : [outcome.status, outcome.error];
}

/** The summary of `range` (of a fleet of `total`) from its outcomes, outcomes[i] being instance range.first + i's. */
export function summaryOf(manifest: ActorManifest, total: number, range: ShardSlice, outcomes: readonly InitOutcome[], run: Pick<RunSummary, 'mode' | 'maxLive' | 'peakLive' | 'prepareMs' | 'spawnMs' | 'runMs'>): RunSummary {
  const failures: Failure[] = [];
  const counts = { ok: 0, err: 0, trap: 0 };
  outcomes.forEach((outcome, at) => {
    counts[outcome.status]++;
    if (outcome.status !== 'ok' && failures.length < MAX_FAILURES) failures.push({ instance: range.first + at, status: outcome.status, error: outcome.error });
  });
  const head = outcomes[0];
  const { index, first, instances } = range;
  return {
    name: manifest.name, total, first, instances, outcomes: counts, state: head?.status === 'ok' ? head.state : null, failures,
    ...run, events: null, eventLines: 0,
    shards: [{ index, first, instances, peakLive: run.peakLive, spawnMs: run.spawnMs, runMs: run.runMs, maxRssMb: peakRssMb(), status: 'ok' }],
  };
}

/** `--json` prints run's object plus the durable counts. */
export function withCounts(io: CliIo, json: boolean, counts: ResumeCounts): CliIo {
  if (!json) return io;
  const extra = { resumed: counts.resumed, started: counts.started, finished: counts.finished, torn_bytes: counts.tornBytes, hibernated: counts.hibernated, hibernations: counts.hibernations, kept_live: counts.keptLive, restarts: counts.restarts };
  return { ...io, stdout: (text) => io.stdout(`${jsonText({ ...(JSON.parse(text) as object), ...extra })}\n`) };
}

/** How long before its deadline a hibernated actor is rebuilt (replay of a short log takes ~1 ms here; docs/DURABLE.md). */
export const HIBERNATE_LEAD_MS = 50;

interface DriveContext {
  dir: string;
  manifest: ActorManifest;
  prepared: Awaited<ReturnType<typeof prepareWithHash>>;
  mode: ReturnType<typeof resolveMode>;
  state: Uint8Array | null;
  anchor: ClockAnchor;
  maxLive: number;
  /** The instances to drive. */
  range: ShardSlice;
  /** Where the actors' stdout/stderr lines go (live ones only: replayed ones were shown before). */
  output: ActorOutputSink;
  /** Told of each instance as it settles (or is found finished), by its number. */
  onSettled?: (instance: number, outcome: InitOutcome) => void;
}

interface Driven { outcomes: InitOutcome[]; counts: ResumeCounts; peakLive: number }

/**
 * Runs every instance of a durable run from its log: finished ones are counted,
 * the others replayed to the end of their log and continued live. With the
 * manifest's hibernate_after, an actor whose wait is longer is dropped (its slot
 * freed) and rebuilt the same way HIBERNATE_LEAD_MS before its deadline.
 */
export async function driveAll(ctx: DriveContext): Promise<Driven> {
  const { dir, manifest, prepared, mode, state, anchor } = ctx;
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const wasi = manifest.handlers.find((h) => h.type === 'wasi');
  const limits = timing === undefined ? null : effectiveLimits(timing.config, null);
  const identity = runIdentity({ manifest, componentSha256: prepared.sha256, mode, clock: 'real', state });
  const hibernateAfterNs = manifest.hibernate_after === null ? null : BigInt(manifest.hibernate_after) * 1_000_000n;
  const thread = new TimingRuntime().thread;
  const group = new GroupCommit(FSYNC_INTERVAL_MS);
  const counts = noCounts();
  const { first } = ctx.range;
  const outcomes = new Array<InitOutcome>(ctx.range.instances);
  const settle = (instance: number, outcome: InitOutcome): void => {
    outcomes[instance - first] = outcome;
    ctx.onSettled?.(instance, outcome);
  };
  /** One incarnation: replay the log, go on live; the deadline it hibernated until, or null when it settled. */
  const incarnation = async (instance: number, isFirst: boolean): Promise<bigint | null> => {
    const path = actorLog(dir, instance);
    // A rebuild after hibernation reads a log this process wrote and closed whole: no tear to look for.
    const contents = readDurableLog(path, { own: !isFirst });
    if (contents.ended) {
      counts.finished++;
      settle(instance, finishedOutcome(contents.text));
      return null;
    }
    if (contents.tornBytes > 0) {
      counts.tornBytes += contents.tornBytes;
      truncateLog(path, contents.goodBytes);
    }
    if (isFirst && contents.hashes.length === 0) counts.started++;
    else if (isFirst) counts.resumed++;
    const recording = recordingFromJsonl(contents.text, { open: true });
    const live = new LiveContinuation(recording, anchor, limits, undefined, hibernateAfterNs);
    const session = new ReplaySession(recording, limits, live);
    const registry = new HandlerRegistry({ thread });
    registry.register(new ReplayHandler(session));
    if (wasi?.type === 'wasi') registry.register(new WasiHandler(wasi.config, { output: ctx.output, journal: () => replayJournal(session, { showReplayed: false }) }));
    const log = new DurableLog(path, group, { expected: contents.hashes });
    let outcome: InitOutcome;
    let actor: Actor | null = null;
    try {
      actor = Actor.spawn(prepared.component, registry, {
        id: `${manifest.name}#${instance}`, sink: log, thread,
        identity: recording.identity === null || recording.identity === undefined ? withInstance(identity, instance) : undefined,
      });
      outcome = await actor.init(state);
    } catch (error) {
      outcome = { status: 'trap', error: error instanceof Error ? error.message : String(error) };
    } finally {
      actor?.stop();
    }
    if (live.hibernatedUntil !== null) {
      // Dropped on purpose: the log keeps everything up to the wait; nothing closes the chain.
      log.close(true);
      return live.hibernatedUntil;
    }
    const divergence = session.finish(outcome.status === 'ok' ? { status: 'ok' } : { status: outcome.status, error: outcome.error });
    if (divergence !== null && !live.started) outcome = { status: 'trap', error: divergence };
    log.end(...(divergence !== null && !live.started ? ['diverged', divergence] as [ChainOutcome, string] : chainOutcome(outcome)));
    settle(instance, outcome);
    return null;
  };
  // Asleep: no instance, no slot, no open file: one wheel entry, rebuilt HIBERNATE_LEAD_MS early (runtime/hibernation.ts).
  const clock = new LiveContinuation(recordingFromJsonl('', { open: true }), anchor, null);
  const wakeAt = (until: bigint): number => performance.now() + Number(until - clock.nowNs()) / 1e6 - HIBERNATE_LEAD_MS;
  let ran: RunInstancesResult;
  try {
    ran = await runInstances({
      instances: ctx.range.instances, maxLive: ctx.maxLive,
      // Rebuild early while idle, up to half a hibernation ahead (at most 10 s): a wake-up burst is spread before it.
      earlyMs: manifest.hibernate_after === null ? 0 : Math.min(manifest.hibernate_after / 2, 10_000),
      incarnation: async (i, isFirst) => {
        const until = await incarnation(first + i, isFirst);
        return until === null ? null : wakeAt(until);
      },
    });
  } finally {
    await group.settle();
  }
  Object.assign(counts, { hibernated: ran.hibernated, hibernations: ran.hibernations, keptLive: ran.keptLive });
  return { outcomes, counts, peakLive: ran.peakLive };
}

/** The outcome a finished actor's ChainEnd recorded. */
function finishedOutcome(text: string): InitOutcome {
  const last = JSON.parse(text.trimEnd().split('\n').at(-1) ?? '{}') as { event: { outcome: ChainOutcome; message: string } };
  const { outcome, message } = last.event;
  if (outcome === 'ok') return { status: 'ok', state: null };
  return { status: outcome === 'err' ? 'err' : 'trap', error: message };
}
