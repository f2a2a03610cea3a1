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
import { closeSync } from 'node:fs';
import { DurableLog, GroupCommit, openDurableLog } from '../events/durable-log.ts';
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
import { firstFailures, MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

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

/**
 * What a durable run keeps of its settled actors: the counts, the first failures
 * in instance order and the first instance's outcome; not one object per actor
 * (a run of 1,000,000 would otherwise hold them all until it reports).
 */
export class OutcomeTally {
  readonly counts = { ok: 0, err: 0, trap: 0 };
  readonly #first: number;
  #head: InitOutcome | undefined;
  #failures: Failure[] = [];

  /** `first`: the instance whose state the summary shows. */
  constructor(first: number) {
    this.#first = first;
  }

  add(instance: number, outcome: InitOutcome): void {
    this.counts[outcome.status]++;
    if (instance === this.#first) this.#head = outcome;
    if (outcome.status === 'ok') return;
    this.#failures.push({ instance, status: outcome.status, error: outcome.error });
    if (this.#failures.length >= 2 * MAX_FAILURES) this.#failures = firstFailures([this.#failures]);
  }

  /** The first MAX_FAILURES, in instance order (actors settle in any order). */
  get failures(): Failure[] { return firstFailures([this.#failures]); }

  get headState(): Uint8Array | null { return this.#head?.status === 'ok' ? this.#head.state : null; }
}

/** The summary of `range` (of a fleet of `total`) from its tally. */
export function summaryOf(manifest: ActorManifest, total: number, range: ShardSlice, tally: OutcomeTally, run: Pick<RunSummary, 'mode' | 'maxLive' | 'peakLive' | 'prepareMs' | 'spawnMs' | 'runMs'>): RunSummary {
  const { index, first, instances } = range;
  return {
    name: manifest.name, total, first, instances, outcomes: { ...tally.counts }, state: tally.headState, failures: tally.failures,
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

interface Driven { outcomes: OutcomeTally; counts: ResumeCounts; peakLive: number }

/**
 * Runs every instance of a durable run from its log: finished ones are counted,
 * the others replayed to the end of their log and continued live. With the
 * manifest's hibernate_after, an actor whose wait is longer is dropped (its slot
 * freed) and rebuilt the same way HIBERNATE_LEAD_MS before its deadline.
 */
export async function driveAll(ctx: DriveContext): Promise<Driven> {
  const { manifest, anchor } = ctx;
  const incarnations = new Incarnations(ctx);
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
        const until = await incarnations.run(ctx.range.first + i, isFirst);
        return until === null ? null : wakeAt(until);
      },
    });
  } finally {
    await incarnations.group.settle();
  }
  const { counts, outcomes } = incarnations;
  Object.assign(counts, { hibernated: ran.hibernated, hibernations: ran.hibernations, keptLive: ran.keptLive });
  return { outcomes, counts, peakLive: ran.peakLive };
}

/** The incarnations of a durable run's actors, and what they share: the thread, the group commit, the counts. */
class Incarnations {
  readonly counts = noCounts();
  readonly outcomes: OutcomeTally;
  readonly group = new GroupCommit(FSYNC_INTERVAL_MS);
  readonly #ctx: DriveContext;
  readonly #limits: ReturnType<typeof effectiveLimits> | null;
  readonly #identity: ReturnType<typeof runIdentity>;
  readonly #hibernateAfterNs: bigint | null;
  readonly #wasi: Extract<ActorManifest['handlers'][number], { type: 'wasi' }> | undefined;
  readonly #thread = new TimingRuntime().thread;

  constructor(ctx: DriveContext) {
    const { manifest, prepared, mode, state } = ctx;
    const timing = manifest.handlers.find((h) => h.type === 'timing');
    this.#ctx = ctx;
    this.#limits = timing === undefined ? null : effectiveLimits(timing.config, null);
    this.#identity = runIdentity({ manifest, componentSha256: prepared.sha256, mode, clock: 'real', state });
    this.#hibernateAfterNs = manifest.hibernate_after === null ? null : BigInt(manifest.hibernate_after) * 1_000_000n;
    this.#wasi = manifest.handlers.find((h) => h.type === 'wasi');
    this.outcomes = new OutcomeTally(ctx.range.first);
  }

  /** One incarnation: replay the log, go on live; the deadline it hibernated until, or null when it settled. */
  async run(instance: number, isFirst: boolean): Promise<bigint | null> {
    const path = actorLog(this.#ctx.dir, instance);
    const opened = this.#open(path, instance, isFirst);
    if (opened === null) return null;
    const { fd, contents } = opened;
    let log: DurableLog;
    let live: LiveContinuation;
    let session: ReplaySession;
    let recording: ReturnType<typeof recordingFromJsonl>;
    try {
      recording = recordingFromJsonl(contents.text, { open: true });
      live = new LiveContinuation(recording, this.#ctx.anchor, this.#limits, undefined, this.#hibernateAfterNs);
      session = new ReplaySession(recording, this.#limits, live);
      log = new DurableLog(path, this.group, { expected: contents.hashes }, fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    let outcome = await this.#init(instance, session, log, recording.identity === null || recording.identity === undefined);
    if (live.hibernatedUntil !== null) {
      // Dropped on purpose: the log keeps everything up to the wait; nothing closes the chain.
      log.close(true);
      return live.hibernatedUntil;
    }
    const divergence = session.finish(outcome.status === 'ok' ? { status: 'ok' } : { status: outcome.status, error: outcome.error });
    if (divergence !== null && !live.started) outcome = { status: 'trap', error: divergence };
    log.end(...(divergence !== null && !live.started ? ['diverged', divergence] as [ChainOutcome, string] : chainOutcome(outcome)));
    this.#settle(instance, outcome);
    return null;
  }

  /** The log, open, and its good prefix (a torn tail cut off), or null when the actor had finished (counted, settled). */
  #open(path: string, instance: number, isFirst: boolean): ReturnType<typeof openDurableLog> | null {
    // A rebuild after hibernation reads a log this process wrote and closed whole: no tear to look for.
    const opened = openDurableLog(path, { own: !isFirst });
    const { contents } = opened;
    if (contents.ended) {
      closeSync(opened.fd);
      this.counts.finished++;
      this.#settle(instance, finishedOutcome(contents.text));
      return null;
    }
    this.counts.tornBytes += contents.tornBytes;
    if (isFirst && contents.hashes.length === 0) this.counts.started++;
    else if (isFirst) this.counts.resumed++;
    return opened;
  }

  /** Spawns the actor on its log and runs init (replayed, then live); a spawn that throws is a trap. */
  async #init(instance: number, session: ReplaySession, log: DurableLog, needsIdentity: boolean): Promise<InitOutcome> {
    const { manifest, prepared, state } = this.#ctx;
    const wasi = this.#wasi;
    const registry = new HandlerRegistry({ thread: this.#thread });
    registry.register(new ReplayHandler(session));
    if (wasi !== undefined) registry.register(new WasiHandler(wasi.config, { output: this.#ctx.output, journal: () => replayJournal(session, { showReplayed: false }) }));
    let actor: Actor | null = null;
    try {
      actor = Actor.spawn(prepared.component, registry, {
        id: `${manifest.name}#${instance}`, sink: log, thread: this.#thread,
        identity: needsIdentity ? withInstance(this.#identity, instance) : undefined,
      });
      return await actor.init(state);
    } catch (error) {
      return { status: 'trap', error: error instanceof Error ? error.message : String(error) };
    } finally {
      actor?.stop();
    }
  }

  #settle(instance: number, outcome: InitOutcome): void {
    this.outcomes.add(instance, outcome);
    this.#ctx.onSettled?.(instance, outcome);
  }
}

/** The outcome a finished actor's ChainEnd recorded. */
function finishedOutcome(text: string): InitOutcome {
  const last = JSON.parse(text.trimEnd().split('\n').at(-1) ?? '{}') as { event: { outcome: ChainOutcome; message: string } };
  const { outcome, message } = last.event;
  if (outcome === 'ok') return { status: 'ok', state: null };
  return { status: outcome === 'err' ? 'err' : 'trap', error: message };
}
