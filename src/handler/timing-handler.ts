// TimingHandler: the Theater timing handler. It validates its config against the
// parent's permissions once, then gives each actor instance its own TimingHost
// (limits, event sink, pollable quota) over one TimingRuntime: the one it is
// given, or its own real-time runtime, built on first use.
import type { Thread } from '../thread/thread.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import { VIRTUAL_CPU_REASON, VIRTUAL_DEFAULT_CPU_MS } from '../timing/virtual.ts';
import { DEFAULT_MAX_HOLD_MS } from '../thread/hold.ts';
import { TimingHost } from '../wasi/host.ts';
import { interfacesOf, timingImports, type TimingImports } from '../wasi/imports.ts';
import { resolveMode, type ExecutionMode } from '../wasi/mode.ts';
import type { TimingLimits } from '../wasi/clamp.ts';
import { MONOTONIC_KEY, monotonicNow, P3_INTERFACES, p3ClockImports, SYSTEM_KEY } from '../wasi3/clocks.ts';
import { ConfigError, effectiveLimits, parseTimingHostConfig, type TimingHostConfig, type TimingPermissions } from './config.ts';
import { budgeted } from './event-budget.ts';
import type { ActorContext, Handler, HandlerInstance } from './registry.ts';

export const TIMING_INTERFACES = [
  'wasi:clocks/wall-clock@0.2.3',
  'wasi:clocks/monotonic-clock@0.2.3',
  'wasi:io/poll@0.2.3',
] as const;

/** What the timing handler serves: WASI 0.2.x and WASI 0.3.x clocks (docs/P3.md). */
export const TIMING_HANDLER_INTERFACES: readonly string[] = [...TIMING_INTERFACES, ...P3_INTERFACES];

export interface TimingHandlerOptions {
  /** 'auto' (default) uses JSPI when this Node has it, else the sync fallback. */
  mode?: ExecutionMode | 'auto';
  /** Live pollables each actor instance may hold at once; overrides the config's max_pollables. */
  pollableQuota?: number;
  /** Where time comes from (clock, table, timer); default: a real-time runtime of this handler's own. */
  runtime?: TimingRuntime;
}

export interface TimingHandlerInstance extends HandlerInstance {
  timing: TimingImports;
  host: TimingHost;
}

export class TimingHandler implements Handler {
  readonly name = 'timing';
  readonly provides: readonly string[] = TIMING_HANDLER_INTERFACES;
  readonly config: TimingHostConfig;
  readonly permissions: TimingPermissions;
  readonly limits: TimingLimits;
  readonly mode: ExecutionMode;
  readonly pollableQuota: number;
  #runtime: TimingRuntime | null;
  #hosts = new Map<string, TimingHost>();

  constructor(config: Partial<TimingHostConfig> = {}, permissions: TimingPermissions = null, options: TimingHandlerOptions = {}) {
    this.config = parseTimingHostConfig(config);
    this.permissions = permissions;
    this.limits = effectiveLimits(this.config, permissions);
    this.mode = resolveMode(options.mode);
    const quota = options.pollableQuota ?? this.config.max_pollables;
    if (!Number.isSafeInteger(quota) || quota < 0) {
      throw new ConfigError('handler.timing.pollable_quota', `expected a non-negative safe integer, got ${String(quota)} (${typeof quota})`);
    }
    this.pollableQuota = quota;
    this.#runtime = options.runtime ?? null;
  }

  /** The runtime this handler's actors share. */
  get runtime(): TimingRuntime {
    this.#runtime ??= new TimingRuntime();
    return this.#runtime;
  }

  /** The thread this handler's actors wait on: its runtime's. */
  get thread(): Thread {
    return this.runtime.thread;
  }

  /**
   * The TimingHost of a live actor, for handlers that supply their own pollables
   * (see src/wasi/external.ts). Register the timing handler first: the registry
   * instantiates handlers in registration order.
   */
  hostFor(actorId: string): TimingHost | undefined {
    return this.#hosts.get(actorId);
  }

  /** max_cpu_ms (under virtual time, VIRTUAL_DEFAULT_CPU_MS when absent) and max_hold_ms, for every actor of the registry. */
  configureMeter(meter: RunMeter): void {
    const asked = this.config.max_cpu_ms;
    // Virtual time stands still while a guest runs: one that spins without waiting would hang the run.
    const virtual = asked === undefined && this.runtime.kind === 'virtual';
    meter.limitMs = virtual ? VIRTUAL_DEFAULT_CPU_MS : (asked ?? 0);
    meter.limitReason = virtual ? VIRTUAL_CPU_REASON : null;
    meter.holdLimitMs = this.config.max_hold_ms ?? DEFAULT_MAX_HOLD_MS;
  }

  instantiate(actor: ActorContext): TimingHandlerInstance {
    const { events } = actor;
    const meter = actor.meter ?? null;
    events?.record({ type: 'HandlerSetupStart' });
    const host = new TimingHost({
      runtime: this.runtime,
      mode: this.mode,
      actorId: actor.actorId,
      limits: this.limits,
      // The budget counts the guest's calls; the three setup events go straight through.
      events: budgeted(events, this.config.max_events, actor.actorId),
      quota: this.pollableQuota,
      meter,
      slice: this.runtime.thread.slice,
    });
    events?.record({ type: 'HandlerSetupSuccess' });
    const imports = timingImports(host);
    events?.record({ type: 'LinkerInstanceSuccess' });
    this.#hosts.set(actor.actorId, host);
    let disposed = false;
    return {
      imports: withP3Clocks(host, imports, actor.wasi),
      timing: imports,
      host,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        if (this.#hosts.get(actor.actorId) === host) this.#hosts.delete(actor.actorId);
        host.dispose();
      },
    };
  }
}

/**
 * The import object of one actor. jco keys both versions of monotonic-clock alike
 * ('wasi:clocks/monotonic-clock', no version): one object holds 0.2's functions
 * and 0.3's (`now` is the same in both). 0.3's are left out for a component
 * known to be built for WASI 0.2 (`wasi` 'p2'): a fleet keeps every actor's
 * imports alive, and a 0.2 sleeper's would hold ~0.6 KiB of closures it cannot call.
 */
function withP3Clocks(host: TimingHost, imports: TimingImports, wasi: 'p2' | 'p3' | undefined): Record<string, object> {
  if (wasi === 'p2') return { ...interfacesOf(imports), [MONOTONIC_KEY]: { ...imports[MONOTONIC_KEY], now: monotonicNow(host) } };
  const p3 = p3ClockImports(host);
  return { ...interfacesOf(imports), [MONOTONIC_KEY]: { ...imports[MONOTONIC_KEY], ...p3[MONOTONIC_KEY] }, [SYSTEM_KEY]: p3[SYSTEM_KEY] };
}
