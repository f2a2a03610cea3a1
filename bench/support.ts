// Shared pieces of the issue-5 benchmarks: the test actors, one fleet runner
// used for every peer (so only the imports differ), percentiles, machine info.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Handler, HandlerInstance } from '../src/handler/registry.ts';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TIMING_INTERFACES } from '../src/handler/timing-handler.ts';
import { Actor, type InitOutcome } from '../src/runtime/actor.ts';
import { jcoVersion, transpileComponent, type TranspiledComponent } from '../src/component/transpile.ts';
import type { ExecutionMode } from '../src/wasi/mode.ts';

export { actorComponent, peerRegistry, runSleepers, sleepState, percentile, machine, target, TARGETS, type SleepRun, type Target };

const ROOT = join(import.meta.dirname, '..');

async function actorComponent(name: string, mode: ExecutionMode, asyncExports?: string[]): Promise<TranspiledComponent> {
  const bytes = readFileSync(join(ROOT, 'test-actors', 'build', `${name}.wasm`));
  return transpileComponent(new Uint8Array(bytes), { mode, cacheDir: false, ...(asyncExports ? { asyncExports } : {}) });
}

/** A registry whose one "timing" handler serves the given import objects (a peer host). */
function peerRegistry(makeImports: () => Record<string, object>, extra: Record<string, object> = {}): HandlerRegistry {
  const handler: Handler = {
    name: 'timing',
    provides: [...TIMING_INTERFACES, ...Object.keys(extra).map((key) => `${key}@0.1.0`)],
    instantiate: (): HandlerInstance => ({ imports: { ...makeImports(), ...extra }, dispose() {} }),
  };
  const registry = new HandlerRegistry();
  registry.register(handler);
  return registry;
}

function sleepState(durationNs: bigint): Uint8Array {
  const state = new Uint8Array(8);
  new DataView(state.buffer).setBigUint64(0, durationNs, true);
  return state;
}

interface SleepRun {
  spawnMs: number;
  sleepMs: number;
  /** Wake-up lateness per actor, ms (after - before - duration, from the guest's own readings). */
  latenessMs: number[];
  /** Per actor: the requested deadline (before + duration) and the guest's wake reading, ns. */
  wakes: Array<{ deadlineNs: bigint; afterNs: bigint }>;
  rssMb: number;
  failed: number;
  /** From the first init to the event loop's next turn: every init ran to its first suspension in between. */
  burstMs: number;
  /** CPU (user + system) of the sleep phase, ms. */
  cpuMs: number;
  /** Garbage collections (PerformanceObserver 'gc' entries) that started in the sleep phase, and the longest, ms. */
  gcCount: number;
  gcMaxMs: number;
}

/** Watches V8's GC pauses from now on; `stop(fromMs, toMs)` gives those that started in the window. */
function watchGc(): { stop(fromMs: number, toMs: number): Promise<{ gcCount: number; gcMaxMs: number }> } {
  const entries: Array<{ startTime: number; duration: number }> = [];
  const observer = new PerformanceObserver((list) => { entries.push(...list.getEntries()); });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop(fromMs, toMs) {
      // GC entries are queued and delivered after the fact: let them arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 20));
      entries.push(...observer.takeRecords());
      observer.disconnect();
      const inside = entries.filter((e) => e.startTime >= fromMs && e.startTime <= toMs);
      return { gcCount: inside.length, gcMaxMs: inside.reduce((max, e) => Math.max(max, e.duration), 0) };
    },
  };
}

/**
 * Spawns n sleepers, then runs every init at once. Lateness comes from each guest's own
 * monotonic readings. `ready`, when given, runs between the two (a sharded run's "go").
 */
async function runSleepers(component: TranspiledComponent, registry: HandlerRegistry, n: number, durationNs: bigint, during?: () => void, ready?: () => Promise<void>): Promise<SleepRun> {
  const state = sleepState(durationNs);
  const t0 = performance.now();
  const actors = Array.from({ length: n }, (_, i) => Actor.spawn(component, registry, { id: `s${i}`, record: false }));
  const spawned = performance.now();
  await ready?.();
  const t1 = performance.now();
  let rss = 0;
  const probe = setTimeout(() => { rss = process.memoryUsage().rss; during?.(); }, Number(durationNs / 2_000_000n));
  let burstMs = Number.NaN;
  setImmediate(() => { burstMs = performance.now() - t1; });
  const gc = watchGc();
  const cpu = process.cpuUsage();
  const outcomes: InitOutcome[] = await Promise.all(actors.map((a) => a.init(state)));
  const used = process.cpuUsage(cpu);
  const t2 = performance.now();
  const pauses = await gc.stop(t1, t2);
  if (Number.isNaN(burstMs)) burstMs = t2 - t1; // the loop never turned: every resume was a microtask too
  clearTimeout(probe);
  if (rss === 0) rss = process.memoryUsage().rss;
  for (const a of actors) a.stop();
  const latenessMs: number[] = [];
  const wakes: SleepRun['wakes'] = [];
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok' || outcome.state === null) { failed++; continue; }
    const view = new DataView(outcome.state.buffer, outcome.state.byteOffset, 24);
    const [before, after, duration] = [0, 8, 16].map((at) => view.getBigUint64(at, true));
    latenessMs.push(Number(after - before - duration) / 1e6);
    wakes.push({ deadlineNs: before + duration, afterNs: after });
  }
  return { spawnMs: spawned - t0, sleepMs: t2 - t1, latenessMs, wakes, rssMb: rss / 1e6, failed, burstMs, cpuMs: (used.user + used.system) / 1000, ...pauses };
}

interface Target {
  /** A stable key, so the verdict notes can find it. */
  id: string;
  what: string;
  measured: string;
  met: boolean;
}

/** Every issue-5 target judged in this run, in order: bench/index.ts renders them at the top of RESULTS.md. */
const TARGETS: Target[] = [];

/** Records a target's verdict and returns its markdown row: `| what | measured | meets/misses |`. */
function target(id: string, what: string, measured: string, met: boolean): string {
  TARGETS.push({ id, what, measured, met });
  return `| ${what} | ${measured} | ${met ? 'meets' : 'misses'} |`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function machine(): string {
  const cpu = cpus();
  return [
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} at start`,
    `- Node ${process.version} (V8 ${process.versions.v8}), jco ${jcoVersion()}, ${process.platform} ${process.arch}`,
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ].join('\n');
}
