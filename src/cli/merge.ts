// `theater-timing merge <results.json>... [--events out.jsonl] [--json]`: the
// --json results of `run --shard-index i --shard-count K` slices (run anywhere,
// e.g. as a Kubernetes Indexed Job) combined into the result of one run, and
// their chains into one fleet file in instance order. Every slice 0..K-1 of
// the same fleet (and the same component) must be given exactly once. Output
// and exit code are those of a single run of the whole fleet; bad or
// mismatched inputs exit 2 with one line naming the file and field
// (merge-input.ts). Each slice's chain is found relative to its results
// file's folder, never outside it (chainOf). --events goes through the output
// rule (events/output-target.ts): a regular file or a new one, and none of the
// results files or chains merged.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { safeText } from '../base/text.ts';
import { ChainFile, ChainWriteError } from '../events/chain-file.ts';
import { ChainMergeError, mergeChainFiles } from '../events/merge-chains.ts';
import { checkOutputTarget, OutputTargetError } from '../events/output-target.ts';
import type { MergeCommand } from './args.ts';
import { EXIT_USAGE, type CliIo } from './io.ts';
import { chainOf, checkSlices, MergeInputError, readSlice, type Slice } from './merge-input.ts';
import { report } from './report.ts';
import { combine } from './shard-merge.ts';
import type { RunSummary } from './summary.ts';

async function writeChains(slices: readonly Slice[], events: string, summary: RunSummary, io: CliIo): Promise<void> {
  const ordered = [...slices].sort((a, b) => a.index - b.index);
  const chains = ordered.map(chainOf);
  const target = resolve(events);
  checkOutputTarget(target, [
    ...ordered.map((s) => ({ what: `the results file of slice ${s.index}`, path: s.file })),
    ...chains.map((path, i) => ({ what: `the chain of slice ${ordered[i].index}`, path })),
  ]);
  const file = new ChainFile(target, io.chainFs);
  try {
    // A fleet of one is one untagged chain, as a single run writes it.
    if (summary.total === 1) file.write(readFileSync(chains[0], 'utf8'));
    else summary.eventLines = await mergeChainFiles(chains, file, summary.total);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

/** The errors a merge reports in one line (exit 2): bad inputs, an output refused or not written, a file system error. */
const REPORTED = [MergeInputError, ChainMergeError, ChainWriteError, OutputTargetError];

export async function merge(command: MergeCommand, io: CliIo): Promise<number> {
  let summary: RunSummary;
  try {
    const slices = command.results.map(readSlice);
    checkSlices(slices);
    summary = combine(slices.map((s) => ({ summary: s.summary, offsetMs: 0 })), command.events);
    if (command.events !== null) await writeChains(slices, command.events, summary, io);
  } catch (error) {
    if (!REPORTED.some((kind) => error instanceof kind) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    const flag = error instanceof OutputTargetError ? '--events: ' : '';
    io.stderr(`theater-timing: ${safeText(`${flag}${(error as Error).message}`)}\n`);
    return EXIT_USAGE;
  }
  return report(summary, { json: command.json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, io);
}
