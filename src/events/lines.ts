// JSON Lines in pieces: the lines of a ChunkSource, one at a time, each as
// strict UTF-8. A line longer than MAX_LINE_BYTES is reported without being
// held (its bytes are skipped), so a hostile file cannot exhaust memory.
import type { ChunkSource } from './chunks.ts';

const NEWLINE = 0x0a;
/**
 * The longest line read: a written line is under 1 KiB, except a PollReady
 * over a long list (~11 B per index: 10 000 pollables are ~110 KiB).
 */
export const MAX_LINE_BYTES = 16 * 2 ** 20;

/** One line: its text, or why it has none (too long, not UTF-8). */
export type Line = { text: string } | { error: string };

export class LineReader {
  #source: ChunkSource;
  #chunk: Uint8Array | null = null;
  #at = 0;
  #decoder = new TextDecoder('utf-8', { fatal: true });
  #lastByte = -1;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /** Whether the bytes read end with "\n" (or there were none): false means the last line was cut. */
  get endsWithNewline(): boolean { return this.#lastByte === -1 || this.#lastByte === NEWLINE; }

  /** The next line (without its "\n"), or null at the end of the bytes. */
  next(): Line | null {
    const pieces: Uint8Array[] = [];
    let bytes = 0;
    for (;;) {
      if (this.#chunk === null || this.#at >= this.#chunk.length) {
        this.#chunk = this.#source.next();
        this.#at = 0;
        if (this.#chunk === null) return pieces.length === 0 && bytes === 0 ? null : this.#line(pieces, bytes);
        this.#lastByte = this.#chunk[this.#chunk.length - 1];
      }
      const chunk = this.#chunk;
      const nl = chunk.indexOf(NEWLINE, this.#at);
      const end = nl === -1 ? chunk.length : nl;
      bytes += end - this.#at;
      if (bytes <= MAX_LINE_BYTES) pieces.push(chunk.subarray(this.#at, end));
      else pieces.length = 0;
      this.#at = end + 1;
      if (nl !== -1) return this.#line(pieces, bytes);
    }
  }

  close(): void {
    this.#source.close();
  }

  #line(pieces: Uint8Array[], bytes: number): Line {
    if (bytes > MAX_LINE_BYTES) return { error: `line longer than ${MAX_LINE_BYTES} bytes` };
    try {
      return { text: this.#decoder.decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)) };
    } catch {
      return { error: 'not valid UTF-8' };
    }
  }
}
