// Over 200 lines: the options and results types of a run take half; runFleet's steps are named functions below it.
/*
 * Running an actor manifest: one instance or a fleet, in this one process.
 *
 *   prepare   read the component, transpile it once (cached by SHA-256), compile once
 *   spawn     instantiate the first min(n, maxLive) instances      -> spawnMs
 *             (spawnMs is counted from the start, so it includes prepareMs),
 *             SPAWN_BATCH at a time with a macrotask turn between batches, so
 *             a shard's heartbeat and IPC still run while it spawns thousands
 *   run       call every instance's init; at most maxLive alive at once,
 *             the rest queued FIFO and spawned as slots free up    -> runMs
 *
 * Each instance is stopped (its pollables dropped) as soon as its init settles.
 * Whatever goes wrong with one instance, including a failed instantiation, is
 * that instance's `trap` outcome; runFleet itself rejects only on bad options,
 * a component that cannot be prepared, or one whose first instance cannot be
 * spawned. Why the cap exists: docs/FLEETS.md.
 */
import { readFile } from 'node:fs/promises';
import { MAX_STATE_BYTES } from '../base/units.ts';
import { performance } from 'node:perf_hooks';
import type { EventSink, TimingEvent } from '../events/types.ts';
import type { HandlerRegistry } from '../handler/registry.ts';
import type { ActorOutputSink } from '../handler/wasi-output.ts';
import { TimingRuntime, type ClockKind } from '../timing/timing-runtime.ts';
import { virtualRuntime } from '../timing/virtual.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import { resolveMode } from '../wasi/mode.ts';
import { Actor, type InitOutcome } from './actor.ts';
import { Gate } from './gate.ts';
import type { Admission } from '../thread/admission.ts';
import { defaultMaxLive, MAPPINGS_MEASURED, MAX_INSTANCES, maxLiveCeiling, maxMapCount, WASM_MEMORY_RESERVATION } from './limits.ts';
import { transpileComponent, type TranspiledComponent } from '../component/transpile.ts';
import { versionedImportNames } from '../component/import-versions.ts';
import { registryFor } from './handlers.ts';
import { runIdentity, sha256Of, withInstance } from './identity.ts';
import { ReplayHandler } from '../replay/replay-handler.ts';

export { registryFor } from './handlers.ts';

export interface FleetOptions {
  instances?: number;
  /**
   * Most actors alive (instantiated, possibly suspended) at once; the rest wait
   * in a FIFO queue. Default: defaultMaxLive(), derived from vm.max_map_count
   * and the address space (limits.ts, docs/FLEETS.md).
   */
  maxLive?: number;
  mode?: ExecutionMode | 'auto';
  /** 'real' (default) or 'virtual' time; see src/timing/virtual.ts. Ignored when `runtime` is given. */
  clock?: ClockKind;
  /** Virtual time only: the wall clock's start, ns since the epoch (default 2025-01-01T00:00:00Z). */
  startWallNs?: bigint;
  /** The runtime to run in (its clock, table and timer); default: a new one per run. */
  runtime?: TimingRuntime;
  /** Real time: wait on the thread for sub-ms remainders (default true; see TimingRuntimeOptions). */
  activeWait?: boolean;
  /**
   * The handlers each actor gets; default registryFor(manifest, mode, runtime).
   * Build it with registryFor over the same runtime to add handlers of your own.
   */
  registry?: HandlerRegistry;
  /** Where a `type = "wasi"` handler sends the actors' stdout and stderr lines (ignored when `registry` is given). */
  output?: ActorOutputSink;
  /** Record timing events (default true). */
  record?: boolean;
  /** Initial state passed to every init; null or absent: the manifest's init_state, if any. */
  state?: Uint8Array | null;
  cacheDir?: string | false;
  /**
   * Number of the first instance (default 0): a shard of a larger fleet runs
   * instances first .. first + instances - 1, named and reported by those numbers.
   */
  first?: number;
  onProgress?: (settled: number, total: number) => void;
  /** Called once per instance as soon as its init settles (events are not final for a trap). */
  onSettled?: (result: InstanceResult) => void;
  /** Where the state came from, for the ActorIdentity record (e.g. "--state"); default: guessed from the manifest. */
  stateSource?: string;
  /** Stream each instance's events somewhere instead of keeping them (`record` is then ignored). */
  recording?: FleetRecording;
}

/** Where a fleet's events go when they are streamed (the CLI's chain file). */
export interface FleetRecording {
  /** The sink of instance `instance`, asked for just before it is spawned; `run` is what every instance shares. */
  open(instance: number, run: { imports: readonly string[]; state: Uint8Array | null }): EventSink;
  /** Instance `instance` settled with `outcome`; its actor is already stopped. */
  close(instance: number, outcome: InitOutcome): void;
}

/** Instances instantiated per macrotask while the first batch is spawned. */
export const SPAWN_BATCH = 512;

export interface InstanceResult {
  instance: number;
  outcome: InitOutcome;
  events: readonly TimingEvent[];
}

export interface FleetResult {
  instances: number;
  ok: number;
  err: number;
  trap: number;
  results: InstanceResult[];
  /** The component's imports, as it names them (with versions). */
  imports: readonly string[];
  /** The state every init was given. */
  state: Uint8Array | null;
  mode: ExecutionMode;
  maxLive: number;
  /** The most actors that were alive at once. */
  peakLive: number;
  prepareMs: number;
  spawnMs: number;
  runMs: number;
}

/** The runtime a run asks for: real time, or virtual time from its fixed start. */
export function runtimeFor(options: Pick<FleetOptions, 'clock' | 'startWallNs' | 'runtime' | 'activeWait'>): TimingRuntime {
  if (options.runtime !== undefined) return options.runtime;
  const clock = options.clock ?? 'real';
  if (clock === 'virtual') return virtualRuntime({ startWallNs: options.startWallNs });
  if (clock !== 'real') throw new RangeError(`clock must be 'real' or 'virtual', got ${JSON.stringify(clock)}`);
  return new TimingRuntime({ activeWait: options.activeWait });
}

export async function prepareComponent(manifest: ActorManifest, mode: ExecutionMode, cacheDir?: string | false): Promise<TranspiledComponent> {
  return (await prepareWithHash(manifest, mode, cacheDir)).component;
}

/** The transpiled component and the SHA-256 of its bytes (for the chains' ActorIdentity). */
export async function prepareWithHash(manifest: ActorManifest, mode: ExecutionMode, cacheDir?: string | false): Promise<{ component: TranspiledComponent; sha256: string }> {
  const bytes = await readFile(manifest.component);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const instrument = manifest.fairness_pass !== false;
  return { component: await transpileComponent(view, { mode, cacheDir, instrument }), sha256: sha256Of(view) };
}

/** A replay writes the recording's own identity record (ReplayHandler), so the run adds none. */
const replays = (registry: HandlerRegistry): boolean => registry.handlers().some((h) => h instanceof ReplayHandler);

export async function runFleet(manifest: ActorManifest, options: FleetOptions = {}): Promise<FleetResult> {
  const { total, mode, maxLive, firstInstance } = checkedOptions(options);
  const runtime = runtimeFor(options);
  const gate = new Gate(maxLive);
  const record = options.record !== false;

  const state = options.state ?? manifest.init_state?.bytes ?? null;

  const t0 = performance.now();
  const registry = options.registry ?? registryFor(manifest, mode, runtime, { output: options.output });
  const { component, sha256 } = await prepareWithHash(manifest, mode, options.cacheDir);
  const t1 = performance.now();
  const { recording } = options;
  const imports = versionedImportNames(component);
  const identity = replays(registry) ? null : runIdentity({ manifest, componentSha256: sha256, mode, clock: runtime.kind, state, stateSource: options.stateSource });
  const spawn = (i: number) => Actor.spawn(component, registry, {
    id: `${manifest.name}#${firstInstance + i}`, record, sink: recording?.open(firstInstance + i, { imports, state }), thread: runtime.thread,
    identity: identity === null ? undefined : withInstance(identity, firstInstance + i),
  });
  const take = actorSource(await spawnFirstWave(Math.min(total, maxLive), spawn), spawn, runtime.thread.admission);
  const t2 = performance.now();

  const results = new Array<InstanceResult>(total);
  let settled = 0;
  const runOne = async (i: number): Promise<void> => {
    const result = await runInstance(firstInstance + i, () => take(i), state);
    results[i] = result;
    recording?.close(result.instance, result.outcome);
    options.onSettled?.(result);
    options.onProgress?.(++settled, total);
  };
  // Every init is started in this one macrotask, so a fleet within the cap is all
  // alive at once (counted by the gate from here); the admission lets them into
  // their guests a slice per loop turn (thread/admission.ts). (Starting them in batches
  // from here was tried: under load, early sleepers finished before late ones
  // started, and a 100 000-actor run peaked at 79 666 live.)
  await Promise.all(Array.from({ length: total }, (_, i) => gate.run(() => runOne(i))));
  const t3 = performance.now();

  const count = (status: InitOutcome['status']) => results.filter((r) => r.outcome.status === status).length;
  return {
    instances: total,
    ok: count('ok'),
    err: count('err'),
    trap: count('trap'),
    results,
    imports,
    state,
    mode,
    maxLive,
    peakLive: gate.peak,
    prepareMs: t1 - t0,
    spawnMs: t2 - t0,
    runMs: t3 - t2,
  };
}

/** The run's size and shape from its options, or a RangeError naming the bad one. */
function checkedOptions(options: FleetOptions): { total: number; mode: ExecutionMode; maxLive: number; firstInstance: number } {
  const total = options.instances ?? 1;
  if (!Number.isSafeInteger(total) || total < 1) throw new RangeError(`instances must be a positive integer, got ${String(total)}`);
  if (total > MAX_INSTANCES) throw new RangeError(`instances: at most ${MAX_INSTANCES} per run, got ${total}`);
  const mode = resolveMode(options.mode);
  const maxLive = options.maxLive ?? defaultMaxLive();
  if (!Number.isSafeInteger(maxLive) || maxLive < 1) throw new RangeError(`maxLive must be a positive integer, got ${String(maxLive)}`);
  // Only what can really be alive at once counts: a huge maxLive for a small fleet is harmless.
  const ceiling = maxLiveCeiling();
  if (Math.min(total, maxLive) > ceiling) {
    throw new RangeError(`maxLive ${maxLive} is more live actors than this process can hold (at most ${ceiling}: `
      + `each holds ~${MAPPINGS_MEASURED} of vm.max_map_count = ${maxMapCount()} mappings and ${WASM_MEMORY_RESERVATION / 2 ** 30} GiB of address space; see docs/FLEETS.md)`);
  }
  if (options.state != null && options.state.length > MAX_STATE_BYTES) throw new RangeError(`state: at most ${MAX_STATE_BYTES} bytes (64 MiB), got ${options.state.length}`);
  const firstInstance = options.first ?? 0;
  if (!Number.isSafeInteger(firstInstance) || firstInstance < 0) throw new RangeError(`first must be a non-negative integer, got ${String(firstInstance)}`);
  return { total, mode, maxLive, firstInstance };
}

type Spawned = Actor | { failed: unknown };

/**
 * The first `count` instances, spawned up front so spawnMs measures instantiation
 * alone. Instance 0 failing rejects the run: the component does not fit the manifest
 * (no actor export, an import no handler serves), and every instance would fail
 * alike. A later failure (e.g. out of wasm memory) is that instance's outcome.
 */
async function spawnFirstWave(count: number, spawn: (i: number) => Actor): Promise<Spawned[]> {
  const first = new Array<Spawned>(count);
  first[0] = spawn(0);
  for (let i = 1; i < first.length; i++) {
    if (i % SPAWN_BATCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      first[i] = spawn(i);
    } catch (failed) {
      first[i] = { failed };
    }
  }
  return first;
}

/** Instance i's actor: from the first wave (once), or spawned when its turn comes. */
function actorSource(first: Spawned[], spawn: (i: number) => Actor, admission: Admission): (i: number) => Promise<Actor> {
  return async (i) => {
    if (i >= first.length) {
      // A later wave instantiates inside the run: a turn of guest work like any call into
      // a guest, so it is admitted too, or a wave's spawns would hold the loop in one drain.
      const admitted = admission.enter();
      if (admitted !== undefined) await admitted;
      try {
        return spawn(i);
      } finally {
        admission.leave();
      }
    }
    const entry = first[i];
    first[i] = { failed: null }; // drop the reference: a finished actor is garbage at once
    if (entry instanceof Actor) return entry;
    throw entry.failed;
  };
}

/** Takes an instance's actor, runs its init and stops it; any failure is the instance's trap. */
async function runInstance(instance: number, take: () => Promise<Actor>, state: Uint8Array | null): Promise<InstanceResult> {
  let actor: Actor | null = null;
  let outcome: InitOutcome;
  try {
    actor = await take();
    outcome = await actor.init(state);
  } catch (error) {
    outcome = { status: 'trap', error: error instanceof Error ? error.message : String(error) };
  } finally {
    actor?.stop();
  }
  return { instance, outcome, events: actor?.events?.events ?? [] };
}
