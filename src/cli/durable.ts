/*
 * Durable runs: `run <manifest> --durable <dir>` and `resume <dir>`.
 *
 *   <dir>/run.json                what resume needs and nothing else: the manifest
 *                                 path, the component's SHA-256, the run's flags, and
 *                                 the clock anchor (one monotonic and one wall reading
 *                                 taken together at the start); written once, durably
 *   <dir>/actors/<instance>.jsonl one chain per actor (our format, untagged), appended
 *                                 as the calls happen (events/durable-log.ts)
 *
 * resume reads run.json, refuses another component, and for each instance: a log
 * ending in ChainEnd is finished (counted, not run again); any other log has its
 * torn last record (if any) cut off, is replayed to its last record (replay/
 * session.ts, checked hash for hash against the log) and goes on live from there
 * on the same chain (replay/continue.ts: a Resumed event, then live answers).
 * A missing log is an actor that had not started: it starts now.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DurableLog, DurableLogError, GroupCommit, readDurableLog, truncateLog } from '../events/durable-log.ts';
import type { ChainOutcome } from '../events/types.ts';
import { effectiveLimits } from '../handler/config.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { safeText, isPlainObject, jsonText } from '../base/text.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import { LiveContinuation, type ClockAnchor } from '../replay/continue.ts';
import { recordingFromJsonl, RecordingError } from '../replay/jsonl.ts';
import { ReplayHandler } from '../replay/replay-handler.ts';
import { ReplaySession } from '../replay/session.ts';
import { MONOTONIC, POLL, WALL } from '../replay/recorded.ts';
import { Actor, type InitOutcome } from '../runtime/actor.ts';
import { prepareWithHash, runFleet, type FleetRecording } from '../runtime/fleet.ts';
import { runInstances, type RunInstancesResult } from '../runtime/hibernation.ts';
import { runIdentity, withInstance } from '../runtime/identity.ts';
import { defaultMaxLive } from '../runtime/limits.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import { resolveMode } from '../wasi/mode.ts';
import type { ResumeCommand, RunCommand } from './commands.ts';
import { EXIT_USAGE, type CliIo } from './io.ts';
import { report } from './report.ts';
import { loadRunManifest } from './run-single.ts';
import { MAX_FAILURES, type Failure, type RunSummary } from './summary.ts';

export const DURABLE_FORMAT = 1;
/** Group commit: the most time a log's records wait for fdatasync (docs/DURABLE.md has the measured cost). */
export const FSYNC_INTERVAL_MS = 100;

export interface RunFile {
  format: number;
  manifest: string;
  component_sha256: string;
  instances: number;
  /** init's state as hex, or null for none. */
  state_hex: string | null;
  max_live: number | null;
  anchor: { monotonic_ns: string; wall_ns: string };
}

class DurableError extends Error {
  override name = 'DurableError';
}

const actorLog = (dir: string, instance: number): string => join(dir, 'actors', `${instance}.jsonl`);

function writeRunFile(dir: string, run: RunFile): void {
  const path = join(dir, 'run.json');
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(run, null, 2)}\n`);
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  syncDir(dir);
  syncDir(join(dir, 'actors'));
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

/** The interfaces a resume can replay: the timing ones, recorded call by call (replay/session.ts). */
export const REPLAYABLE_IMPORTS: readonly string[] = [MONOTONIC, WALL, POLL];

/**
 * The determinism guard: a durable actor may see nothing that is not in its log,
 * so every interface it imports must be one the log records and a resume replays.
 * The first that is not, named in one line; null when every import is replayable.
 */
export function unreplayableImport(manifest: ActorManifest, importNames: readonly string[]): string | null {
  const bad = importNames.find((name) => !REPLAYABLE_IMPORTS.includes(name.split('@')[0]));
  return bad === undefined ? null : `${manifest.path}: durable: the component imports ${bad}, which a resume cannot replay (a durable actor may import only ${REPLAYABLE_IMPORTS.join(', ')})`;
}

/** What stands in the way of a durable run with these flags, or null. */
function durableConflict(command: RunCommand): string | null {
  if (command.replay !== null) return 'cannot be combined with --replay (a durable run is live)';
  if (command.events !== null) return 'cannot be combined with --events: each actor\'s chain is <dir>/actors/<instance>.jsonl';
  if (command.chainFormat !== 'jsonl') return 'keeps our JSON Lines only; drop --chain-format';
  if (command.clock !== 'real') return 'runs on the real clock; drop --clock';
  if (command.shards !== null && command.shards > 1) return 'runs in one process; drop --shards';
  if (command.shardIndex !== null) return 'runs in one process; drop --shard-index/--shard-count';
  if (command.mode === 'sync') return 'needs --mode jspi: a resumed actor waits by suspending';
  return null;
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
  const state = command.state ?? manifest.init_state?.bytes ?? null;
  const group = new GroupCommit(FSYNC_INTERVAL_MS);
  let summary: RunSummary;
  try {
    const { sha256, component } = await prepareWithHash(manifest, mode);
    const guard = unreplayableImport(manifest, component.importNames);
    if (guard !== null) {
      say(guard);
      return EXIT_USAGE;
    }
    mkdirSync(join(dir, 'actors'), { recursive: true });
    const monotonic = process.hrtime.bigint();
    const wall = BigInt(Date.now()) * 1_000_000n;
    writeRunFile(dir, {
      format: DURABLE_FORMAT, manifest: manifest.path, component_sha256: sha256, instances: command.instances,
      state_hex: state === null ? null : Buffer.from(state).toString('hex'), max_live: command.maxLive,
      anchor: { monotonic_ns: monotonic.toString(), wall_ns: wall.toString() },
    });
    if (manifest.hibernate_after !== null) {
      // Hibernation needs every actor served from its log (replay/continue.ts), from its first call.
      const anchor: ClockAnchor = { monotonicNs: monotonic, wallNs: wall };
      const maxLive = command.maxLive ?? defaultMaxLive();
      const t0 = performance.now();
      const driven = await driveAll({ dir, manifest, prepared: { sha256, component }, mode, state, anchor, maxLive, instances: command.instances });
      const summary = summaryOf(manifest, command.instances, driven.outcomes, { mode, maxLive, peakLive: driven.peakLive, prepareMs: 0, spawnMs: 0, runMs: performance.now() - t0 });
      return report(summary, { json: command.json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, withCounts(io, command.json, driven.counts));
    }
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
      instances: command.instances, maxLive: command.maxLive ?? undefined, mode, activeWait: !command.coarseTimer, state, recording,
    });
    await group.settle();
    summary = summaryOf(manifest, command.instances, fleet.results.map((r) => r.outcome), { mode, maxLive: fleet.maxLive, peakLive: fleet.peakLive, prepareMs: fleet.prepareMs, spawnMs: fleet.spawnMs, runMs: fleet.runMs });
  } catch (error) {
    if (!(error instanceof DurableLogError || isFsError(error))) throw error;
    say(`--durable: ${error instanceof DurableLogError ? error.message : `${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`}`);
    return EXIT_USAGE;
  }
  return report(summary, { json: command.json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, io);
}

const isFsError = (error: unknown): boolean => error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';

function chainOutcome(outcome: InitOutcome): [ChainOutcome, string] {
  return outcome.status === 'ok' ? ['ok', ''] : [outcome.status, outcome.error];
}

function summaryOf(manifest: ActorManifest, total: number, outcomes: readonly InitOutcome[], run: Pick<RunSummary, 'mode' | 'maxLive' | 'peakLive' | 'prepareMs' | 'spawnMs' | 'runMs'>): RunSummary {
  const failures: Failure[] = [];
  const counts = { ok: 0, err: 0, trap: 0 };
  outcomes.forEach((outcome, instance) => {
    counts[outcome.status]++;
    if (outcome.status !== 'ok' && failures.length < MAX_FAILURES) failures.push({ instance, status: outcome.status, error: outcome.error });
  });
  const head = outcomes[0];
  return {
    name: manifest.name, total, first: 0, instances: total, outcomes: counts, state: head?.status === 'ok' ? head.state : null, failures,
    ...run, events: null, eventLines: 0,
    shards: [{ index: 0, first: 0, instances: total, peakLive: run.peakLive, spawnMs: run.spawnMs, runMs: run.runMs, maxRssMb: process.resourceUsage().maxRSS / 1024, status: 'ok' }],
  };
}

/** run.json, checked field by field; a DurableError names the field. */
export function readRunFile(dir: string): RunFile {
  const path = join(dir, 'run.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DurableError(`${path}: ${isFsError(error) ? `cannot read (${(error as NodeJS.ErrnoException).code}): not the folder of a run --durable` : 'not JSON'}`);
  }
  const bad = (field: string, what: string): never => { throw new DurableError(`${path}: ${field}: expected ${what}`); };
  if (!isPlainObject(parsed)) return bad('(top)', 'an object');
  if (parsed.format !== DURABLE_FORMAT) bad('format', `${DURABLE_FORMAT}`);
  if (typeof parsed.manifest !== 'string') bad('manifest', 'a path');
  if (typeof parsed.component_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.component_sha256)) bad('component_sha256', 'a hex SHA-256');
  if (!Number.isSafeInteger(parsed.instances) || (parsed.instances as number) < 1) bad('instances', 'a positive integer');
  if (parsed.state_hex !== null && (typeof parsed.state_hex !== 'string' || !/^([0-9a-f]{2})*$/.test(parsed.state_hex))) bad('state_hex', 'null or hex');
  if (parsed.max_live !== null && !Number.isSafeInteger(parsed.max_live)) bad('max_live', 'null or an integer');
  const anchor = parsed.anchor;
  if (!isPlainObject(anchor) || typeof anchor.monotonic_ns !== 'string' || !/^[0-9]+$/.test(anchor.monotonic_ns) || typeof anchor.wall_ns !== 'string' || !/^[0-9]+$/.test(anchor.wall_ns)) bad('anchor', '{"monotonic_ns","wall_ns"} as decimal strings');
  return parsed as unknown as RunFile;
}

interface ResumeCounts { resumed: number; finished: number; started: number; tornBytes: number; hibernated: number; hibernations: number; keptLive: number }

/** `theater-timing resume <dir>`. */
export async function resumeRun(command: ResumeCommand, io: CliIo): Promise<number> {
  const say = (text: string): void => io.stderr(`theater-timing: ${safeText(text)}\n`);
  const dir = resolve(command.dir);
  let runFile: RunFile;
  try {
    runFile = readRunFile(dir);
  } catch (error) {
    if (!(error instanceof DurableError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
  const manifest = loadRunManifest(runFile.manifest, say);
  if (manifest === null) return EXIT_USAGE;
  let mode: ReturnType<typeof resolveMode>;
  try {
    mode = resolveMode('jspi');
  } catch (error) {
    say(`resume: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  let prepared: Awaited<ReturnType<typeof prepareWithHash>>;
  try {
    prepared = await prepareWithHash(manifest, mode);
  } catch (error) {
    say(`${manifest.path}: component: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_USAGE;
  }
  if (prepared.sha256 !== runFile.component_sha256) {
    say(`${join(dir, 'run.json')}: the run's component was sha256 ${runFile.component_sha256.slice(0, 12)}…, ${manifest.component} is now ${prepared.sha256.slice(0, 12)}…: a replay would diverge; restore the component to resume`);
    return EXIT_USAGE;
  }
  // (The determinism guard passed when the run started, on this same component: its SHA-256 matched.)
  const state = runFile.state_hex === null ? null : Uint8Array.from(Buffer.from(runFile.state_hex, 'hex'));
  const anchor: ClockAnchor = { monotonicNs: BigInt(runFile.anchor.monotonic_ns), wallNs: BigInt(runFile.anchor.wall_ns) };
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const limits = timing === undefined ? null : effectiveLimits(timing.config, null);
  const maxLive = runFile.max_live ?? defaultMaxLive();
  const t0 = performance.now();
  let driven: Driven;
  try {
    driven = await driveAll({ dir, manifest, prepared, mode, state, anchor, maxLive, instances: runFile.instances });
  } catch (error) {
    if (!(error instanceof DurableLogError || error instanceof RecordingError)) throw error;
    say(error.message);
    return EXIT_USAGE;
  }
  const { outcomes, counts, peakLive } = driven;
  const runMs = performance.now() - t0;
  const summary = summaryOf(manifest, runFile.instances, outcomes, { mode, maxLive, peakLive, prepareMs: 0, spawnMs: 0, runMs });
  if (!command.json) say(`resumed ${counts.resumed}, started ${counts.started}, already finished ${counts.finished} of ${runFile.instances} actors${counts.tornBytes > 0 ? `; dropped ${counts.tornBytes} bytes of torn records` : ''}`);
  return report(summary, { json: command.json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, withCounts(io, command.json, counts));
}

/** `--json` prints run's object plus the durable counts. */
function withCounts(io: CliIo, json: boolean, counts: ResumeCounts): CliIo {
  if (!json) return io;
  const extra = { resumed: counts.resumed, started: counts.started, finished: counts.finished, torn_bytes: counts.tornBytes, hibernated: counts.hibernated, hibernations: counts.hibernations, kept_live: counts.keptLive };
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
  instances: number;
}

interface Driven { outcomes: InitOutcome[]; counts: ResumeCounts; peakLive: number }

/**
 * Runs every instance of a durable run from its log: finished ones are counted,
 * the others replayed to the end of their log and continued live. With the
 * manifest's hibernate_after, an actor whose wait is longer is dropped (its slot
 * freed) and rebuilt the same way HIBERNATE_LEAD_MS before its deadline.
 */
async function driveAll(ctx: DriveContext): Promise<Driven> {
  const { dir, manifest, prepared, mode, state, anchor } = ctx;
  const timing = manifest.handlers.find((h) => h.type === 'timing');
  const limits = timing === undefined ? null : effectiveLimits(timing.config, null);
  const identity = runIdentity({ manifest, componentSha256: prepared.sha256, mode, clock: 'real', state });
  const hibernateAfterNs = manifest.hibernate_after === null ? null : BigInt(manifest.hibernate_after) * 1_000_000n;
  const thread = new TimingRuntime().thread;
  const group = new GroupCommit(FSYNC_INTERVAL_MS);
  const counts: ResumeCounts = { resumed: 0, finished: 0, started: 0, tornBytes: 0, hibernated: 0, hibernations: 0, keptLive: 0 };
  const outcomes = new Array<InitOutcome>(ctx.instances);
  /** One incarnation: replay the log, go on live; the deadline it hibernated until, or null when it settled. */
  const incarnation = async (instance: number, first: boolean): Promise<bigint | null> => {
    const path = actorLog(dir, instance);
    // A rebuild after hibernation reads a log this process wrote and closed whole: no tear to look for.
    const contents = readDurableLog(path, { own: !first });
    if (contents.ended) {
      counts.finished++;
      outcomes[instance] = finishedOutcome(contents.text);
      return null;
    }
    if (contents.tornBytes > 0) {
      counts.tornBytes += contents.tornBytes;
      truncateLog(path, contents.goodBytes);
    }
    if (first && contents.hashes.length === 0) counts.started++;
    else if (first) counts.resumed++;
    const recording = recordingFromJsonl(contents.text);
    const live = new LiveContinuation(recording, anchor, limits, undefined, hibernateAfterNs);
    const session = new ReplaySession(recording, limits, live);
    const registry = new HandlerRegistry({ thread });
    registry.register(new ReplayHandler(session));
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
    outcomes[instance] = outcome;
    log.end(...(divergence !== null && !live.started ? ['diverged', divergence] as [ChainOutcome, string] : chainOutcome(outcome)));
    return null;
  };
  // Asleep: no instance, no slot, no open file: one wheel entry, rebuilt HIBERNATE_LEAD_MS early (runtime/hibernation.ts).
  const clock = new LiveContinuation(recordingFromJsonl(''), anchor, null);
  const wakeAt = (until: bigint): number => performance.now() + Number(until - clock.nowNs()) / 1e6 - HIBERNATE_LEAD_MS;
  let ran: RunInstancesResult;
  try {
    ran = await runInstances({
      instances: ctx.instances, maxLive: ctx.maxLive,
      // Rebuild early while idle, up to half a hibernation ahead (at most 10 s): a wake-up burst is spread before it.
      earlyMs: manifest.hibernate_after === null ? 0 : Math.min(manifest.hibernate_after / 2, 10_000),
      incarnation: async (instance, first) => {
        const until = await incarnation(instance, first);
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
