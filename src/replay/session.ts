/*
 * ReplaySession: serves one actor from a Recording, in order.
 *
 * Every guest call takes the next recorded entry (frames are passed over).
 * Interface, function and inputs must match, handles compared as the
 * recording numbered them; then the call returns the recorded output and the
 * recorded event is re-emitted, so a faithful replay writes the recording's own
 * chain. Our host events (setup, clamp) are checked where the format has them.
 * The first mismatch, or a call past the end, is the divergence: it is kept,
 * and the call throws, which traps the guest and stops the actor.
 *
 * The recording is read as the guest goes, one entry ahead (#head); a record
 * the checks refuse traps the guest too, and refusal() reads the rest once the
 * actor has settled. (Over 200 lines: matching, host events and clamps, and the
 * reading of the recording are one state machine over one cursor.)
 */
import type { EventSink, TimingEvent } from '../events/types.ts';
import type { LiveContinuation } from './continue.ts';
import { clampSleep, type TimingLimits } from '../wasi/clamp.ts';
import { formatCall, formatRecorded, RecordingError, type RecordedCall, type RecordedEntry, type RecordedOutcome, type Recording, type Value } from './recorded.ts';

export class ReplayDivergence extends Error {
  override name = 'ReplayDivergence';
}

export class ReplaySession {
  readonly recording: Recording;
  readonly limits: TimingLimits | null;
  /** The entry read ahead (the next to match), once read. */
  #head: RecordedEntry | undefined;
  #headRead = false;
  /** Why the recording was refused (a record or its end failed the checks), once it was. */
  #refused: string | null = null;
  #matched = 0;
  #divergence: string | null = null;
  #events: EventSink | null = null;

  /** A durable actor's resume: what answers once the recording is used up (null: a call past the end diverges). */
  readonly live: LiveContinuation | null;

  constructor(recording: Recording, limits: TimingLimits | null = null, live: LiveContinuation | null = null) {
    this.recording = recording;
    this.limits = limits;
    this.live = live;
  }

  /** Whether the calls are now answered live: a resume whose recording is used up. */
  get isLive(): boolean {
    if (this.live === null) return false;
    if (this.live.started) return true;
    return this.#peek() === undefined;
  }

  /** Entries matched so far (calls, host events and frames). */
  get matched(): number { return this.#matched; }
  /** The one-line divergence, or null while the replay is faithful. */
  get divergence(): string | null { return this.#divergence; }

  /** Where the replayed events go (the actor's recorder), or null. */
  attach(events: EventSink | null): void {
    this.#events = events;
    this.live?.attach(events);
  }

  /** The recording's ActorIdentity, re-emitted first as recorded (counted as matched); nothing for chains without one. */
  identity(): void {
    const identity = this.recording.identity;
    if (identity === undefined || identity === null) return;
    this.#matched++;
    this.#events?.record(identity);
  }

  /** One of our host events: checked and re-emitted where the format has them, else emitted as ours. */
  host(event: TimingEvent): void {
    if (this.isLive) {
      this.live?.start();
      this.#events?.record(event);
      return;
    }
    if (!this.recording.hostEvents) {
      this.#events?.record(event);
      return;
    }
    const entry = this.#peek();
    if (entry?.kind !== 'host' || entry.event.type !== event.type) this.#diverge(entry, `the host recorded ${event.type}`);
    this.#take(entry.event);
  }

  /** An answer made live (past a resumed log's end, or one Theater's format does not carry): recorded as made. */
  recordLive(event: TimingEvent): void {
    if (this.isLive) this.live?.start();
    this.#events?.record(event);
  }

  /**
   * After a subscribe-duration: the clamp our limits give `requestedNs`, checked
   * against the recorded SleepClamped. `requestedNs` null (subscribe-instant,
   * measured from a clock the replay does not have): the recorded clamp is taken as is.
   */
  clamp(requestedNs: bigint | null): void {
    const limits = this.limits;
    // The host's own rule (wasi/host.ts): every request is clamped, a zero one included.
    const computed = requestedNs !== null && limits !== null ? clampSleep(requestedNs, limits) : null;
    const expected = computed?.reason ? { type: 'SleepClamped' as const, requested: requestedNs!, applied: computed.appliedNs, reason: computed.reason } : null;
    if (!this.recording.hostEvents || this.isLive) {
      // (Live: the log ended between a subscribe and its clamp record, which is made now.)
      if (expected !== null) this.#events?.record(expected);
      return;
    }
    const entry = this.#peek();
    const recorded = entry?.kind === 'host' && entry.event.type === 'SleepClamped' ? entry.event : null;
    if (recorded === null) {
      if (expected !== null) this.#diverge(entry, `the host clamped ${requestedNs} ns to ${expected.applied} ns (${expected.reason})`);
      return;
    }
    if (requestedNs !== null && limits !== null && (expected === null || expected.applied !== recorded.applied || expected.reason !== recorded.reason)) {
      this.#diverge(entry, expected === null ? `the host did not clamp ${requestedNs} ns` : `the host clamped ${requestedNs} ns to ${expected.applied} ns (${expected.reason})`);
    }
    this.#take(recorded);
  }

  /** One guest call on `iface` (the versionless jco key): returns the recorded call, or throws on divergence. */
  call(iface: string, fn: string, input: readonly Value[]): RecordedCall {
    const entry = this.#peek();
    if (entry?.kind !== 'call' || !sameInterface(entry.interface, iface) || entry.function !== fn || !sameInputs(entry.input, input)) {
      this.#diverge(entry, `actor called ${formatCall(fn, input)}`);
    }
    this.#take(entry.event);
    return entry;
  }

  /**
   * The actor's init settled: whatever is left of the recording (frames aside)
   * diverges, and so does an outcome other than the recorded one.
   */
  finish(outcome: { status: 'ok' | 'err' | 'trap'; error?: string }): string | null {
    if (this.#divergence !== null) return this.#divergence;
    const ended = outcome.status === 'ok' ? 'returned from init' : outcome.status === 'err' ? `returned err from init: ${outcome.error}` : `trapped: ${outcome.error}`;
    const entry = this.#peek();
    if (entry !== undefined) {
      this.#divergence = line(entry, this.#endPosition(), `actor ${ended}`);
      return this.#divergence;
    }
    const recorded: RecordedOutcome | null = this.recording.outcome;
    if (recorded !== null && recorded.status !== outcome.status) {
      this.#divergence = `replay diverged at event ${this.#endPosition()}: recorded outcome ${recorded.status}${recorded.message ? ` (${recorded.message})` : ''}, actor ${ended}`;
    } else if (recorded !== null) {
      this.#matched++; // the ChainEnd record: the outcome agrees
    }
    return this.#divergence;
  }

  /** Records the first divergence and throws it into the calling guest. */
  #diverge(entry: RecordedEntry | undefined, actual: string): never {
    this.#divergence ??= line(entry, this.#endPosition(), actual);
    throw new ReplayDivergence(this.#divergence);
  }

  /** The next entry to match; frames are passed over (and count as matched). */
  #peek(): RecordedEntry | undefined {
    if (this.#divergence !== null) throw new ReplayDivergence(this.#divergence);
    return this.#pastFrames();
  }

  #pastFrames(): RecordedEntry | undefined {
    for (;;) {
      const entry = this.#fill();
      if (entry?.kind === 'frame') {
        this.#headRead = false;
        this.#matched++;
      } else if (entry?.kind === 'host' && entry.event.type === 'Resumed') {
        // An earlier resume's gap: part of the chain, no call of the guest's.
        this.#take(entry.event);
      } else {
        return entry;
      }
    }
  }

  /** The head entry, read from the recording when not yet read; a refused recording throws into the guest. */
  #fill(): RecordedEntry | undefined {
    if (this.#refused !== null) throw new RecordingError(this.#refused);
    if (!this.#headRead) {
      try {
        this.#head = this.recording.next();
      } catch (error) {
        if (!(error instanceof RecordingError)) throw error;
        this.#refused = error.message;
        throw error;
      }
      this.#headRead = true;
    }
    return this.#head;
  }

  /**
   * Why the recording is refused, or null: the rest of it is read (and
   * checked) to its end first, so a replay accepts only what `verify` accepts,
   * however early the actor stopped. Call once the actor has settled.
   */
  refusal(): string | null {
    try {
      // Frames are counted as a faithful finish counts them; past an entry left over, the rest is only checked.
      if (this.#pastFrames() !== undefined) while (this.recording.next() !== undefined);
    } catch (error) {
      if (!(error instanceof RecordingError)) throw error;
      this.#refused ??= error.message;
    }
    this.recording.close();
    return this.#refused;
  }

  #take(event: TimingEvent): void {
    this.#headRead = false;
    this.#matched++;
    this.#events?.record(event);
  }

  #endPosition(): number {
    return this.recording.end;
  }
}

function line(entry: RecordedEntry | undefined, end: number, actual: string): string {
  return `replay diverged at event ${entry?.position ?? end}: recorded ${formatRecorded(entry)}, ${actual}`;
}

function sameInterface(recorded: string, key: string): boolean {
  const at = recorded.lastIndexOf('@');
  return (at > 0 ? recorded.slice(0, at) : recorded) === key;
}

function sameInputs(recorded: readonly Value[], actual: readonly Value[]): boolean {
  if (recorded.length !== actual.length) return false;
  return recorded.every((value, i) => value === null || sameValue(value, actual[i]));
}

function sameValue(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}
