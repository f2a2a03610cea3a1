/*
 * Merging fleet chain files (JSON Lines, each line tagged with its `instance`)
 * into one file in instance order, streamed: one line per input in memory.
 *
 * How: a k-way merge on the `instance` tag. Each input must hold whole chains in
 * ascending instance order (what a shard or a --shard-index slice writes); the
 * inputs may interleave (any slicing), but no instance may appear in two inputs.
 * Lines are copied byte for byte, so hashes and any fields this module does not
 * know about (a chain end record, a file header or footer written by a newer
 * format) pass through: only lines with an `instance` take part in the order,
 * and untagged lines are kept with the chain they follow.
 * The output is written to a temporary file, synced and renamed into place, so
 * a reader never sees half a merge.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export class ChainMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainMergeError';
  }
}

interface Cursor {
  path: string;
  lines: AsyncIterator<string>;
  line: string | null;
  instance: number;
  lineNo: number;
}

const TAG = /"instance":(\d+)[,}]/;

function instanceOf(cursor: Cursor): number {
  const line = cursor.line as string;
  const match = TAG.exec(line);
  if (match === null) return cursor.instance; // untagged: stays with the chain it follows
  return Number(match[1]);
}

async function advance(cursor: Cursor): Promise<void> {
  for (;;) {
    const next = await cursor.lines.next();
    if (next.done === true) {
      cursor.line = null;
      return;
    }
    cursor.lineNo++;
    if (next.value.trim() === '') continue;
    cursor.line = next.value;
    const instance = instanceOf(cursor);
    if (instance < cursor.instance) {
      throw new ChainMergeError(`${cursor.path}:${cursor.lineNo}: instance ${instance} after instance ${cursor.instance}; chains must be in instance order`);
    }
    cursor.instance = instance;
    return;
  }
}

/** Merges `inputs` into `output` in instance order; returns the number of lines written. */
export async function mergeChainFiles(inputs: readonly string[], output: string): Promise<number> {
  const cursors: Cursor[] = [];
  const tmp = `${output}.merging-${process.pid}`;
  const out = await open(tmp, 'w');
  let written = 0;
  try {
    for (const path of inputs) {
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })[Symbol.asyncIterator]();
      const cursor: Cursor = { path, lines, line: null, instance: -1, lineNo: 0 };
      await advance(cursor);
      if (cursor.line !== null) cursors.push(cursor);
    }
    // Inputs are each ascending and the merge takes the smallest, so an instance
    // in two inputs comes up twice in a row.
    let last: { instance: number; path: string } | null = null;
    let buffer = '';
    while (cursors.length > 0) {
      let pick = cursors[0];
      for (const c of cursors) if (c.instance < pick.instance) pick = c;
      const instance = pick.instance;
      if (last !== null && last.instance === instance && last.path !== pick.path) {
        throw new ChainMergeError(`instance ${instance} appears in both ${last.path} and ${pick.path}`);
      }
      last = { instance, path: pick.path };
      while (pick.line !== null && pick.instance === instance) {
        buffer += `${pick.line}\n`;
        written++;
        if (buffer.length >= 1 << 16) {
          await out.write(buffer);
          buffer = '';
        }
        await advance(pick);
      }
      if (pick.line === null) cursors.splice(cursors.indexOf(pick), 1);
    }
    await out.write(buffer);
    await out.sync();
    await out.close();
    await rename(tmp, output);
    return written;
  } catch (error) {
    await out.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  } finally {
    for (const c of cursors) await c.lines.return?.();
  }
}
