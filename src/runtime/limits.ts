// How many actors one process may keep alive at once, and why (docs/FLEETS.md).
//
// Measured on this machine (Node 26.10 / V8 14.6, jco 1.11.2, JSPI, x86-64) by
// counting /proc/self/maps lines around N sleeper actors, N = 1 000, 2 000, 4 000:
//   an instantiated, idle actor         2.04 mappings: its wasm memory, an 8 GiB
//                                       reservation (64 KiB rw + the PROT_NONE rest);
//   a suspended JSPI call, on top       2.03 mappings: its stack segment (984 KiB,
//                                       --wasm-stack-switching-stack-size) and guard;
//   so a live, suspended actor          4.07 mappings, ~30 KiB of RSS.
// The mappings of finished actors linger until V8 collects them; in 20 000- and
// 50 000-actor fleets the process peaked at 4.1 mappings per live actor.
//
// Two hard limits follow, both near 16 000 live actors here (maxLiveCeiling):
//   vm.max_map_count (65 530): past it V8 cannot map a JSPI stack and the process
//     aborts ("FATAL ERROR: StackMemory::StackSegment::StackSegment Allocation
//     failed - process out of memory"); nothing can catch that.
//   the address space (2^47 bytes, or `ulimit -v`) for 8 GiB memory reservations:
//     past it WebAssembly.Instance throws "Out of memory: Cannot allocate Wasm
//     memory for new instance" (16 100 instances fitted, 16 300 did not).
//
// The default cap takes the smaller of the two budgets:
//   maps:    floor(max_map_count * 0.6 / MAPPINGS_PER_ACTOR) = 65530 * 0.6 / 6 = 6 553
//   address: floor(address space * 0.6 / 8 GiB)             = 2^47  * 0.6 / 8 GiB = 9 830
// MAPPINGS_PER_ACTOR is the measured 4 plus 2 for one more region per actor (a
// second memory, or a second stack segment); 0.6 leaves 40% of each limit to
// Node itself and to finished actors not yet collected. Actors over the cap wait
// in a FIFO queue (gate.ts). `maxLive` / `--max-live` overrides the default, up
// to maxLiveCeiling(): past it a run is certain to fail, so runFleet refuses it.
// (Without that check, maxLive 20 000 instantiated ~16 200 actors, then spent
// ~0.3 s of last-resort garbage collections on each further failed instance: the
// "hang" seen before the ceiling existed; and 16 000 suspended actors leave no mappings to spare.)
import { readFileSync } from 'node:fs';

/** Mappings budgeted per live, suspended actor: 4 measured (2 memory + 2 stack), plus 2 for one more region. */
export const MAPPINGS_PER_ACTOR = 6;
/** Share of each process limit the fleet may use; the rest is Node's own and garbage awaiting collection. */
export const MAP_BUDGET_SHARE = 0.6;
/** The Linux default, used when /proc/sys/vm/max_map_count cannot be read. */
export const FALLBACK_MAX_MAP_COUNT = 65_530;
/** Address space V8 reserves per wasm32 memory (4 GiB plus guard regions). */
export const WASM_MEMORY_RESERVATION = 8 * 2 ** 30;
/** User address space of a 64-bit Linux process (47-bit virtual addresses). */
export const USER_ADDRESS_SPACE = 2 ** 47;

/** Mappings one live, suspended actor certainly holds: a memory and a JSPI stack, 2 each. */
export const MAPPINGS_MEASURED = 4;
/** Node's own share, kept out of maxLiveCeiling: ~200 mappings and ~10 GiB of address space measured. */
export const NODE_MAPPINGS = 1024;
export const NODE_ADDRESS_SPACE = 16 * 2 ** 30;

export function maxMapCount(path = '/proc/sys/vm/max_map_count'): number {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(value) && value > 0 ? value : FALLBACK_MAX_MAP_COUNT;
  } catch {
    return FALLBACK_MAX_MAP_COUNT;
  }
}

/**
 * Address space this process may map, in bytes: the soft `ulimit -v`
 * ("Max address space" in /proc/self/limits) when it is set and smaller, else
 * USER_ADDRESS_SPACE.
 */
export function addressSpaceLimit(path = '/proc/self/limits'): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return USER_ADDRESS_SPACE;
  }
  const soft = /^Max address space\s+(\S+)/m.exec(text)?.[1];
  const value = Number(soft);
  return Number.isFinite(value) && value > 0 ? Math.min(value, USER_ADDRESS_SPACE) : USER_ADDRESS_SPACE;
}

/** The default cap on live actors: 6 553 with vm.max_map_count = 65530 and no `ulimit -v`. */
export function defaultMaxLive(mapCount = maxMapCount(), addressSpace = addressSpaceLimit()): number {
  const byMaps = Math.floor((mapCount * MAP_BUDGET_SHARE) / MAPPINGS_PER_ACTOR);
  const byAddress = Math.floor((addressSpace * MAP_BUDGET_SHARE) / WASM_MEMORY_RESERVATION);
  return Math.max(1, Math.min(byMaps, byAddress));
}

/**
 * The most live actors this process could hold with no margin at all
 * (16 126 with vm.max_map_count = 65530): above it a fleet certainly runs out
 * of mappings or address space, so runFleet refuses a larger maxLive.
 */
export function maxLiveCeiling(mapCount = maxMapCount(), addressSpace = addressSpaceLimit()): number {
  const byMaps = Math.floor((mapCount - NODE_MAPPINGS) / MAPPINGS_MEASURED);
  const byAddress = Math.floor((addressSpace - NODE_ADDRESS_SPACE) / WASM_MEMORY_RESERVATION);
  return Math.max(1, Math.min(byMaps, byAddress));
}

/**
 * Most instances one run may ask for. The fleet keeps a result and a queued
 * call per instance for the whole run, so the count is bounded by the heap, not
 * by maxLive: 100 000 000 ran the V8 heap out of memory (after 78 s). A million
 * is 50× the largest fleet measured (20 000 sleepers in 3.5 s).
 */
export const MAX_INSTANCES = 1_000_000;
