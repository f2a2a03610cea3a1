/*
 * Running an actor manifest: one instance or a fleet, in this one process.
 *
 *   prepare   read the component, transpile it once (cached by SHA-256), compile once
 *   spawn     instantiate the first min(n, maxLive) instances      -> spawnMs
 *   run       call every instance's init; at most maxLive alive at once,
 *             the rest queued FIFO and spawned as slots free up    -> runMs
 *
 * Each instance is stopped (its pollables dropped) as soon as its init settles.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { TimingEvent } from '../events/types.ts';
import { HandlerRegistry } from '../handler/registry.ts';
import { TimingHandler } from '../handler/timing-handler.ts';
import type { ActorManifest } from '../manifest/manifest.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import { resolveMode } from '../wasi/mode.ts';
import { Actor, type InitOutcome } from './actor.ts';
import { Gate } from './gate.ts';
import { defaultMaxLive } from './limits.ts';
import { transpileComponent, type TranspiledComponent } from './transpile.ts';

export interface FleetOptions {
  instances?: number;
  /** Most actors alive at once (default: derived from vm.max_map_count). */
  maxLive?: number;
  mode?: ExecutionMode | 'auto';
  /** Record timing events (default true). */
  record?: boolean;
  /** Initial state passed to every init. */
  state?: Uint8Array | null;
  cacheDir?: string | false;
  onProgress?: (settled: number, total: number) => void;
}

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
  mode: ExecutionMode;
  maxLive: number;
  /** The most actors that were alive at once. */
  peakLive: number;
  prepareMs: number;
  spawnMs: number;
  runMs: number;
}

/** The registry a manifest asks for: one handler per [[handler]] entry. */
export function registryFor(manifest: ActorManifest, mode: ExecutionMode): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const spec of manifest.handlers) registry.register(new TimingHandler(spec.config, null, { mode }));
  return registry;
}

export async function prepareComponent(manifest: ActorManifest, mode: ExecutionMode, cacheDir?: string | false): Promise<TranspiledComponent> {
  const bytes = await readFile(manifest.component);
  return transpileComponent(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { mode, cacheDir });
}

export async function runFleet(manifest: ActorManifest, options: FleetOptions = {}): Promise<FleetResult> {
  const total = options.instances ?? 1;
  if (!Number.isSafeInteger(total) || total < 1) throw new RangeError(`instances must be a positive integer, got ${String(total)}`);
  const mode = resolveMode(options.mode);
  const maxLive = options.maxLive ?? defaultMaxLive();
  const gate = new Gate(maxLive);
  const record = options.record !== false;

  const t0 = performance.now();
  const component = await prepareComponent(manifest, mode, options.cacheDir);
  const registry = registryFor(manifest, mode);
  const t1 = performance.now();
  const spawn = (i: number) => Actor.spawn(component, registry, { id: `${manifest.name}#${i}`, record });
  const first = Array.from({ length: Math.min(total, maxLive) }, (_, i) => spawn(i));
  const t2 = performance.now();

  const results = new Array<InstanceResult>(total);
  let settled = 0;
  const runOne = async (i: number): Promise<void> => {
    let actor: Actor | null = null;
    let outcome: InitOutcome;
    try {
      actor = i < first.length ? first[i] : spawn(i);
      outcome = await actor.init(options.state ?? null);
    } catch (error) {
      outcome = { status: 'trap', error: error instanceof Error ? error.message : String(error) };
    } finally {
      actor?.stop();
    }
    results[i] = { instance: i, outcome, events: actor?.events?.events ?? [] };
    options.onProgress?.(++settled, total);
  };
  await Promise.all(Array.from({ length: total }, (_, i) => gate.run(() => runOne(i))));
  const t3 = performance.now();

  const count = (status: InitOutcome['status']) => results.filter((r) => r.outcome.status === status).length;
  return {
    instances: total,
    ok: count('ok'),
    err: count('err'),
    trap: count('trap'),
    results,
    mode,
    maxLive,
    peakLive: gate.peak,
    prepareMs: t1 - t0,
    spawnMs: t2 - t0,
    runMs: t3 - t2,
  };
}
