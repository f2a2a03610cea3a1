// An actor's stdout and stderr, captured: split into lines and handed to an
// ActorOutputSink as they complete, within a per-instance byte cap.
//
// Bounded: one cap (max_output_bytes, default 65 536) covers both streams of one
// instance; bytes past it are counted, never kept, and reported once when the
// instance ends (sink.dropped). What is held between writes is only the
// unfinished last line of each stream, itself within the cap.
// The text is the guest's: decoded as UTF-8 (bad bytes become U+FFFD) and NOT
// escaped here; whoever prints it escapes it (the CLI uses safeText).

export type OutputStreamName = 'stdout' | 'stderr';

export interface ActorOutputSink {
  /** One line an actor wrote, without its line ending. */
  line(actorId: string, stream: OutputStreamName, text: string): void;
  /** Once, when the instance ends, if it wrote more than `cap` bytes: `bytes` were dropped. */
  dropped(actorId: string, bytes: number, cap: number): void;
}

/** A sink that keeps nothing (the default of a handler given none). */
export const DISCARD_OUTPUT: ActorOutputSink = { line() {}, dropped() {} };

class LineBuffer {
  #decoder = new TextDecoder('utf-8');
  #pending = '';

  /** Decodes `bytes` and returns the lines they complete. */
  push(bytes: Uint8Array): string[] {
    const text = this.#pending + this.#decoder.decode(bytes, { stream: true });
    const lines = text.split('\n');
    this.#pending = lines.pop() as string;
    return lines.map(withoutCr);
  }

  /** The unfinished last line, if any. */
  end(): string | null {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = '';
    return rest === '' ? null : withoutCr(rest);
  }
}

/** A write-zeroes count as a number (past 2^53 it is dropped anyway). */
export const zeroCount = (count: bigint): number => (count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count));

const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

export class OutputCapture {
  readonly actorId: string;
  readonly cap: number;
  #sink: ActorOutputSink;
  #kept = 0;
  #dropped = 0;
  #buffers: Record<OutputStreamName, LineBuffer> = { stdout: new LineBuffer(), stderr: new LineBuffer() };
  #ended = false;

  constructor(actorId: string, cap: number, sink: ActorOutputSink) {
    this.actorId = actorId;
    this.cap = cap;
    this.#sink = sink;
  }

  /** Bytes counted past the cap so far. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Bytes a write may still have kept (the rest of it is counted and dropped). */
  get room(): number {
    return this.#ended ? 0 : this.cap - this.#kept;
  }

  /**
   * `show` false: the bytes count against the cap and feed the unfinished line, but the
   * lines they complete are not shown (a resumed actor's replayed writes, shown before the crash).
   */
  write(stream: OutputStreamName, bytes: Uint8Array, show = true): void {
    this.#take(stream, bytes.length, (n) => bytes.subarray(0, n), show);
  }

  /** `count` zero bytes (write-zeroes): only as many as fit are ever allocated. */
  writeZeroes(stream: OutputStreamName, count: bigint, show = true): void {
    this.#take(stream, zeroCount(count), (n) => new Uint8Array(n), show);
  }

  #take(stream: OutputStreamName, length: number, bytes: (n: number) => Uint8Array, show: boolean): void {
    if (this.#ended) return;
    const room = this.cap - this.#kept;
    const kept = Math.min(room, length);
    this.#dropped += length - kept;
    if (kept === 0) return;
    this.#kept += kept;
    const lines = this.#buffers[stream].push(bytes(kept));
    if (show) for (const line of lines) this.#sink.line(this.actorId, stream, line);
  }

  /** The instance ended: unfinished lines are shown, the overflow reported. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#buffers[stream].end();
      if (rest !== null) this.#sink.line(this.actorId, stream, rest);
    }
    if (this.#dropped > 0) this.#sink.dropped(this.actorId, this.#dropped, this.cap);
  }
}
