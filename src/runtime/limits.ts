// How many actors one process may keep alive at once.
//
// Each live instance holds memory mappings (its linear memory reservation and
// more), and each suspended JSPI call holds about two more (FACTS.md). Linux
// caps a process at vm.max_map_count mappings (65530 by default); past that,
// allocations fail and a 20 000-actor run was seen to hang. The fleet therefore
// keeps at most `defaultMaxLive()` actors alive, and queues the rest.
import { readFileSync } from 'node:fs';

/** Mappings one live, suspended actor is budgeted (measured: see docs/FLEET.md). */
export const MAPPINGS_PER_ACTOR = 6;
/** Share of vm.max_map_count the fleet may use; the rest is Node's own. */
export const MAP_BUDGET_SHARE = 0.6;
export const FALLBACK_MAX_MAP_COUNT = 65_530;

export function maxMapCount(path = '/proc/sys/vm/max_map_count'): number {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(value) && value > 0 ? value : FALLBACK_MAX_MAP_COUNT;
  } catch {
    return FALLBACK_MAX_MAP_COUNT;
  }
}

/** The default cap on live actors: 6 553 with the default vm.max_map_count. */
export function defaultMaxLive(mapCount = maxMapCount()): number {
  return Math.max(1, Math.floor((mapCount * MAP_BUDGET_SHARE) / MAPPINGS_PER_ACTOR));
}
