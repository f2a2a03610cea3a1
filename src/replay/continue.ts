/*
 * LiveContinuation: what serves a durable actor once its replay has reached
 * the end of its log. The replay (session.ts) serves every recorded call; the
 * first call past the end records a `Resumed` event and from then on every call
 * is answered live, on the same chain, in the same event forms as the live host
 * (wasi/imports.ts, wasi/poll.ts): clock reads, subscribes (with the same
 * clamps), ready, block, poll and drop. It serves one actor, in JSPI mode
 * (block and poll return a Promise that suspends the guest).
 *
 * The clock across the gap. The run recorded, in its run.json, one pair
 * (monotonicNs, wallNs) read together at its start. After a restart, the
 * actor's monotonic clock reads
 *
 *     guest now = max(monotonicNs + (wall now - wallNs), last reading it was given)
 *
 * that is, the original host's clock carried forward by the wall clock: the
 * downtime counts, a deadline recorded before the crash keeps its place in
 * wall-clock time (passed: it is ready at once; ahead: it wakes at its original
 * deadline), and no reading ever goes backwards (the max), even if the wall
 * clock was stepped back meanwhile. Between two readings the host's own
 * monotonic clock (hrtime) measures the time, re-based once at resume.
 */
import type { EventSink, TimingEvent } from '../events/types.ts';
import { clampSleep, type TimingLimits } from '../wasi/clamp.ts';
import { WasiTrap } from '../base/trap.ts';
import type { RecordingInMemory } from './recorded.ts';

/**
 * Thrown into the guest by a block or poll whose earliest deadline is further
 * away than `hibernateAfterNs`: the guest traps, its instance and stack are
 * dropped, and the driver (cli/durable.ts) rebuilds it by replay shortly before
 * `until` (the deadline, on the actor's clock).
 */
export class Hibernate extends Error {
  override name = 'Hibernate';
  readonly until: bigint;
  constructor(until: bigint) {
    super(`hibernated until ${until}`);
    this.until = until;
  }
}

export interface ClockAnchor {
  /** The original run's monotonic reading at `wallNs`. */
  monotonicNs: bigint;
  wallNs: bigint;
}

const wallNowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

export class LiveContinuation {
  readonly limits: TimingLimits | null;
  /** Guest monotonic = hrtime + offset. */
  readonly offsetNs: bigint;
  /** The wall-clock time at resume, and how long the actor was down (since its last record's time, estimated from the anchor). */
  readonly resumedWallNs: bigint;
  #floorNs: bigint;
  #deadlines = new Map<number, bigint>();
  #nextHandle = 0;
  #events: EventSink | null = null;
  #started = false;
  #lastSeq: number;
  #lastRecordNs: bigint;

  /** Hibernate on a wait longer than this (ns); null: never. */
  readonly hibernateAfterNs: bigint | null;
  /** Set when the actor was sent to hibernate: the deadline it waits for. */
  hibernatedUntil: bigint | null = null;

  constructor(recording: RecordingInMemory, anchor: ClockAnchor, limits: TimingLimits | null, hrtime: () => bigint = process.hrtime.bigint, hibernateAfterNs: bigint | null = null) {
    this.limits = limits;
    this.hibernateAfterNs = hibernateAfterNs;
    this.#hrtime = hrtime;
    const wall = wallNowNs();
    this.resumedWallNs = wall;
    const guestNow = anchor.monotonicNs + (wall - anchor.wallNs);
    this.offsetNs = guestNow - hrtime();
    let floor = 0n;
    let lastRecord = 0n;
    for (const entry of recording.entries) {
      if (entry.kind === 'frame') continue;
      const event = entry.event;
      switch (event.type) {
        case 'MonotonicClockNow': floor = max(floor, event.instant); lastRecord = max(lastRecord, event.instant); break;
        case 'SubscribeDuration': this.#track(event.pollable, event.deadline); lastRecord = max(lastRecord, event.deadline - event.duration); break;
        case 'SubscribeInstant': this.#track(event.pollable, event.deadline); break;
        case 'PollableDrop': this.#deadlines.delete(event.pollable); break;
        default: break;
      }
    }
    this.#floorNs = floor;
    this.#lastRecordNs = lastRecord;
    this.#lastSeq = recording.end - 1;
  }

  #hrtime: () => bigint;

  #track(handle: number, deadline: bigint): void {
    this.#deadlines.set(handle, deadline);
    if (handle >= this.#nextHandle) this.#nextHandle = handle + 1;
  }

  attach(events: EventSink | null): void {
    this.#events = events;
  }

  get started(): boolean { return this.#started; }

  /** The monotonic reading the actor sees now: never below one it was given. */
  nowNs(): bigint {
    const now = max(this.#hrtime() + this.offsetNs, this.#floorNs);
    this.#floorNs = now;
    return now;
  }

  /** Records the Resumed event once, before the first live answer. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#lastSeq < 0) return; // nothing was recorded: a first start, not a resume
    const base = this.nowNs();
    // Downtime: from the last instant the log shows the actor at, to now, on the actor's own clock.
    const downtime = this.#lastRecordNs > 0n && base > this.#lastRecordNs ? base - this.#lastRecordNs : 0n;
    this.#record({ type: 'Resumed', last_seq: Math.max(0, this.#lastSeq), downtime_ns: downtime, monotonic_base: base, wall_ns: this.resumedWallNs });
  }

  #record(event: TimingEvent): void {
    this.#events?.record(event);
  }

  now(): bigint {
    this.start();
    const instant = this.nowNs();
    this.#record({ type: 'MonotonicClockNow', instant });
    return instant;
  }

  resolution(): bigint {
    this.start();
    this.#record({ type: 'MonotonicClockResolution', resolution: 1n });
    return 1n;
  }

  wallNow(): { seconds: bigint; nanoseconds: number } {
    this.start();
    const ns = wallNowNs();
    const value = { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
    this.#record({ type: 'WallClockNow', ...value });
    return value;
  }

  wallResolution(): { seconds: bigint; nanoseconds: number } {
    this.start();
    this.#record({ type: 'WallClockResolution', seconds: 0n, nanoseconds: 1 });
    return { seconds: 0n, nanoseconds: 1 };
  }

  #subscribe(now: bigint, requested: bigint): { handle: number; deadline: bigint; clamp: TimingEvent | null } {
    const clamp = this.limits === null ? null : clampSleep(requested, this.limits);
    const applied = clamp?.reason ? clamp.appliedNs : requested;
    const handle = this.#nextHandle++;
    const deadline = now + applied;
    this.#deadlines.set(handle, deadline);
    return { handle, deadline, clamp: clamp?.reason ? { type: 'SleepClamped', requested, applied, reason: clamp.reason } : null };
  }

  subscribeDuration(duration: bigint): number {
    this.start();
    const { handle, deadline, clamp } = this.#subscribe(this.nowNs(), duration);
    this.#record({ type: 'SubscribeDuration', duration, pollable: handle, deadline });
    if (clamp !== null) this.#record(clamp);
    return handle;
  }

  subscribeInstant(when: bigint): number {
    this.start();
    const now = this.nowNs();
    const { handle, deadline, clamp } = this.#subscribe(now, when > now ? when - now : 0n);
    this.#record({ type: 'SubscribeInstant', when, pollable: handle, deadline });
    if (clamp !== null) this.#record(clamp);
    return handle;
  }

  #deadline(handle: number): bigint {
    const deadline = this.#deadlines.get(handle);
    if (deadline === undefined) throw new WasiTrap('pollable used after drop');
    return deadline;
  }

  ready(handle: number): boolean {
    this.start();
    const ready = this.nowNs() >= this.#deadline(handle);
    this.#record({ type: 'PollableReady', pollable: handle, ready });
    return ready;
  }

  /** Sends the actor to hibernate when `deadline` is further away than hibernateAfterNs. */
  #maybeHibernate(deadline: bigint, now: bigint): void {
    if (this.hibernateAfterNs !== null && deadline - now > this.hibernateAfterNs) {
      this.hibernatedUntil = deadline;
      throw new Hibernate(deadline);
    }
  }

  async block(handle: number): Promise<void> {
    this.start();
    const start = this.nowNs();
    this.#maybeHibernate(this.#deadline(handle), start);
    await this.#until(this.#deadline(handle));
    this.#record({ type: 'PollableBlock', pollable: handle, waited: this.nowNs() - start });
  }

  async poll(handles: readonly number[]): Promise<Uint32Array> {
    this.start();
    const start = this.nowNs();
    const deadlines = handles.map((h) => this.#deadline(h));
    const first = deadlines.reduce((a, b) => (b < a ? b : a));
    this.#maybeHibernate(first, start);
    await this.#until(first);
    const now = this.nowNs();
    const indices = deadlines.flatMap((d, i) => (d <= now ? [i] : []));
    this.#record({ type: 'PollReady', pollables: [...handles], ready_count: indices.length, indices, waited: now - start });
    return Uint32Array.from(indices);
  }

  drop(handle: number): void {
    this.start();
    this.#deadlines.delete(handle);
    this.#record({ type: 'PollableDrop', pollable: handle });
  }

  /** Resolves once the actor's clock has reached `deadline` (never before it). */
  async #until(deadline: bigint): Promise<void> {
    for (let left = deadline - this.nowNs(); left > 0n; left = deadline - this.nowNs()) {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(Number(left) / 1e6))));
    }
  }
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
