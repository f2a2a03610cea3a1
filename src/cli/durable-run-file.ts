/*
 * A durable run's folder: <dir>/run.json (what resume needs and nothing else)
 * and <dir>/actors/<instance>.jsonl (one chain per actor). run.json is written
 * once, durably (temp file, fsync, rename, fsync of the folder), and read back
 * field by field: a DurableError names the field.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHexPairs, isPlainObject } from '../base/text.ts';
import { MAX_STATE_BYTES } from '../base/units.ts';
import { shardSlice, type ShardSlice } from '../runtime/shard-plan.ts';

export const DURABLE_FORMAT = 1;
/** Group commit: the most time a log's records wait for fdatasync (docs/DURABLE.md has the measured cost). */
export const FSYNC_INTERVAL_MS = 100;

export interface RunFile {
  format: number;
  manifest: string;
  component_sha256: string;
  /** Instances in the whole fleet (a slice's folder holds only its slice's). */
  instances: number;
  /** init's state as hex, or null for none. */
  state_hex: string | null;
  max_live: number | null;
  anchor: { monotonic_ns: string; wall_ns: string };
  /** Processes the run was sharded over (run --shards n); absent or null: one. resume does the same. */
  shards?: number | null;
  /** A --shard-index run: this folder holds slice `index` of `count`; absent or null: the whole fleet. */
  slice?: { index: number; count: number } | null;
}

export class DurableError extends Error {
  override name = 'DurableError';
}

export const actorLog = (dir: string, instance: number): string => join(dir, 'actors', `${instance}.jsonl`);

export const isFsError = (error: unknown): boolean => error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';

/** The instances a folder holds: its slice, or the whole fleet. */
export function runRange(run: RunFile): ShardSlice {
  return run.slice == null ? { index: 0, first: 0, instances: run.instances } : shardSlice(run.instances, run.slice.index, run.slice.count);
}

export function writeRunFile(dir: string, run: RunFile): void {
  const path = join(dir, 'run.json');
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(run, null, 2)}\n`);
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  syncDir(dir);
  syncDir(join(dir, 'actors'));
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

/** run.json, checked field by field; a DurableError names the field. */
export function readRunFile(dir: string): RunFile {
  const path = join(dir, 'run.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DurableError(`${path}: ${isFsError(error) ? `cannot read (${(error as NodeJS.ErrnoException).code}): not the folder of a run --durable` : 'not JSON'}`);
  }
  const bad = (field: string, what: string): never => { throw new DurableError(`${path}: ${field}: expected ${what}`); };
  if (!isPlainObject(parsed)) return bad('(top)', 'an object');
  if (parsed.format !== DURABLE_FORMAT) bad('format', `${DURABLE_FORMAT}`);
  if (typeof parsed.manifest !== 'string') bad('manifest', 'a path');
  if (typeof parsed.component_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.component_sha256)) bad('component_sha256', 'a hex SHA-256');
  if (!Number.isSafeInteger(parsed.instances) || (parsed.instances as number) < 1) bad('instances', 'a positive integer');
  if (parsed.state_hex !== null && (typeof parsed.state_hex !== 'string' || !isHexPairs(parsed.state_hex))) bad('state_hex', 'null or hex');
  if (typeof parsed.state_hex === 'string' && parsed.state_hex.length > 2 * MAX_STATE_BYTES) bad('state_hex', `a state of at most ${MAX_STATE_BYTES} bytes (64 MiB), got ${parsed.state_hex.length / 2}`);
  if (parsed.max_live !== null && !Number.isSafeInteger(parsed.max_live)) bad('max_live', 'null or an integer');
  const anchor = parsed.anchor;
  if (!isPlainObject(anchor) || typeof anchor.monotonic_ns !== 'string' || !/^[0-9]+$/.test(anchor.monotonic_ns) || typeof anchor.wall_ns !== 'string' || !/^[0-9]+$/.test(anchor.wall_ns)) bad('anchor', '{"monotonic_ns","wall_ns"} as decimal strings');
  const shards = parsed.shards;
  if (shards != null && (!Number.isSafeInteger(shards) || (shards as number) < 1)) bad('shards', 'null or a positive integer');
  const slice = parsed.slice;
  if (slice != null && !(isPlainObject(slice) && Number.isSafeInteger(slice.count) && Number.isSafeInteger(slice.index)
    && (slice.index as number) >= 0 && (slice.index as number) < (slice.count as number) && (slice.count as number) <= (parsed.instances as number))) {
    bad('slice', 'null or {"index","count"} with 0 <= index < count <= instances');
  }
  return parsed as unknown as RunFile;
}
