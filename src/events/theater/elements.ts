/*
 * Theater's chain.json in pieces: the elements of its one JSON array, one at a
 * time, from a ChunkSource, so a chain of any size is read in constant memory.
 *
 *   [ ws* element ws* ( , ws* element ws* )* ] ws*      or   [ ws* ] ws*
 *
 * The scanner follows only what delimits an element: strings (with their
 * escapes) and the nesting of [] and {}; an element ends where its nesting
 * returns to 0 (or, for a bare scalar, at the next `,` or `]`). Its bytes are
 * then decoded (strict UTF-8) and handed on as text for JSON.parse. Anything
 * else around the elements (a missing `[`, a trailing comma, bytes after `]`,
 * a file cut inside the array) throws an ElementError: the file cannot be read
 * past it. An element over MAX_ELEMENT_BYTES fails without being held.
 */
import type { ChunkSource } from '../chunks.ts';
import { MAX_LINE_BYTES } from '../lines.ts';

/** The longest element read: the same bound as a line of our JSON Lines. */
export const MAX_ELEMENT_BYTES = MAX_LINE_BYTES;

export class ElementError extends Error {
  override name = 'ElementError';
  /** The index of the element where reading stopped. */
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

// Where the scanner is: before "[", after "[", inside an element, after one, after ",", after "]".
const At = { Start: 0, FirstOrEnd: 1, Element: 2, CommaOrEnd: 3, NextElement: 4, Done: 5 } as const;
type At = (typeof At)[keyof typeof At];

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class ElementReader {
  #source: ChunkSource;
  #chunk: Uint8Array | null = null;
  #pos = 0;
  #at: At = At.Start;
  #index = 0;
  #decoder = new TextDecoder('utf-8', { fatal: true });
  // Inside an element:
  #pieces: Uint8Array[] = [];
  #bytes = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /** Elements read so far. */
  get count(): number { return this.#index; }

  /** The next element's text, or null after the closing `]`; throws an ElementError. */
  next(): string | null {
    for (;;) {
      if (this.#chunk === null || this.#pos >= this.#chunk.length) {
        this.#chunk = this.#source.next();
        this.#pos = 0;
        if (this.#chunk === null) return this.#eof();
      }
      const element = this.#step(this.#chunk);
      if (element !== undefined) return element;
    }
  }

  close(): void {
    this.#source.close();
  }

  /** Advances through `chunk` from #pos; returns an element's text once one is complete. */
  #step(chunk: Uint8Array): string | undefined {
    if (this.#at === At.Element) return this.#scanElement(chunk);
    for (; this.#pos < chunk.length; this.#pos++) {
      const b = chunk[this.#pos];
      if (isSpace(b)) continue;
      switch (this.#at) {
        case At.Start:
          if (b !== 0x5b) this.#fail(`expected a JSON array of events: the file starts with ${shown(b)}`);
          this.#at = At.FirstOrEnd;
          break;
        case At.FirstOrEnd:
          if (b === 0x5d) this.#at = At.Done;
          else return this.#begin(chunk);
          break;
        case At.NextElement:
          if (b === 0x5d) this.#fail('a "," before "]": there is no element after it');
          return this.#begin(chunk);
        case At.CommaOrEnd:
          if (b === 0x2c) this.#at = At.NextElement;
          else if (b === 0x5d) this.#at = At.Done;
          else this.#fail(`expected "," or "]" after the element, got ${shown(b)}`);
          break;
        case At.Done:
          this.#fail(`${shown(b)} after the array's closing "]"`);
      }
    }
    // After "]" only whitespace may follow: the end is reported once the rest of the file is read.
    return undefined;
  }

  #begin(chunk: Uint8Array): string | undefined {
    this.#at = At.Element;
    this.#pieces = [];
    this.#bytes = 0;
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    return this.#scanElement(chunk);
  }

  /** Scans element bytes; returns the element's text once it is complete. */
  #scanElement(chunk: Uint8Array): string | undefined {
    const start = this.#pos;
    let i = start;
    let end = -1;
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (b === BACKSLASH) this.#escaped = true;
        else if (b === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) { end = i + 1; break; }
        }
      } else if (b === QUOTE) this.#inString = true;
      else if (b === 0x5b || b === 0x7b) this.#depth++;
      else if (b === 0x5d || b === 0x7d) {
        if (this.#depth === 0) { end = i; break; } // a bare scalar ends at the array's "]"
        if (--this.#depth === 0) { end = i + 1; break; }
      } else if (this.#depth === 0 && (b === 0x2c || isSpace(b))) { end = i; break; }
    }
    const stop = end === -1 ? chunk.length : end;
    this.#bytes += stop - start;
    if (this.#bytes > MAX_ELEMENT_BYTES) this.#fail(`element longer than ${MAX_ELEMENT_BYTES} bytes`);
    this.#pieces.push(chunk.subarray(start, stop));
    this.#pos = stop;
    if (end === -1) return undefined;
    this.#at = At.CommaOrEnd;
    const bytes = this.#pieces.length === 1 ? this.#pieces[0] : Buffer.concat(this.#pieces);
    this.#pieces = [];
    let text: string;
    try {
      text = this.#decoder.decode(bytes);
    } catch {
      this.#fail('not valid UTF-8');
    }
    this.#index++;
    return text;
  }

  #eof(): null {
    if (this.#at === At.Done) return null;
    if (this.#at === At.Start) this.#fail('expected a JSON array of events: the file is empty');
    this.#fail('the file ends inside the array (no closing "]"): it was cut short');
  }

  #fail(message: string): never {
    this.#source.close();
    throw new ElementError(this.#index, message);
  }
}

/** A byte for a message: a printable ASCII character quoted, anything else by its code. */
function shown(b: number): string {
  return b >= 0x21 && b <= 0x7e ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
