/*
 * Merging fleet chain files into one fleet file in instance order, streamed:
 * memory holds one bucket of instances at a time, never the fleet.
 *
 * Inputs are fleet files as shards and --shard-index slices write them: the
 * header {"fleet":{"instances":n}} (n = the whole fleet), then lines tagged
 * with `instance`, chains interleaved as they happened, each chain closed by
 * its ChainEnd. No instance may appear in two inputs.
 *
 * How: pass 1 reads every input once and appends each line to the spool file
 * of its bucket (BUCKET_INSTANCES consecutive instances); pass 2 reads the
 * buckets in order, groups each one's lines by instance (a chain's lines keep
 * their order) and writes them. Lines are copied byte for byte, so hashes and
 * fields this module does not know pass through. Instances no input holds get
 * the chain `missing` gives them (a lone ChainEnd saying why), or fail the merge.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildChain, chainEnd, chainLineText, fleetHeader } from './chain.ts';
import type { ChainOutcome } from './types.ts';

export const BUCKET_INSTANCES = 1024;
const SPOOL_CHARS = 1 << 16;

export class ChainMergeError extends Error {
  override name = 'ChainMergeError';
}

/** Where the merged lines go: a ChainFile (durable, renamed into place on commit) or anything alike. */
export interface ChainSink {
  write(text: string): void;
}

/** What to write for an instance no input holds: its outcome and why, or null to refuse the merge. */
export type MissingChain = (instance: number) => { outcome: ChainOutcome; message: string } | null;

const TAG = /"instance":(\d+)[,}]/;
const HEADER = /^\{"fleet":\{"instances":(\d+)\}\}$/;

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity });
}

/**
 * Merges `inputs` (fleet files of one fleet of `instances`) into `sink` in
 * instance order, header first; returns the chain lines written. The spool
 * folder is made in `spoolIn` (a caller that cleans up its own folder when
 * interrupted passes that).
 */
export async function mergeChainFiles(inputs: readonly string[], sink: ChainSink, instances: number, missing: MissingChain = () => null, spoolIn = tmpdir()): Promise<number> {
  const spool = await mkdtemp(join(spoolIn, 'theater-merge-'));
  const owner = new Int32Array(instances).fill(-1);
  const buckets = Math.ceil(instances / BUCKET_INSTANCES);
  const pending: string[] = new Array<string>(buckets).fill('');
  const flush = async (bucket: number): Promise<void> => {
    if (pending[bucket] === '') return;
    await appendFile(join(spool, `${bucket}`), pending[bucket]);
    pending[bucket] = '';
  };
  try {
    for (const [source, path] of inputs.entries()) {
      let row = 0;
      for await (const line of lines(path)) {
        row++;
        if (line.trim() === '') continue;
        const header = HEADER.exec(line);
        if (header !== null) {
          if (Number(header[1]) !== instances) throw new ChainMergeError(`${path}:${row}: the fleet header says ${header[1]} instances, expected ${instances}`);
          continue;
        }
        const tag = TAG.exec(line);
        if (tag === null) throw new ChainMergeError(`${path}:${row}: a line without "instance": not a fleet file`);
        const instance = Number(tag[1]);
        if (instance >= instances) throw new ChainMergeError(`${path}:${row}: instance ${instance} is out of range: the fleet has ${instances}`);
        if (owner[instance] !== source) {
          if (owner[instance] !== -1) throw new ChainMergeError(`instance ${instance} appears in both ${inputs[owner[instance]]} and ${path}`);
          owner[instance] = source;
        }
        const bucket = Math.floor(instance / BUCKET_INSTANCES);
        pending[bucket] += `${line}\n`;
        if (pending[bucket].length >= SPOOL_CHARS) await flush(bucket);
      }
    }
    for (let bucket = 0; bucket < buckets; bucket++) await flush(bucket);
    return await writeInOrder(spool, sink, instances, owner, missing);
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

async function writeInOrder(spool: string, sink: ChainSink, instances: number, owner: Int32Array, missing: MissingChain): Promise<number> {
  sink.write(fleetHeader(instances));
  let written = 0;
  for (let first = 0; first < instances; first += BUCKET_INSTANCES) {
    const end = Math.min(instances, first + BUCKET_INSTANCES);
    const chains: string[] = new Array<string>(end - first).fill('');
    if (owner.subarray(first, end).some((source) => source !== -1)) {
      for await (const line of lines(join(spool, `${first / BUCKET_INSTANCES}`))) {
        chains[Number((TAG.exec(line) as RegExpExecArray)[1]) - first] += `${line}\n`;
        written++;
      }
    }
    for (let at = 0; at < chains.length; at++) {
      const instance = first + at;
      if (owner[instance] === -1) {
        const why = missing(instance);
        if (why === null) throw new ChainMergeError(`instance ${instance}: no input holds its chain`);
        const [line] = buildChain([chainEnd([], why.outcome, why.message)]);
        chains[at] = chainLineText(line, instance);
        written++;
      }
      sink.write(chains[at]);
    }
  }
  return written;
}
