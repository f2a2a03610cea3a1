// WasiJournal: the wasi handler's answers that a replay must reproduce, and where
// they are recorded. A durable actor (and a --replay) must see nothing that is
// not in its chain, so when the chain is recorded these go into it:
//
//   RandomBytes, RandomU64,   wasi:random/random, insecure, insecure-seed: the drawn
//   InsecureSeed              values; a replay answers the recorded ones
//   OutputWrite               a stdout/stderr write: its length and the bytes kept within
//                             max_output_bytes; a replay matches them and feeds the capture
//                             (the lines shown again by --replay, not by a resume: they
//                             were shown before the crash)
//
// Everything else the handler serves is fixed by the manifest and the component
// (empty stdin, no terminal, a fixed granted environment, denied files and
// sockets, exit as a trap), so it needs no record. The replay side lives in
// src/replay/wasi-journal.ts; without a recorded chain there is no journal and
// nothing is encoded.
import type { EventSink, TimingEvent } from '../events/types.ts';
import type { OutputCapture, OutputStreamName } from './wasi-output.ts';
import { zeroCount } from './wasi-output.ts';

export type WasiEvent = Extract<TimingEvent, { type: 'RandomBytes' | 'RandomU64' | 'InsecureSeed' | 'OutputWrite' }>;

export interface WasiJournal {
  /**
   * The event answering a call: the recorded one on replay (matched against `probe`,
   * which carries the call's inputs), else `live()`'s, recorded. `replayed` says which.
   */
  take<E extends WasiEvent>(probe: E, live: () => E): { event: E; replayed: boolean };
  /** Whether a replayed write's lines are shown again (--replay) or not (a resume). */
  readonly showReplayed: boolean;
  /** True while the instance is dropped only to be rebuilt (hibernation): its capture is not ended. */
  suspended(): boolean;
}

/** The live journal of a recorded run: every answer is made now and recorded. */
export function recordingJournal(events: EventSink): WasiJournal {
  return {
    showReplayed: false,
    take<E extends WasiEvent>(_probe: E, live: () => E) {
      const event = live();
      events.record(event);
      return { event, replayed: false };
    },
    suspended: () => false,
  };
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export function fromHex(hex: string): Uint8Array {
  const bytes = Buffer.from(hex, 'hex');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** What OutputStream writes to: the capture itself, or the capture through a journal. */
export interface OutputTarget {
  write(stream: OutputStreamName, bytes: Uint8Array): void;
  writeZeroes(stream: OutputStreamName, count: bigint): void;
}

/** Writes recorded (or matched on replay) before they reach the capture. */
export class JournaledOutput implements OutputTarget {
  readonly #capture: OutputCapture;
  readonly #journal: WasiJournal;

  constructor(capture: OutputCapture, journal: WasiJournal) {
    this.#capture = capture;
    this.#journal = journal;
  }

  write(stream: OutputStreamName, bytes: Uint8Array): void {
    const kept = bytes.subarray(0, Math.min(this.#capture.room, bytes.length));
    this.#capture.write(stream, bytes, this.#show(stream, BigInt(bytes.length), toHex(kept)));
  }

  writeZeroes(stream: OutputStreamName, count: bigint): void {
    const kept = Math.min(this.#capture.room, zeroCount(count));
    this.#capture.writeZeroes(stream, count, this.#show(stream, count, '00'.repeat(kept)));
  }

  #show(stream: OutputStreamName, length: bigint, bytes: string): boolean {
    const probe: WasiEvent = { type: 'OutputWrite', stream, length, bytes };
    const { replayed } = this.#journal.take(probe, () => probe);
    return !replayed || this.#journal.showReplayed;
  }
}
