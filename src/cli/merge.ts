// `theater-timing merge <results.json>... [--events out.jsonl] [--json]`: the
// --json results of `run --shard-index i --shard-count K` slices (run anywhere,
// e.g. as a Kubernetes Indexed Job) combined into the result of one run, and
// their chains into one fleet file in instance order. Every slice 0..K-1 of
// the same fleet must be given exactly once. Output and exit code are those of
// a single run of the whole fleet; bad or mismatched inputs exit 2, naming
// the file and field.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ChainFile, ChainWriteError } from '../events/chain-file.ts';
import { ChainMergeError, mergeChainFiles } from '../events/merge-chains.ts';
import { shardSlice } from '../runtime/shard-plan.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import type { MergeCommand } from './args.ts';
import { EXIT_USAGE, type CliIo } from './io.ts';
import { report } from './report.ts';
import { combine } from './shard-merge.ts';
import type { Failure, RunSummary, ShardReport } from './summary.ts';

class MergeInputError extends Error {}

interface Slice { file: string; index: number; count: number; summary: RunSummary }

function field<T>(file: string, object: Record<string, unknown>, name: string, check: (v: unknown) => boolean, what: string): T {
  const value = object[name];
  if (!check(value)) throw new MergeInputError(`${file}: ${name}: expected ${what}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value as T;
}

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function readSlice(file: string): Slice {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MergeInputError(`${file}: ${code !== undefined ? `cannot read (${code})` : `not JSON (${(error as Error).message})`}`);
  }
  if (!isObject(json)) throw new MergeInputError(`${file}: expected the --json object of a --shard-index run`);
  const o = json as Record<string, unknown>;
  const slice = field<Record<string, unknown>>(file, o, 'slice', isObject, 'the {index, count, first, total} of a --shard-index run');
  const index = field<number>(file, slice, 'index', isCount, 'a slice index');
  const count = field<number>(file, slice, 'count', isCount, 'a slice count');
  const total = field<number>(file, slice, 'total', isCount, 'the fleet size');
  const outcomes = field<Record<string, unknown>>(file, o, 'outcomes', isObject, '{ok, err, trap}');
  const encoding = o.stateEncoding;
  const state = field<string | null>(file, o, 'state', (v) => v === null || typeof v === 'string', 'a string or null');
  const summary: RunSummary = {
    name: field<string>(file, o, 'name', (v) => typeof v === 'string', 'the manifest name'),
    total,
    first: field<number>(file, slice, 'first', isCount, 'the first instance'),
    instances: field<number>(file, o, 'instances', isCount, 'an instance count'),
    outcomes: { ok: field(file, outcomes, 'ok', isCount, 'a count'), err: field(file, outcomes, 'err', isCount, 'a count'), trap: field(file, outcomes, 'trap', isCount, 'a count') },
    state: state === null ? null : encoding === 'hex' ? Uint8Array.from(Buffer.from(state, 'hex')) : new TextEncoder().encode(state),
    failures: field<Failure[]>(file, o, 'failures', Array.isArray, 'an array'),
    mode: field<ExecutionMode>(file, o, 'mode', (v) => v === 'jspi' || v === 'sync', '"jspi" or "sync"'),
    maxLive: field<number>(file, o, 'maxLive', isCount, 'a count'),
    peakLive: field<number>(file, o, 'peakLive', isCount, 'a count'),
    prepareMs: field<number>(file, o, 'prepareMs', isNumber, 'milliseconds'),
    spawnMs: field<number>(file, o, 'spawnMs', isNumber, 'milliseconds'),
    runMs: field<number>(file, o, 'runMs', isNumber, 'milliseconds'),
    events: field<string | null>(file, o, 'events', (v) => v === null || typeof v === 'string', 'a path or null'),
    eventLines: field<number>(file, o, 'eventLines', isCount, 'a count'),
    shards: field<ShardReport[]>(file, o, 'shards', Array.isArray, 'an array'),
  };
  let expected;
  try {
    expected = shardSlice(total, index, count);
  } catch (error) {
    throw new MergeInputError(`${file}: slice: ${(error as Error).message}`);
  }
  if (expected.first !== summary.first || expected.instances !== summary.instances) {
    throw new MergeInputError(`${file}: slice ${index} of ${count} should hold instances ${expected.first}..${expected.first + expected.instances - 1}, holds ${summary.first}..${summary.first + summary.instances - 1}`);
  }
  return { file, index, count, summary };
}

/** A slice's chain: its path as recorded, else relative to the results file, else beside it. */
function chainOf(slice: Slice): string {
  const events = slice.summary.events;
  if (events === null) throw new MergeInputError(`${slice.file}: events: this slice was run without --events, so it has no chain to merge`);
  const here = dirname(slice.file);
  const candidates = isAbsolute(events) ? [events, join(here, basename(events))] : [resolve(here, events), resolve(events), join(here, basename(events))];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new MergeInputError(`${slice.file}: events: chain file ${events} not found (looked in ${candidates.join(', ')})`);
  return found;
}

function check(slices: readonly Slice[]): void {
  const [head] = slices;
  for (const s of slices) {
    for (const [name, a, b] of [['name', s.summary.name, head.summary.name], ['slice.total', s.summary.total, head.summary.total], ['slice.count', s.count, head.count]] as const) {
      if (a !== b) throw new MergeInputError(`${s.file}: ${name}: ${JSON.stringify(a)} differs from ${JSON.stringify(b)} in ${head.file}; these are not slices of one fleet`);
    }
  }
  const byIndex = new Map<number, string>();
  for (const s of slices) {
    const other = byIndex.get(s.index);
    if (other !== undefined) throw new MergeInputError(`${s.file}: slice ${s.index} is also given as ${other}`);
    byIndex.set(s.index, s.file);
  }
  const missing = Array.from({ length: head.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeInputError(`merge: slices ${missing.join(', ')} of ${head.count} are missing`);
}

export async function merge(command: MergeCommand, io: CliIo): Promise<number> {
  let summary: RunSummary;
  try {
    const slices = command.results.map(readSlice);
    check(slices);
    summary = combine(slices.map((s) => ({ summary: s.summary, offsetMs: 0 })), command.events);
    if (command.events !== null) {
      const chains = [...slices].sort((a, b) => a.index - b.index).map(chainOf);
      const file = new ChainFile(resolve(command.events), io.chainFs);
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
  } catch (error) {
    if (!(error instanceof MergeInputError || error instanceof ChainMergeError || error instanceof ChainWriteError || (error as NodeJS.ErrnoException).code !== undefined)) throw error;
    io.stderr(`theater-timing: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  return report(summary, { json: command.json, shardIndex: null, shardCount: null, chainFormat: 'jsonl' }, io);
}
