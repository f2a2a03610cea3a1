// Reading a chain in pieces: the readers (lines of JSON Lines, elements of
// Theater's array) pull fixed-size chunks, synchronously, so a replay can take
// its next record inside a guest's call and a file of any size is read in
// constant memory. A chunk is fresh memory: a record that spans chunks keeps
// slices of them, never the file.
import { closeSync, openSync, readSync } from 'node:fs';

export const CHUNK_BYTES = 1 << 20;

export interface ChunkSource {
  /** The next bytes, or null at the end. */
  next(): Uint8Array | null;
  close(): void;
}

/** The chunks of an open file; closes it at the end (and on close()). */
export function fileChunks(path: string, chunkBytes = CHUNK_BYTES): ChunkSource {
  let fd: number | null = openSync(path, 'r');
  const close = (): void => {
    if (fd === null) return;
    const open = fd;
    fd = null;
    closeSync(open);
  };
  return {
    next() {
      if (fd === null) return null;
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const read = readSync(fd, chunk, 0, chunkBytes, null);
      if (read === 0) {
        close();
        return null;
      }
      return chunk.subarray(0, read);
    },
    close,
  };
}

/** Bytes already in memory as one chunk. */
export function bufferChunks(bytes: Uint8Array): ChunkSource {
  let done = false;
  return {
    next() {
      if (done || bytes.length === 0) return null;
      done = true;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    close() { done = true; },
  };
}
