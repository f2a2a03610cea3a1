// What `merge` reads: the --json results of `run --shard-index i --shard-count K`
// slices, checked field by field before anything is combined, so a hand-edited
// or foreign file is refused with one line naming the file and the field
// (exit 2) instead of being summed into a result that cannot be. Checked:
//   slice         index < count ≤ total ≤ MAX_INSTANCES, first and instances
//                 exactly the slice's (runtime/shard-plan.ts)
//   outcomes      ok + err + trap = the slice's instances
//   state         hex digits when stateEncoding is "hex"; text that we would
//                 print as text when "utf8" (state-text.ts); null with null
//   failures      at most MAX_FAILURES {instance, status, error}, instances of
//                 the slice, no more than its err + trap
//   shards        one or more {index, first, instances, …, status} within the slice
//   componentSha256  the component's SHA-256; every slice must have the same
//   events        null, or the chain's name relative to the results file's
//                 folder (chainOf)
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { MAX_INSTANCES } from '../runtime/limits.ts';
import { MAX_SHARDS, shardSlice } from '../runtime/shard-plan.ts';
import type { ExecutionMode } from '../wasi/mode.ts';
import { showState } from './state-text.ts';
import { isHexPairs } from '../base/text.ts';
import { MAX_STATE_BYTES } from '../base/units.ts';
import { MAX_FAILURES, type Failure, type RunSummary, type ShardReport } from './summary.ts';

export class MergeInputError extends Error {
  override name = 'MergeInputError';
}

export interface Slice { file: string; index: number; count: number; componentSha256: string; summary: RunSummary }

type Check = (v: unknown) => boolean;

const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isMs: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString: Check = (v) => typeof v === 'string';
const shown = (value: unknown): string => JSON.stringify(value)?.slice(0, 80) ?? 'nothing';

function field<T>(where: string, object: Record<string, unknown>, name: string, check: Check, what: string): T {
  const value = object[name];
  if (!check(value)) throw new MergeInputError(`${where}: ${name}: expected ${what}, got ${shown(value)}`);
  return value as T;
}

function parse(file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MergeInputError(`${file}: ${code !== undefined ? `cannot read (${code})` : `not JSON (${(error as Error).message})`}`);
  }
  if (!isObject(json)) throw new MergeInputError(`${file}: expected the --json object of a --shard-index run`);
  return json as Record<string, unknown>;
}

function decodeState(file: string, state: string | null, encoding: unknown): Uint8Array | null {
  if (state === null) {
    if (encoding !== null) throw new MergeInputError(`${file}: stateEncoding: expected null with a null state, got ${shown(encoding)}`);
    return null;
  }
  if (encoding === 'hex') {
    if (!isHexPairs(state)) throw new MergeInputError(`${file}: state: expected lowercase hex digits in pairs (stateEncoding "hex"), got ${shown(state)}`);
    const bytes = Uint8Array.from(Buffer.from(state, 'hex'));
    return withinStateBound(file, bytes);
  }
  if (encoding === 'utf8') {
    const bytes = withinStateBound(file, new TextEncoder().encode(state));
    // A run prints a state as text only when it holds no control character but tab and newline.
    if (showState(bytes)?.encoding !== 'utf8') throw new MergeInputError(`${file}: state: text with control characters is given as hex by a run, got ${shown(state)}`);
    return bytes;
  }
  throw new MergeInputError(`${file}: stateEncoding: expected "utf8" or "hex", got ${shown(encoding)}`);
}

/** A slice's state is bounded like the init that returned it (MAX_STATE_BYTES). */
function withinStateBound(file: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_STATE_BYTES) throw new MergeInputError(`${file}: state: a run returns at most ${MAX_STATE_BYTES} bytes (64 MiB), got ${bytes.length}`);
  return bytes;
}

function failuresOf(file: string, o: Record<string, unknown>, first: number, instances: number, failed: number): Failure[] {
  const list = field<unknown[]>(file, o, 'failures', Array.isArray, 'an array');
  if (list.length > Math.min(MAX_FAILURES, failed)) {
    throw new MergeInputError(`${file}: failures: ${list.length} listed, expected at most ${Math.min(MAX_FAILURES, failed)} (the first ${MAX_FAILURES} of err + trap)`);
  }
  return list.map((entry, i) => {
    const where = `${file}: failures[${i}]`;
    if (!isObject(entry)) throw new MergeInputError(`${where}: expected {instance, status, error}, got ${shown(entry)}`);
    const f = entry as Record<string, unknown>;
    const instance = field<number>(where, f, 'instance', (v) => isCount(v) && (v as number) >= first && (v as number) < first + instances, `an instance of the slice (${first}..${first + instances - 1})`);
    const status = field<Failure['status']>(where, f, 'status', (v) => v === 'err' || v === 'trap', '"err" or "trap"');
    return { instance, status, error: field<string>(where, f, 'error', isString, 'a string') };
  });
}

function shardsOf(file: string, o: Record<string, unknown>, first: number, instances: number): ShardReport[] {
  const list = field<unknown[]>(file, o, 'shards', (v) => Array.isArray(v) && v.length > 0 && v.length <= MAX_SHARDS, `an array of 1..${MAX_SHARDS} shard reports`);
  let covered = 0;
  const shards = list.map((entry, i): ShardReport => {
    const where = `${file}: shards[${i}]`;
    if (!isObject(entry)) throw new MergeInputError(`${where}: expected a shard report {index, first, instances, …}, got ${shown(entry)}`);
    const s = entry as Record<string, unknown>;
    const at = field<number>(where, s, 'first', (v) => isCount(v) && (v as number) >= first, `an instance of the slice (from ${first})`);
    const count = field<number>(where, s, 'instances', (v) => isCount(v) && at + (v as number) <= first + instances, `a count within the slice (to ${first + instances - 1})`);
    covered += count;
    return {
      index: field(where, s, 'index', isCount, 'a shard index'),
      first: at,
      instances: count,
      peakLive: field(where, s, 'peakLive', isCount, 'a count'),
      spawnMs: field(where, s, 'spawnMs', isMs, 'milliseconds'),
      runMs: field(where, s, 'runMs', isMs, 'milliseconds'),
      maxRssMb: field(where, s, 'maxRssMb', isMs, 'MiB'),
      status: field(where, s, 'status', (v) => v === 'ok' || v === 'died' || v === 'stalled', '"ok", "died" or "stalled"'),
    };
  });
  if (covered !== instances) throw new MergeInputError(`${file}: shards: they hold ${covered} instances, the slice ${instances}`);
  return shards;
}

/** Reads and checks one results file. */
export function readSlice(file: string): Slice {
  const o = parse(file);
  const slice = field<Record<string, unknown>>(file, o, 'slice', isObject, 'the {index, count, first, total} of a --shard-index run');
  const total = field<number>(file, slice, 'total', (v) => isCount(v) && (v as number) <= MAX_INSTANCES, `a fleet size of at most ${MAX_INSTANCES} instances`);
  const index = field<number>(file, slice, 'index', isCount, 'a slice index');
  const count = field<number>(file, slice, 'count', isCount, 'a slice count');
  const first = field<number>(file, slice, 'first', isCount, 'the first instance');
  const instances = field<number>(file, o, 'instances', isCount, 'an instance count');
  let expected;
  try {
    expected = shardSlice(total, index, count);
  } catch (error) {
    throw new MergeInputError(`${file}: slice: ${(error as Error).message}`);
  }
  if (expected.first !== first || expected.instances !== instances) {
    throw new MergeInputError(`${file}: slice ${index} of ${count} should hold instances ${expected.first}..${expected.first + expected.instances - 1}, holds ${first}..${first + instances - 1}`);
  }
  const counts = field<Record<string, unknown>>(file, o, 'outcomes', isObject, '{ok, err, trap}');
  const outcomes = { ok: field<number>(file, counts, 'ok', isCount, 'a count'), err: field<number>(file, counts, 'err', isCount, 'a count'), trap: field<number>(file, counts, 'trap', isCount, 'a count') };
  if (outcomes.ok + outcomes.err + outcomes.trap !== instances) {
    throw new MergeInputError(`${file}: outcomes: ok ${outcomes.ok} + err ${outcomes.err} + trap ${outcomes.trap} is not the slice's ${instances} instances`);
  }
  const componentSha256 = field<string>(file, o, 'componentSha256', (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), 'the SHA-256 of the component (64 hex digits; written by --shard-index runs)');
  const summary: RunSummary = {
    name: field<string>(file, o, 'name', isString, 'the manifest name'),
    total,
    first,
    instances,
    outcomes,
    state: decodeState(file, field<string | null>(file, o, 'state', (v) => v === null || isString(v), 'a string or null'), o.stateEncoding),
    failures: failuresOf(file, o, first, instances, outcomes.err + outcomes.trap),
    mode: field<ExecutionMode>(file, o, 'mode', (v) => v === 'jspi' || v === 'sync', '"jspi" or "sync"'),
    maxLive: field<number>(file, o, 'maxLive', isCount, 'a count'),
    peakLive: field<number>(file, o, 'peakLive', isCount, 'a count'),
    prepareMs: field<number>(file, o, 'prepareMs', isMs, 'milliseconds'),
    spawnMs: field<number>(file, o, 'spawnMs', isMs, 'milliseconds'),
    runMs: field<number>(file, o, 'runMs', isMs, 'milliseconds'),
    events: field<string | null>(file, o, 'events', (v) => v === null || (isString(v) && v !== ''), 'a chain file name or null'),
    eventLines: field<number>(file, o, 'eventLines', isCount, 'a count'),
    shards: shardsOf(file, o, first, instances),
  };
  return { file, index, count, componentSha256, summary };
}

/** Checks that the slices are 0..K-1 of one fleet of one component, each given once. */
export function checkSlices(slices: readonly Slice[]): void {
  const [head] = slices;
  for (const s of slices) {
    const pairs = [['name', s.summary.name, head.summary.name], ['slice.total', s.summary.total, head.summary.total], ['slice.count', s.count, head.count],
      ['componentSha256', s.componentSha256, head.componentSha256]] as const;
    for (const [name, a, b] of pairs) {
      if (a !== b) throw new MergeInputError(`${s.file}: ${name}: ${JSON.stringify(a)} differs from ${JSON.stringify(b)} in ${head.file}; these are not slices of one fleet`);
    }
  }
  const byIndex = new Map<number, string>();
  for (const s of slices) {
    const other = byIndex.get(s.index);
    if (other !== undefined) throw new MergeInputError(`${s.file}: slice ${s.index} is also given as ${other}`);
    byIndex.set(s.index, s.file);
  }
  const missing: number[] = [];
  for (let i = 0; i < head.count && missing.length <= 10; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) throw new MergeInputError(`merge: slices ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${head.count} are missing`);
}

/**
 * A slice's chain. Its `events` is a path relative to the folder of its
 * results file, and must stay in that folder: an absolute path, or `..` out of
 * it, is refused, and so is anything but a regular file. Why: a results file is
 * data (written by a job elsewhere, collected, maybe edited) and a path in it
 * is not trusted to point anywhere on this machine; with `events: "/etc/passwd"`
 * merge used to copy that file to --events. The only folder merge reads from
 * is one the user named, by naming the results file in it. A --shard-index run
 * writes the chain's file name there, so results kept beside their chains merge.
 */
export function chainOf(slice: Slice): string {
  const events = slice.summary.events;
  if (events === null) throw new MergeInputError(`${slice.file}: events: this slice was run without --events, so it has no chain to merge`);
  const here = dirname(resolve(slice.file));
  const path = resolve(here, events);
  if (isAbsolute(events) || relative(here, path).split(sep)[0] === '..') {
    throw new MergeInputError(`${slice.file}: events: ${JSON.stringify(events)}: expected the chain's name relative to this results file's folder (merge reads nothing outside it)`);
  }
  let kind: string;
  try {
    kind = statSync(path).isFile() ? 'file' : 'other';
  } catch (error) {
    throw new MergeInputError(`${slice.file}: events: chain file ${events} not found in ${here} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (kind !== 'file') throw new MergeInputError(`${slice.file}: events: ${path} is not a regular file`);
  return path;
}
