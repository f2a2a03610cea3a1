/*
 * TheaterChainRecorder: one actor's chain.json, written as the actor runs.
 *
 * Each event is encoded (TheaterEncoder), hashed and linked (TheaterLinker) at once, and its
 * line appended to the array text: `[` first, `,` between events, `]` after
 * the "shutdown" event that end() writes. The recorder holds the parent hash
 * and the handle numbering, never the history, so a chain of any length costs
 * constant memory (the max_events budget bounds its length).
 *
 * Text gathers here until FLUSH_CHARS, then goes to a ChainFile (opened only
 * then: a short chain, most of a fleet's, is written in one go at its end and
 * holds no descriptor while it runs). end() seals the file (fsync, close);
 * the run renames every sealed file over its target at the end (commit), so an
 * interrupted or failed run replaces no existing chain.
 */
import { ChainFile, ChainWriteError, type ChainFs } from '../chain-file.ts';
import type { EventSink, TimingEvent } from '../types.ts';
import { TheaterEncoder, type TheaterOutcome, type TheaterRecord } from './encode.ts';
import { THEATER_CLOSE, THEATER_OPEN, THEATER_SEPARATOR, TheaterLinker } from './event.ts';

const FLUSH_CHARS = 64 * 1024;

export class TheaterChainRecorder implements EventSink {
  readonly path: string;
  // Dropped at the end: a sealed chain waiting for commit keeps only its file (a fleet holds many).
  #encoder: TheaterEncoder | null;
  #fs: ChainFs | undefined;
  #file: ChainFile | null = null;
  #pending: string[] = [THEATER_OPEN];
  #pendingChars = THEATER_OPEN.length;
  #linker: TheaterLinker | null = new TheaterLinker();
  #events = 0;
  /** The temporary file could not be opened: kept for commit (a guest's call must not fail on it). */
  #error: ChainWriteError | null = null;

  constructor(path: string, imports: readonly string[], state: Uint8Array | null, fileSystem?: ChainFs) {
    this.path = path;
    this.#fs = fileSystem;
    this.#encoder = new TheaterEncoder(imports, state);
    this.#append(this.#encoder.opening());
  }

  /** Theater events written so far. */
  get size(): number { return this.#events; }
  get ended(): boolean { return this.#encoder === null; }

  record(event: TimingEvent): void {
    if (this.#encoder === null) return;
    const record = this.#encoder.record(event);
    if (record !== null) this.#append(record);
  }

  /** Writes the closing events and `]`, and seals the file (it waits for commit). Idempotent. */
  end(outcome: TheaterOutcome): void {
    if (this.#encoder === null) return;
    for (const record of this.#encoder.closing(outcome)) this.#append(record);
    this.#write(THEATER_CLOSE);
    this.#flush();
    this.#file?.seal();
    this.#encoder = null;
    this.#linker = null;
  }

  /** Renames the sealed file over the target; throws the ChainWriteError of the first failed write. */
  commit(): void {
    if (this.#error !== null) throw this.#error;
    this.#file?.commit();
  }

  /** Drops the temporary file; the target is untouched. */
  abort(): void {
    this.#encoder = null;
    this.#linker = null;
    this.#pending = [];
    this.#file?.abort();
  }

  #append(record: TheaterRecord): void {
    const line = this.#linker!.line(record.eventType, record.payload);
    this.#write(this.#events === 0 ? line : `${THEATER_SEPARATOR}${line}`);
    this.#events++;
  }

  #write(text: string): void {
    this.#pending.push(text);
    this.#pendingChars += text.length;
    if (this.#pendingChars >= FLUSH_CHARS) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0 || this.#error !== null) return;
    try {
      this.#file ??= new ChainFile(this.path, this.#fs);
    } catch (error) {
      this.#error = error instanceof ChainWriteError ? error : new ChainWriteError(this.path, error);
      this.#pending = [];
      return;
    }
    this.#file.write(this.#pending.join(''));
    this.#pending = [];
    this.#pendingChars = 0;
  }
}
