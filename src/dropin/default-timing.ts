/*
 * The process-wide default runtime behind the `--map` drop-in modules
 * (theater-handler-timing/wasi/clocks and /wasi/io, see clocks.ts and io.ts).
 *
 * jco's ESM glue imports its interfaces by module specifier, so the drop-in has no
 * actor and no handler to ask: every guest the glue of this process instantiates
 * shares ONE TimingHost built from `defaultTiming`'s settings, on first use (the
 * guest's first call). Until then a host may replace any setting:
 *
 *   import { defaultTiming, virtualRuntime } from 'theater-handler-timing';
 *   defaultTiming.configure({ runtime: virtualRuntime(), limits: { ... }, events: recorder });
 *
 * After first use, configure() throws (the host's pollables live in the old
 * runtime's table); dispose() drops every pollable of the default host and returns
 * it to unconfigured, unused (a guest still holding a pollable then traps on it).
 */
import type { EventSink } from '../events/types.ts';
import { TimingRuntime } from '../timing/timing-runtime.ts';
import type { TimingLimits } from '../wasi/clamp.ts';
import { DEFAULT_POLLABLE_QUOTA, TimingHost, type ForeignTimer } from '../wasi/host.ts';
import { timingImports, type TimingImports } from '../wasi/imports.ts';
import { resolveMode, type ExecutionMode } from '../wasi/mode.ts';

export interface DefaultTimingOptions {
  /** Where time comes from (default: a real-time runtime built on first use). */
  runtime?: TimingRuntime;
  /** 'auto' (default): JSPI when this Node has it, else sync (waits block the thread). */
  mode?: ExecutionMode | 'auto';
  /** Sleep clamps (min/max sleep duration); default none. */
  limits?: TimingLimits | null;
  /** Where the guests' calls are recorded (an EventRecorder, a ChainRecorder); default none. */
  events?: EventSink | null;
  /** Live pollables all drop-in guests together may hold (default DEFAULT_POLLABLE_QUOTA). */
  quota?: number;
  /** The name trap messages give the guests (default 'jco-guest'). */
  actorId?: string;
  /** The timer that re-checks foreign pollables in a waiting poll (default Node's setTimeout). */
  foreignTimer?: ForeignTimer;
}

export class DefaultTiming {
  #options: DefaultTimingOptions = {};
  #served: { host: TimingHost; imports: TimingImports } | null = null;

  /** Replaces the settings; only before first use. */
  configure(options: DefaultTimingOptions): void {
    if (this.#served !== null) {
      throw new Error('defaultTiming.configure: the default timing is already in use (a guest has called it); configure it before the first guest call, or dispose() it first');
    }
    this.#options = { ...options };
  }

  /** Whether a guest has called the drop-in (the host is built). */
  get inUse(): boolean {
    return this.#served !== null;
  }

  /** The mode the drop-in serves (resolved from the settings, without building the host). */
  get mode(): ExecutionMode {
    return this.#served?.host.mode ?? resolveMode(this.#options.mode);
  }

  /** The host every drop-in guest shares; built on first use. */
  get host(): TimingHost {
    return this.#serve().host;
  }

  /** The import objects the drop-in modules forward to; built on first use. */
  get imports(): TimingImports {
    return this.#serve().imports;
  }

  /** Drops every pollable of the default host; the next guest call builds a new one from the settings. */
  dispose(): void {
    const served = this.#served;
    this.#served = null;
    served?.host.dispose();
  }

  #serve(): { host: TimingHost; imports: TimingImports } {
    if (this.#served !== null) return this.#served;
    const options = this.#options;
    const runtime = options.runtime ?? new TimingRuntime();
    const host = new TimingHost({
      runtime,
      mode: resolveMode(options.mode),
      actorId: options.actorId ?? 'jco-guest',
      limits: options.limits ?? null,
      events: options.events ?? null,
      quota: options.quota ?? DEFAULT_POLLABLE_QUOTA,
      slice: runtime.thread.slice,
      foreignTimer: options.foreignTimer,
    });
    this.#served = { host, imports: timingImports(host) };
    return this.#served;
  }
}

/** The one default of this process (one copy, shared by the package's entry points). */
export const defaultTiming = new DefaultTiming();
