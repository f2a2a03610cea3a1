/*
 * ChainFile: one chain file, written durably while the run goes on.
 *
 *   open     a temporary file `.<name>.<pid>-<random>.tmp` in the target's own
 *            folder (same filesystem, so the final rename is atomic); opening it
 *            before the run doubles as the "is the folder writable" check
 *   write    lines gather up to 64 Ki characters, flushed with writeSync: a guest that
 *            never yields to the event loop must not grow an unbounded buffer
 *   seal     flush, fsync, close: finished, holding no descriptor (Theater's
 *            per-instance files wait so until the run ends)
 *   commit   seal, then rename over the target, fsync the folder
 *   abort    close and delete the temporary file
 *
 * Until commit the target is untouched, so a failed, interrupted or killed run
 * never replaces or truncates an existing file (a kill can leave the `.tmp`
 * beside it). The first write error (ENOSPC, EIO…) is kept, later lines are
 * dropped, and commit throws a ChainWriteError naming the target path.
 * The file system calls are injectable (ChainFs), so tests can fill a "disk".
 */
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ChainFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const FLUSH_CHARS = 64 * 1024;

export class ChainWriteError extends Error {
  override name = 'ChainWriteError';
  readonly path: string;
  readonly code: string;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | null)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot write ${path} (${code}${code === 'ENOSPC' ? ': no space left on device' : ''})`, { cause });
    this.path = path;
    this.code = code;
  }
}

export class ChainFile {
  readonly path: string;
  readonly tempPath: string;
  #fs: ChainFs;
  #fd: number | null;
  // Lines wait as strings and become bytes in one conversion per flush: far
  // cheaper than encoding each line into a Buffer on its own.
  #pending: string[] = [];
  #pendingChars = 0;
  #error: ChainWriteError | null = null;
  #bytes = 0;

  /** Opens the temporary file; throws a ChainWriteError when the folder is not writable. */
  constructor(path: string, fileSystem: ChainFs = fs) {
    this.path = path;
    this.#fs = fileSystem;
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      this.#fd = fileSystem.openSync(this.tempPath, 'wx');
    } catch (error) {
      throw new ChainWriteError(path, error);
    }
  }

  /** The first write error, if any: lines after it were dropped. */
  get error(): ChainWriteError | null { return this.#error; }
  /** Bytes flushed to the file so far. */
  get bytes(): number { return this.#bytes; }

  write(text: string): void {
    if (this.#error !== null || this.#fd === null) return;
    this.#pending.push(text);
    this.#pendingChars += text.length;
    if (this.#pendingChars >= FLUSH_CHARS) this.#flush();
  }

  /** Makes the file the target, durably; throws the first write error instead (the target stays as it was). */
  commit(): void {
    this.seal();
    if (this.#error !== null) {
      this.#unlink();
      throw this.#error;
    }
    try {
      this.#fs.renameSync(this.tempPath, this.path);
    } catch (error) {
      this.#unlink();
      throw new ChainWriteError(this.path, error);
    }
    syncFolder(dirname(this.path));
  }

  /**
   * Flushes, fsyncs and closes the temporary file without renaming it: a
   * finished chain waits for commit() (which then only renames) holding no
   * file descriptor. A write error is kept for commit to throw.
   */
  seal(): void {
    this.#flush();
    const fd = this.#fd;
    if (fd !== null && this.#error === null) {
      try {
        this.#fs.fsyncSync(fd);
      } catch (error) {
        this.#fail(error);
      }
    }
    this.#close();
  }

  /** Deletes the temporary file; the target is untouched. Idempotent. */
  abort(): void {
    this.#close();
    this.#unlink();
  }

  #flush(): void {
    if (this.#pendingChars === 0) return;
    const bytes = Buffer.from(this.#pending.join(''));
    this.#pending = [];
    this.#pendingChars = 0;
    this.#bytes += bytes.length;
    this.#writeAll(bytes);
  }

  #writeAll(bytes: Uint8Array): void {
    if (this.#fd === null || this.#error !== null) return;
    try {
      for (let offset = 0; offset < bytes.length;) offset += this.#fs.writeSync(this.#fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.#error ??= new ChainWriteError(this.path, error);
  }

  #close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      this.#fs.closeSync(fd);
    } catch (error) {
      this.#fail(error);
    }
  }

  #unlink(): void {
    try {
      this.#fs.unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }
}

/** fsync of the folder makes the rename itself durable; some file systems refuse it, which is harmless. */
function syncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
