// wasi:io/streams and wasi:io/error for an actor's stdin, stdout and stderr.
//
// stdin is empty: every read reports `closed`. stdout and stderr go to the
// actor's OutputCapture (wasi-output.ts), through its journal when the chain is
// recorded (wasi-journal.ts): writes never wait and never fail
// (past the cap they are counted and dropped), so check-write always grants
// WRITE_BUDGET bytes and every flush is done at once.
// subscribe() returns a pollable of the actor's own timing host, always ready,
// so wasi:io/poll from the timing handler waits on it with the timers.
import { WasiTrap } from '../base/trap.ts';
import type { Pollable } from '../wasi/poll.ts';
import type { OutputTarget } from './wasi-journal.ts';
import type { OutputStreamName } from './wasi-output.ts';

/** What check-write grants at any time (the capture never pushes back). */
export const WRITE_BUDGET = 1n << 20n;

/** A ready pollable for the calling actor; traps when none can be made (no timing host). */
export type ReadyPollable = () => Pollable;

/** wasi:io/streams stream-error, as jco lowers it from a thrown value. */
export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };

const CLOSED: StreamError = Object.freeze({ tag: 'closed' });

/** wasi:io/error's `error` resource. This host never fails an operation, so it makes none; the class is what jco checks against. */
export class IoError {
  readonly #message: string;
  constructor(message: string) {
    this.#message = message;
  }
  toDebugString(): string {
    return #message in this ? this.#message : 'error';
  }
}

function usedAfterDrop(what: string): never {
  throw new WasiTrap(`${what} used after drop (an invalid resource handle)`);
}

/** stdin: no data, ever. */
export class InputStream {
  readonly #subscribe: ReadyPollable;
  constructor(subscribe: ReadyPollable) {
    this.#subscribe = subscribe;
  }
  read(_len: bigint): Uint8Array {
    check(this);
    throw CLOSED;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(_len: bigint): bigint {
    check(this);
    throw CLOSED;
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return check(this).#subscribe();
  }
  /** jco calls this when the guest drops its handle: nothing is held. */
  [Symbol.dispose](): void {}

  static isLive(stream: object): stream is InputStream {
    return #subscribe in stream;
  }
}

function check(stream: InputStream): InputStream {
  if (!InputStream.isLive(stream)) usedAfterDrop('input-stream');
  return stream;
}

/** stdout or stderr of one actor. */
export class OutputStream {
  readonly #capture: OutputTarget;
  readonly #stream: OutputStreamName;
  readonly #subscribe: ReadyPollable;

  constructor(capture: OutputTarget, stream: OutputStreamName, subscribe: ReadyPollable) {
    this.#capture = capture;
    this.#stream = stream;
    this.#subscribe = subscribe;
  }

  static isLive(stream: object): stream is OutputStream {
    return #capture in stream;
  }

  checkWrite(): bigint {
    live(this);
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    live(this).#capture.write(this.#stream, contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {
    live(this);
  }
  blockingFlush(): void {
    live(this);
  }
  writeZeroes(len: bigint): void {
    live(this).#capture.writeZeroes(this.#stream, len);
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  /** From stdin, the only input stream here: it is always at its end. */
  splice(_src: InputStream, _len: bigint): bigint {
    live(this);
    throw CLOSED;
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
  subscribe(): Pollable {
    return live(this).#subscribe();
  }
  /** jco calls this when the guest drops its handle: the capture outlives it (other handles, the end report). */
  [Symbol.dispose](): void {}
}

/** The stream itself, or a trap for a bare object jco made for a handle the guest does not hold. */
function live(stream: OutputStream): OutputStream {
  if (!OutputStream.isLive(stream)) usedAfterDrop('output-stream');
  return stream;
}
