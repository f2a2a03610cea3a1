/*
 * DurableLog: one durable actor's chain, appended as the calls happen.
 *
 * The file is an ordinary chain of ours (one actor, untagged lines), so
 * `verify` and `--replay` read it as they read any chain.
 *
 *   write   every record is written (write(2), O_APPEND) before the call that
 *           made it returns to the guest: once a guest has seen an answer, the
 *           answer is in the kernel, and a killed host (kill -9, OOM) loses none
 *   fsync   group commit (GroupCommit): every log with unsynced records is
 *           fdatasync'ed at most every `intervalMs` (default 100 ms), and at
 *           once when its actor ends; a power loss can lose at most the last
 *           interval's records, which resume then treats as never made
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

/** Syncs dirty logs at most every `intervalMs`. One per process run. */
function unrefTimeout(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export class GroupCommit {
  readonly intervalMs: number;
  #dirty = new Set<number>();
  /** fdatasync calls made, for the report. */
  syncs = 0;

  #schedule: (callback: () => void, ms: number) => () => void;
  #cancel: (() => void) | null = null;

  /** `schedule` arms the commit timer and returns its cancel (default: an unref'd setTimeout); tests pass their own. */
  constructor(intervalMs = 100, schedule: (callback: () => void, ms: number) => () => void = unrefTimeout) {
    this.intervalMs = intervalMs;
    this.#schedule = schedule;
  }

  dirty(fd: number): void {
    this.#dirty.add(fd);
    this.#cancel ??= this.#schedule(() => this.flush(), this.intervalMs);
  }

  /** fdatasync's `fd` now (an actor's end) and forgets it. */
  syncNow(fd: number): void {
    this.#dirty.delete(fd);
    fs.fdatasyncSync(fd);
    this.syncs++;
  }

  flush(): void {
    this.#cancel?.();
    this.#cancel = null;
    for (const fd of this.#dirty) {
      try {
        fs.fdatasyncSync(fd);
        this.syncs++;
      } catch {
        // closed meanwhile: its end synced it
      }
    }
    this.#dirty.clear();
  }
}

export interface LogPosition {
  /** Hashes of the records already in the file, in order (checked, not rewritten). */
  expected: readonly string[];
}

export class DurableLog implements EventSink {
  readonly path: string;
  #fd: number | null;
  #group: GroupCommit;
  #parent: string | null = null;
  #seq = 0;
  #expected: readonly string[];
  #ended = false;

  constructor(path: string, group: GroupCommit, position: LogPosition = { expected: [] }) {
    this.path = path;
    this.#group = group;
    this.#expected = position.expected;
    try {
      this.#fd = fs.openSync(path, 'a');
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
    const eventJson = JSON.stringify(toWire(event));
    const parent = this.#parent;
    const hash = hashEventJson(parent, eventJson);
    if (this.#seq < this.#expected.length) {
      if (this.#expected[this.#seq] !== hash) throw new DurableLogError(`${this.path}: record ${this.#seq} replayed differently from the log (the actor is not deterministic, or the log was altered)`);
    } else {
      fs.writeSync(this.#fd, chainLine(this.#seq, parent, hash, '"timing"', eventJson));
      this.#group.dirty(this.#fd);
    }
    this.#parent = hash;
    this.#seq++;
  }

  /** Closes the chain with ChainEnd, syncs and closes the file. Idempotent. */
  end(outcome: ChainOutcome, message: string): void {
    if (this.#ended) return;
    this.record({ type: 'ChainEnd', events: this.#seq, outcome, message });
    this.#ended = true;
    this.close(true);
  }

  /** Closes the file (synced first when `sync`). */
  close(sync = false): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    if (sync) this.#group.syncNow(fd);
    fs.closeSync(fd);
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
 * file is an empty log (the actor had not started).
 */
export function readDurableLog(path: string): LogContents {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', hashes: [], ended: false, tornBytes: 0, goodBytes: 0 };
    throw new DurableLogError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
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

/** Cuts the file back to its good prefix (drops a torn last record) so appends continue the chain. */
export function truncateLog(path: string, goodBytes: number): void {
  try {
    fs.truncateSync(path, goodBytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new DurableLogError(`${path}: cannot cut the torn record (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
