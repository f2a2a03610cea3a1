/*
 * (Over 200 lines: the log, its group commit and its reader share one record format and one policy.)
 *
 * DurableLog: one durable actor's chain, appended as the calls happen.
 *
 * The file is an ordinary chain of ours (one actor, untagged lines), so
 * `verify` and `--replay` read it as they read any chain.
 *
 *   write   the records of one turn of the guest (what it does between two
 *           suspensions) are written together (one write(2), O_APPEND) when the
 *           turn ends (a microtask), or at once before anything leaves the
 *           process (an OutputWrite record is written before its bytes are) and
 *           every 64 KiB: a killed host (kill -9, OOM) loses at most the turn it
 *           was in, which nothing outside the process saw; resume re-makes
 *           those calls live, as if the host had died before answering them
 *   fsync   group commit (GroupCommit): every log with unsynced records is
 *           fdatasync'ed at most every `intervalMs` (default 100 ms), off the
 *           event loop; a log whose actor ended or hibernated is synced and
 *           closed by the next commit, and a run reports only after its last
 *           commit; a power loss can lose at most the last interval's records,
 *           which resume then treats as never made
 *
 * On resume the log is opened after its last good record: `expected` holds the
 * hashes of the records already in it, and the replay's re-emitted events are
 * checked against them (a mismatch is a divergence) instead of being written
 * again; from the first record past them on, records are appended.
 *
 * readDurableLog finds the good prefix: every complete line that passes the
 * checks `verify` makes (ChainVerifier, open: no ChainEnd needed yet). A last line cut short (no "\n", or not a valid record) is a torn
 * write and is dropped; a bad line before the last one is damage, not a tear.
 */
import * as fs from 'node:fs';
import { hashEventJson } from './chain.ts';
import { chainLine } from './chain-recorder.ts';
import type { ChainOutcome, EventSink, TimingEvent } from './types.ts';
import { toWire } from './wire.ts';
import { ChainVerifier, type CheckedLine } from './verify.ts';

export class DurableLogError extends Error {
  override name = 'DurableLogError';
}

/** The commit timer by default: it does not keep the process alive (a run settles its group before it ends). */
function unrefTimeout(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** The descriptor calls a GroupCommit makes (node:fs; tests may count them). */
export interface CommitFs {
  fdatasync(fd: number, done: (error: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  close(fd: number, done: (error: NodeJS.ErrnoException | null) => void): void;
  closeSync(fd: number): void;
}

/**
 * Group commit. A log's records wait at most `intervalMs` for their fdatasync:
 * the timer's commit() syncs every dirty descriptor on libuv's thread pool, so
 * the event loop (and every actor's clock) goes on meanwhile (a sync of a small
 * append costs ~0.2 ms here, ~0.08 ms each when 1,000 run side by side). A log
 * that is done (its actor ended or hibernated) release()s its descriptor: the
 * next commit syncs it, then closes it; so only the descriptors of the last
 * interval stay open, whatever the number of actors. One commit runs at a time.
 */
export class GroupCommit {
  readonly intervalMs: number;
  #dirty = new Set<number>();
  #closing = new Set<number>();
  #inflight: Promise<void> | null = null;
  /** fdatasync calls made, for the report. */
  syncs = 0;

  #schedule: (callback: () => void, ms: number) => () => void;
  #cancel: (() => void) | null = null;
  #fs: CommitFs;

  /** `schedule` arms the commit timer and returns its cancel (default: an unref'd setTimeout); tests pass their own. */
  constructor(intervalMs = 100, schedule: (callback: () => void, ms: number) => () => void = unrefTimeout, commitFs: CommitFs = fs) {
    this.intervalMs = intervalMs;
    this.#schedule = schedule;
    this.#fs = commitFs;
  }

  /** Descriptors waiting for a commit to close them. */
  get closing(): number { return this.#closing.size; }

  dirty(fd: number): void {
    this.#dirty.add(fd);
    this.#arm();
  }

  /** The log is done with `fd`: the next commit syncs it, then closes it. */
  release(fd: number): void {
    this.#dirty.add(fd);
    this.#closing.add(fd);
    this.#arm();
  }

  #arm(): void {
    this.#cancel ??= this.#schedule(() => {
      this.#cancel = null;
      void this.commit();
    }, this.intervalMs);
  }

  /** Syncs (then closes the released) on the thread pool; while one runs, the next waits for the timer. */
  commit(): Promise<void> {
    if (this.#inflight !== null) {
      this.#arm();
      return this.#inflight;
    }
    this.#cancel?.();
    this.#cancel = null;
    const batch = [...this.#dirty];
    const closing = this.#closing;
    this.#dirty = new Set();
    this.#closing = new Set();
    const one = (fd: number): Promise<void> => new Promise((done) => {
      this.#fs.fdatasync(fd, (error) => {
        if (error === null) this.syncs++; // else closed meanwhile (EBADF): nothing left to sync
        if (closing.has(fd)) this.#fs.close(fd, () => done());
        else done();
      });
    });
    this.#inflight = Promise.all(batch.map(one)).then(() => { this.#inflight = null; });
    return this.#inflight;
  }

  /** Waits for a running commit, then syncs and closes everything left at once (the end of a run). */
  async settle(): Promise<void> {
    while (this.#inflight !== null) await this.#inflight;
    this.#cancel?.();
    this.#cancel = null;
    for (const fd of this.#dirty) {
      try {
        this.#fs.fdatasyncSync(fd);
        this.syncs++;
      } catch {
        // closed meanwhile: nothing left to sync
      }
    }
    for (const fd of this.#closing) this.#fs.closeSync(fd);
    this.#dirty.clear();
    this.#closing.clear();
  }
}

export interface LogPosition {
  /** Hashes of the records already in the file, in order (checked, not rewritten). */
  expected: readonly string[];
}

/** Records are written at the end of the guest's turn, or sooner past this many characters. */
const FLUSH_CHARS = 64 * 1024;

export class DurableLog implements EventSink {
  readonly path: string;
  #fd: number | null;
  #group: GroupCommit;
  #parent: string | null = null;
  #seq = 0;
  #expected: readonly string[];
  #ended = false;
  /** Lines of this turn not yet written. */
  #pending = '';
  #flushQueued = false;
  /** A write that failed in the end-of-turn flush: thrown at the log's next use. */
  #failed: DurableLogError | null = null;
  readonly #endOfTurn = (): void => {
    this.#flushQueued = false;
    try {
      this.flush();
    } catch (error) {
      this.#failed = error as DurableLogError;
    }
  };

  /** `fd`: the log already open for appending (openDurableLog); else it is opened (created) here. */
  constructor(path: string, group: GroupCommit, position: LogPosition = { expected: [] }, fd?: number) {
    this.path = path;
    this.#group = group;
    this.#expected = position.expected;
    try {
      this.#fd = fd ?? fs.openSync(path, 'a');
    } catch (error) {
      throw new DurableLogError(`${path}: cannot open the actor's log (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }

  /** Records in the chain so far (those checked on resume included). */
  get size(): number { return this.#seq; }
  /** Whether the records already in the file have all been matched. */
  get caughtUp(): boolean { return this.#seq >= this.#expected.length; }
  get ended(): boolean { return this.#ended; }

  record(event: TimingEvent): void {
    if (this.#ended || this.#fd === null) return;
    if (this.#failed !== null) throw this.#failed;
    const eventJson = JSON.stringify(toWire(event));
    const parent = this.#parent;
    const hash = hashEventJson(parent, eventJson);
    if (this.#seq < this.#expected.length) {
      if (this.#expected[this.#seq] !== hash) throw new DurableLogError(`${this.path}: record ${this.#seq} replayed differently from the log (the actor is not deterministic, or the log was altered)`);
    } else {
      this.#pending += chainLine(this.#seq, parent, hash, '"timing"', eventJson);
      if (event.type === 'OutputWrite' || this.#pending.length >= FLUSH_CHARS) this.flush();
      else if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(this.#endOfTurn);
      }
    }
    this.#parent = hash;
    this.#seq++;
  }

  /** Writes the records not yet written (one write(2)). */
  flush(): void {
    if (this.#pending === '' || this.#fd === null) return;
    const text = this.#pending;
    this.#pending = '';
    try {
      fs.writeSync(this.#fd, text);
    } catch (error) {
      throw new DurableLogError(`${this.path}: cannot write the actor's log (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    this.#group.dirty(this.#fd);
  }

  /** Closes the chain with ChainEnd; the group's next commit syncs and closes the file. Idempotent. */
  end(outcome: ChainOutcome, message: string): void {
    if (this.#ended) return;
    this.record({ type: 'ChainEnd', events: this.#seq, outcome, message });
    this.#ended = true;
    this.close(true);
  }

  /** Done with the file: `sync` hands it to the group (synced, then closed, by its next commit); else closed now, unsynced. */
  close(sync = false): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    try {
      this.flush();
    } finally {
      this.#fd = null;
      if (sync) this.#group.release(fd);
      else fs.closeSync(fd);
    }
  }
}

export interface LogContents {
  /** The good prefix, "\n"-terminated lines. */
  text: string;
  hashes: string[];
  /** Whether the last good record is ChainEnd: the actor finished. */
  ended: boolean;
  /** Bytes after the good prefix that were dropped (a torn last record), 0 when none. */
  tornBytes: number;
  /** Bytes of the good prefix. */
  goodBytes: number;
}

/**
 * Reads a durable log and finds its good prefix. Throws a DurableLogError when a
 * record other than the last is bad (damage is never resumed over). A missing
 * file is an empty log (the actor had not started). `own`: a log this process
 * wrote and closed (ownLog).
 */
export function readDurableLog(path: string, options: { own?: boolean } = {}): LogContents {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', hashes: [], ended: false, tornBytes: 0, goodBytes: 0 };
    throw new DurableLogError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return logContents(path, bytes, options.own === true);
}

/**
 * Opens an actor's log for reading and appending, creating it when missing (one
 * open(2) for the probe, the read and the appends; a missing log is an empty
 * one): its good prefix, as readDurableLog finds it, and the descriptor, which
 * `new DurableLog(…, fd)` appends to. A torn tail is cut off here.
 */
export function openDurableLog(path: string, options: { own?: boolean } = {}): { fd: number; contents: LogContents } {
  let fd: number;
  try {
    fd = fs.openSync(path, 'a+');
  } catch (error) {
    throw new DurableLogError(`${path}: cannot open the actor's log (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const contents = logContents(path, fs.readFileSync(fd), options.own === true);
    if (contents.tornBytes > 0) fs.ftruncateSync(fd, contents.goodBytes);
    return { fd, contents };
  } catch (error) {
    fs.closeSync(fd);
    if (error instanceof DurableLogError) throw error;
    throw new DurableLogError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function logContents(path: string, bytes: Buffer, own: boolean): LogContents {
  if (bytes.length === 0) return { text: '', hashes: [], ended: false, tornBytes: 0, goodBytes: 0 };
  if (own) return ownLog(bytes);
  const hashes: string[] = [];
  // The checks `verify` and a replay make (events/verify.ts), on a chain that may still be growing.
  const verifier = new ChainVerifier({ open: true });
  let good = 0;
  let ended = false;
  let start = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    const last = nl === -1 || nl === bytes.length - 1;
    if (ended) throw new DurableLogError(`${path}: record ${hashes.length}: a record after ChainEnd`);
    const checked = nl === -1 ? 'no "\\n"' : recordOf(bytes.subarray(start, nl), decoder, verifier);
    if (typeof checked === 'string') {
      if (last) break; // a torn last record: dropped
      throw new DurableLogError(`${path}: record ${hashes.length} (byte ${start}): ${checked}; the log is damaged before its last record, so it is not resumed`);
    }
    hashes.push(checked.hash);
    ended = checked.event.type === 'ChainEnd';
    start = nl + 1;
    good = start;
  }
  return { text: bytes.subarray(0, good).toString('utf8'), hashes, ended, tornBytes: bytes.length - good, goodBytes: good };
}

/**
 * A log this process wrote itself and closed whole (a hibernated actor's): every write
 * completed, so there is no tear to look for, and the replay checks each record (its
 * recording is parsed and hash-checked, and every re-emitted record is matched against
 * these hashes); so only the hashes are taken here, from their fixed place in the line.
 */
function ownLog(bytes: Buffer): LogContents {
  const text = bytes.toString('utf8');
  const hashes = Array.from(text.matchAll(/^\{"seq":\d+,"parent":(?:null|"[0-9a-f]{64}"),"hash":"([0-9a-f]{64})"/gm), (m) => m[1]);
  const last = text.lastIndexOf('\n', text.length - 2) + 1;
  return { text, hashes, ended: text.includes('"event":{"type":"ChainEnd"', last), tornBytes: 0, goodBytes: bytes.length };
}

/** The record's checked values, or why it is refused. */
function recordOf(row: Uint8Array, decoder: TextDecoder, verifier: ChainVerifier): CheckedLine | string {
  let text: string;
  try {
    text = decoder.decode(row);
  } catch {
    return 'not valid UTF-8';
  }
  return verifier.push(text) ?? verifier.firstError!.message;
}
