/*
 * The one V8 setting a fleet changes: count the instances' wasm memories in
 * the heap's global allocation limit, as V8 does for the JS heap, instead of
 * against V8's fixed 64 MiB external-memory soft limit.
 *
 * Why: every instance commits a 64 KiB wasm memory, which V8 counts as
 * external memory. With the fixed limit, every ~1 000 instances (64 MiB) start
 * a full mark-compact of the whole heap, whatever the JS heap's size: 10 000
 * spawned sleepers paid ~14 full GCs, each marking every live instance so far
 * (pauses of 70–114 ms at the end). Counted in the global limit, the external
 * bytes grow the limit like heap bytes do, and the collections follow the
 * heap's growth: half as many, measured in docs/FLEETS.md. Only when V8
 * collects changes; what it collects, and every bounds check, stay as they are.
 *
 * The flag is read where V8 computes its limits, so setting it at run time
 * (before the first instance) takes effect; the CLI sets it at process start,
 * and its shards inherit it by running the same entry.
 */
import { setFlagsFromString } from 'node:v8';

export const FLEET_V8_FLAGS: readonly string[] = ['--external-memory-accounted-in-global-limit'];
/**
 * The first V8 major they are set on: measured on 14 (Node 26). An older V8 may
 * not know the flag, and V8 answers an unknown one with a line on stderr
 * (Node 20's did), so there the defaults stay.
 */
export const FLEET_V8_FLAGS_SINCE = 14;

let applied = false;

/** Sets FLEET_V8_FLAGS in this process, once; not on a V8 older than FLEET_V8_FLAGS_SINCE. Whether they were set. */
export function applyFleetV8Flags(v8Version: string = process.versions.v8): boolean {
  if (Number.parseInt(v8Version, 10) < FLEET_V8_FLAGS_SINCE) return false;
  if (applied) return true;
  applied = true;
  for (const flag of FLEET_V8_FLAGS) setFlagsFromString(flag);
  return true;
}
