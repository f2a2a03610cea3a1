/*
 * ReplayHandler: the timing interfaces served from a recording (session.ts)
 * instead of a clock. Clock reads return the recorded values; ready, block and
 * poll return the recorded results at once; a subscribe returns a fresh
 * pollable carrying the handle the recording gave it, so later calls on it are
 * compared in the recording's own numbering. The argument checks a live host
 * makes before it records anything (an empty poll list) trap the same way here.
 * One handler serves one actor: replay applies to one instance.
 */
/// <reference lib="esnext.disposable" preserve="true" />
import { TIMING_HANDLER_INTERFACES } from '../handler/timing-handler.ts';
import { P3_CORE, type P3CoreMonotonicClock, type SystemClockImports } from '../wasi3/clocks.ts';
import type { ActorContext, Handler, HandlerInstance } from '../handler/registry.ts';
import type { JcoMonotonicClock, JcoPoll, JcoPollable, JcoWallClock } from '../wasi/jco-types.ts';
import { WasiTrap } from '../base/trap.ts';
import type { Datetime } from '../clock/wall-clock.ts';
import { MONOTONIC, POLL, SYSTEM, WALL } from './recorded.ts';
import type { ReplaySession } from './session.ts';

/** The resource the guest holds; `recorded` is its handle in the recording. */
export class ReplayPollable {
  readonly session: ReplaySession;
  readonly recorded: number;
  constructor(session: ReplaySession, recorded: number) {
    this.session = session;
    this.recorded = recorded;
  }
  ready(): boolean {
    const { live } = this.session;
    if (live !== null && this.session.isLive) return live.ready(this.recorded);
    return this.session.call(POLL, '[method]pollable.ready', [this.recorded]).output as boolean;
  }
  block(): void | Promise<void> {
    const { live } = this.session;
    if (live !== null && this.session.isLive) return live.block(this.recorded);
    this.session.call(POLL, '[method]pollable.block', [this.recorded]);
  }
  [Symbol.dispose](): void {
    const { live } = this.session;
    if (live !== null && this.session.isLive) return live.drop(this.recorded);
    // Theater's format never recorded drops: nothing to match, so the drop is recorded as ours.
    if (this.session.recording.hostEvents) this.session.call(POLL, '[resource-drop]pollable', [this.recorded]);
    else this.session.host({ type: 'PollableDrop', pollable: this.recorded });
  }
}

export function replayImports(session: ReplaySession): Record<string, object> {
  const subscribed = (output: unknown): ReplayPollable => new ReplayPollable(session, output as number);
  const { live } = session;
  const monotonic = {
    now: () => (live !== null && session.isLive ? live.now() : session.call(MONOTONIC, 'now', []).output as bigint),
    resolution: () => (live !== null && session.isLive ? live.resolution() : session.call(MONOTONIC, 'resolution', []).output as bigint),
    subscribeInstant(when: bigint) {
      if (live !== null && session.isLive) return new ReplayPollable(session, live.subscribeInstant(when));
      const pollable = subscribed(session.call(MONOTONIC, 'subscribe-instant', [when]).output);
      session.clamp(null);
      return pollable;
    },
    subscribeDuration(duration: bigint) {
      if (live !== null && session.isLive) return new ReplayPollable(session, live.subscribeDuration(duration));
      const pollable = subscribed(session.call(MONOTONIC, 'subscribe-duration', [duration]).output);
      session.clamp(duration);
      return pollable;
    },
  } satisfies Record<keyof JcoMonotonicClock, unknown>;
  const wall = {
    now: () => (live !== null && session.isLive ? live.wallNow() : { ...(session.call(WALL, 'now', []).output as Datetime) }),
    resolution: () => (live !== null && session.isLive ? live.wallResolution() : { ...(session.call(WALL, 'resolution', []).output as Datetime) }),
  } satisfies Record<keyof JcoWallClock, unknown>;
  const poll = {
    Pollable: ReplayPollable,
    poll(list: ArrayLike<JcoPollable>): Uint32Array | Promise<Uint32Array> {
      if (list.length === 0) throw new WasiTrap('poll: attempt to poll on an empty list');
      const handles = Array.from(list, (p) => {
        if (!(p instanceof ReplayPollable)) throw new WasiTrap('poll: the list holds an object that is not a pollable of this host');
        return p.recorded;
      });
      if (live !== null && session.isLive) return live.poll(handles);
      return Uint32Array.from(session.call(POLL, 'poll', [handles]).output as number[]);
    },
  } satisfies Record<keyof JcoPoll, unknown>;
  // WASI 0.3: the waits return at once (the recording says they happened); their
  // clamp is checked as a subscribe's. Served at the core level too (wasi3/core.ts).
  const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);
  const core: P3CoreMonotonicClock = {
    now: monotonic.now,
    'get-resolution': () => session.call(MONOTONIC, 'get-resolution', []).output as bigint,
    'wait-for'(howLong: bigint) {
      const duration = u64(howLong);
      session.call(MONOTONIC, 'wait-for', [duration]);
      session.clamp(duration);
      return undefined;
    },
    'wait-until'(when: bigint) {
      session.call(MONOTONIC, 'wait-until', [u64(when)]);
      session.clamp(null);
      return undefined;
    },
  };
  const p3 = { getResolution: core['get-resolution'], waitFor: core['wait-for'], waitUntil: core['wait-until'], [P3_CORE]: core };
  const systemNow = (): Datetime => ({ ...(session.call(SYSTEM, 'now', []).output as Datetime) });
  const systemResolution = (): bigint => session.call(SYSTEM, 'get-resolution', []).output as bigint;
  const system: SystemClockImports = { now: systemNow, getResolution: systemResolution, [P3_CORE]: { now: systemNow, 'get-resolution': systemResolution } };
  return { [MONOTONIC]: { ...monotonic, ...p3 }, [WALL]: wall, [POLL]: poll, [SYSTEM]: system };
}

export class ReplayHandler implements Handler {
  readonly name = 'timing';
  readonly provides: readonly string[] = TIMING_HANDLER_INTERFACES;
  readonly session: ReplaySession;
  #served = false;

  constructor(session: ReplaySession) {
    this.session = session;
  }

  instantiate(actor: ActorContext): HandlerInstance {
    if (this.#served) throw new Error(`replay serves one actor; "${actor.actorId}" would be a second`);
    this.#served = true;
    const { session } = this;
    session.attach(actor.events);
    // The recorded identity goes first, as recorded: the replay's chain stays the recording's, hash for hash.
    session.identity();
    session.host({ type: 'HandlerSetupStart' });
    session.host({ type: 'HandlerSetupSuccess' });
    const imports = replayImports(session);
    session.host({ type: 'LinkerInstanceSuccess' });
    return { imports, dispose() {} };
  }
}
